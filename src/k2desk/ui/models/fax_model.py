"""The fax outbox as a table: document, number, state, attempts, last error, time."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from PySide6.QtCore import Qt

from k2desk.domain.validation import format_phone
from k2desk.services.fax import FaxJob
from k2desk.ui.models.base import Index, RowsModel

STATE_LABELS = {"queued": "Waiting", "sending": "Sending", "sent": "Sent", "failed": "Failed",
                "cancelled": "Cancelled"}


def local_time(stored: str | None) -> str:
    """A stored UTC timestamp as the counter's local MM/DD/YYYY HH:MM ('' for none)."""
    if not stored:
        return ""
    try:
        return dt.datetime.fromisoformat(stored).astimezone().strftime("%m/%d/%Y %H:%M")
    except ValueError:
        return stored[:16]


class FaxOutboxModel(RowsModel[FaxJob]):
    columns: ClassVar[tuple[str, ...]] = ("Job", "Document", "Fax number", "State", "Attempts",
                                          "Last error", "Updated", "Next try")

    def set_jobs(self, jobs: list[FaxJob]) -> None:
        self.beginResetModel()
        self._rows = list(jobs)
        self.endResetModel()

    def job(self, row: int) -> FaxJob:
        return self._rows[row]

    def row_of(self, job_id: int) -> int:
        return next((i for i, j in enumerate(self._rows) if j.id == job_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        j = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5:
            return j.last_error or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (j.id, f"D-{j.document_id}", format_phone(j.to_number) or j.to_number,
                STATE_LABELS.get(j.state, j.state), j.attempts, j.last_error, local_time(j.updated_at),
                local_time(j.next_attempt_at) if j.state == "queued" else "")[index.column()]
