"""The document log as a lazily fetched table (after Vorta's and Picard's log models).

Two ways of reading, one model:

- *seeking* (no text search): the model knows how many rows there are, so the scroll bar spans
  the whole log at once; a row not yet read is read with its page of ~200 through ``fetch_at``
  (storage finds the row's key in the date index and reads from there), so dragging the bar
  to row 900,000 of a million reads one page, not 4,500;
- *paging* (a text search): pages come through ``fetch`` (keyset-paged in storage), only when
  the view scrolls near the end (``canFetchMore``/``fetchMore``), as search results always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from k2desk.services.log_browse import PAGE_SIZE, LogFilter, LogRow
from k2desk.ui.models.base import RowsModel
from k2desk.ui.widgets.patient_banner import vka_cell, vka_icon

COLUMNS = ("No.", "Date", "Kind", "Title", "Patient", "Status", "Operator", "Pages")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_LABELS = {"handout": "Handout", "order": "Order", "fax-cover": "Fax cover"}

Index = QModelIndex | QPersistentModelIndex
Fetch = Callable[[LogFilter, int | None, int], list[LogRow]]
FetchAt = Callable[[LogFilter, int, int], list[LogRow]]
# pages read in seek mode kept at once (about 200 rows each); the oldest read is dropped first
KEEP_PAGES = 64


class LogModel(RowsModel[LogRow]):
    columns = COLUMNS

    def __init__(self, fetch: Fetch, page_size: int = PAGE_SIZE,
                 fetch_at: FetchAt | None = None) -> None:
        super().__init__()
        self._fetch = fetch
        self._fetch_at = fetch_at
        # Seek mode: total rows under the filter, and the pages read so far (page -> rows).
        self._total: int | None = None
        self._pages: dict[int, list[LogRow]] = {}
        self.page_size = page_size
        self.filter = LogFilter()
        self._more = False
        self.fetches = 0  # how many pages were read (for tests and the benchmark)
        # Patient id -> the VKA agents on their current medications (read with each page):
        # the Patient column carries the same flag as the Patients list and the banner.
        self.vka: dict[int, list[str]] = {}

    def set_filter(self, flt: LogFilter) -> None:
        """Start over with ``flt``: forget every row and read the first page."""
        self.beginResetModel()
        self.filter = flt
        self._rows = []
        self._total = None
        self._pages = {}
        self._more = True
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def set_first_page(self, flt: LogFilter, rows: list[LogRow], total: int | None = None) -> None:
        """Start over with ``flt`` and a first page already read (off the GUI thread); with
        ``total`` (the rows under ``flt``) the model seeks: every row is there at once."""
        self.beginResetModel()
        self.filter = flt
        self.fetches += 1
        if total is not None and self._fetch_at is not None:
            self._total = total
            self._pages = {0: list(rows)}
            self._rows = []
            self._more = False
        else:
            self._total = None
            self._pages = {}
            self._rows = list(rows)
            self._more = len(rows) >= self.page_size
        self.endResetModel()

    @property
    def seeking(self) -> bool:
        return self._total is not None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        if parent.isValid():
            return 0
        return self._total if self._total is not None else len(self._rows)

    def _page(self, page: int) -> list[LogRow]:
        rows = self._pages.get(page)
        if rows is None:
            assert self._fetch_at is not None
            rows = self._fetch_at(self.filter, page * self.page_size, self.page_size)
            self.fetches += 1
            if len(self._pages) >= KEEP_PAGES:
                self._pages.pop(next(iter(self._pages)))
            self._pages[page] = rows
        return rows

    def refresh(self) -> None:
        self.set_filter(self.filter)

    def row(self, r: int) -> LogRow:
        if self._total is None:
            return self._rows[r]
        if not 0 <= r < self._total:
            raise IndexError(r)
        rows = self._page(r // self.page_size)
        k = r % self.page_size
        if k >= len(rows):
            # The log changed under a page being read (a document added since the count):
            # the page's last row stands in until the refresh that follows every change.
            if not rows:
                raise IndexError(r)
            return rows[-1]
        return rows[k]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt's API
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 - Qt's API
        if parent.isValid() or not self._more:
            return
        before = self._rows[-1].id if self._rows else None
        page = self._fetch(self.filter, before, self.page_size)
        self.fetches += 1
        if len(page) < self.page_size:
            self._more = False
        if page:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        try:
            r = self.row(index.row())
        except IndexError:
            return None
        if role == ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if index.column() == 4 and role == Qt.ItemDataRole.DecorationRole:
            return vka_icon() if self.vka.get(r.patient_id or 0) else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None  # the tool tip shows what a narrow column cuts
        col = index.column()
        if col == 0:
            return str(r.id)
        if col == 1:
            return r.created_at[:16].replace("T", " ")
        if col == 2:
            return KIND_LABELS.get(r.kind, r.kind)
        if col == 3:
            return r.title
        if col == 4:
            agents = self.vka.get(r.patient_id or 0) or []
            if agents and role == Qt.ItemDataRole.ToolTipRole:
                return f"{r.patient_name} — {vka_cell(agents)}"
            return r.patient_name
        if col == 5:
            return r.status.replace("-", " ")
        if col == 6:
            return r.operator
        return str(r.pages) if r.pages else ""
