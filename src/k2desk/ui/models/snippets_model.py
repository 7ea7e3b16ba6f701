"""Evidence snippets (the library page's table), testable without a view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from k2desk.services.library import SnippetView
from k2desk.ui.models.base import RowsModel

COLUMNS = ("Snippet", "Topics", "Evidence", "Status", "Review due", "Grade")
VIEW_ROLE = Qt.ItemDataRole.UserRole + 1
_STATUS_COLOURS = {"vetted": "#1e6b2e", "draft": "#6b5a00", "rejected": "#9b1c1c", "retired": "#555555",
                   "expired": "#9b4d00"}

Index = QModelIndex | QPersistentModelIndex


class SnippetsModel(RowsModel[tuple[SnippetView, float | None]]):
    columns = COLUMNS

    def set_rows(self, rows: list[tuple[SnippetView, float | None]]) -> None:
        """Rows of (snippet view, reading grade); a grade not known yet is None (shown "…")."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_grades(self, grades: dict[str, float]) -> None:
        """Fill in grades computed after the rows were shown (snippet id -> grade)."""
        col = len(COLUMNS) - 1
        for i, (v, grade) in enumerate(self._rows):
            if v.id in grades and grade != grades[v.id]:
                self._rows[i] = (v, grades[v.id])
                self.dataChanged.emit(self.index(i, col), self.index(i, col))

    def grade_of(self, snippet_id: str) -> float | None:
        """The reading grade shown for a snippet, or None while it is being computed."""
        return next((g for v, g in self._rows if v.id == snippet_id), None)

    def view(self, row: int) -> SnippetView:
        return self._rows[row][0]

    def row_of(self, snippet_id: str) -> int:
        return next((i for i, (v, _g) in enumerate(self._rows) if v.id == snippet_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        v, grade = self._rows[index.row()]
        if role == VIEW_ROLE:
            return v
        col = index.column()
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QColor(_STATUS_COLOURS.get(v.state.label, "#000000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return v.snippet.text_for("en")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return v.id
        if col == 1:
            return ", ".join(v.snippet.topics)
        if col == 2:
            return v.snippet.evidence_label
        if col == 3:
            return v.state.label
        if col == 4:
            return v.state.review_due.isoformat() if v.state.review_due else ""
        return "…" if grade is None else f"{grade:.1f}"
