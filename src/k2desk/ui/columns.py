"""Table columns that share the view's width by weight, so a narrow window elides text ("…",
full text in the cell's tool tip where the model gives one) instead of scrolling sideways."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView


class _ColumnFitter(QObject):
    # Hand-written: QHeaderView can stretch columns equally or size them to their contents,
    # but not share the width in fixed proportions with a floor per column.
    def __init__(self, view: QTableView, weights: Sequence[float], minimums: Sequence[int]) -> None:
        super().__init__(view)
        self.view = view
        self.weights = list(weights)
        self.minimums = list(minimums)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        width = self.view.viewport().width()
        n = min(len(self.weights), self.view.model().columnCount() if self.view.model() else 0)
        if n == 0 or width <= 0:
            return
        total = sum(self.weights[:n])
        widths = [max(self.minimums[i], int(width * self.weights[i] / total)) for i in range(n)]
        # Take any excess over the floors back from the widest columns, so the sum fits.
        over = sum(widths) - width
        for i in sorted(range(n), key=lambda c: -widths[c]):
            if over <= 0:
                break
            give = min(over, widths[i] - self.minimums[i])
            widths[i] -= give
            over -= give
        for i, w in enumerate(widths):
            self.view.setColumnWidth(i, w)


def fit_columns(view: QTableView, weights: Sequence[float], minimums: Sequence[int] | None = None) -> None:
    """Share ``view``'s width between its columns by ``weights``; never a sideways scroll bar."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.horizontalHeader().setStretchLastSection(False)
    view.setWordWrap(False)
    fitter = _ColumnFitter(view, weights, minimums or [30] * len(weights))
    view.viewport().installEventFilter(fitter)
    fitter.fit()
