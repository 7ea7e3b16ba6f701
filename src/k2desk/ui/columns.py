"""Table columns that share the view's width by weight, so a narrow window elides text ("…",
full text in the cell's tool tip where the model gives one) instead of scrolling sideways."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView


class _ColumnFitter(QObject):
    # Hand-written: QHeaderView can stretch columns equally or size them to their contents,
    # but not share the width in fixed proportions with a floor per column.
    def __init__(self, view: QTableView, weights: Sequence[float], minimums: Sequence[int],
                 drop_order: Sequence[int]) -> None:
        super().__init__(view)
        self.view = view
        self.weights = list(weights)
        self.minimums = list(minimums)
        self.drop_order = list(drop_order)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        width = self.view.viewport().width()
        n = min(len(self.weights), self.view.model().columnCount() if self.view.model() else 0)
        if n == 0 or width <= 0:
            return
        # Too narrow for every column at its floor: hide the least needed ones (cut text is worse
        # than a column left out; the row's other columns and tool tips still tell the rest).
        shown = list(range(n))
        for col in self.drop_order:
            if sum(self.minimums[c] for c in shown) <= width or len(shown) <= 1:
                break
            if col in shown:
                shown.remove(col)
        for c in range(n):
            self.view.setColumnHidden(c, c not in shown)
        total = sum(self.weights[c] for c in shown)
        widths = {c: max(self.minimums[c], int(width * self.weights[c] / total)) for c in shown}
        # Take any excess over the floors back from the widest columns, so the sum fits.
        over = sum(widths.values()) - width
        for c in sorted(shown, key=lambda c: -widths[c]):
            if over <= 0:
                break
            give = min(over, widths[c] - self.minimums[c])
            widths[c] -= give
            over -= give
        for c, w in widths.items():
            self.view.setColumnWidth(c, w)


def fit_columns(view: QTableView, weights: Sequence[float], minimums: Sequence[int] | None = None,
                drop_order: Sequence[int] = ()) -> None:
    """Share ``view``'s width between its columns by ``weights``; never a sideways scroll bar.

    ``minimums`` are the narrowest each column may get; when even those do not fit, the columns
    in ``drop_order`` are hidden one by one (shown again when the view widens)."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.horizontalHeader().setStretchLastSection(False)
    view.setWordWrap(False)
    fitter = _ColumnFitter(view, weights, minimums or [30] * len(weights), drop_order)
    view.viewport().installEventFilter(fitter)
    fitter.fit()
