"""Log: every stored document and order, newest first, lazily fetched; preview, reprint, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.orders import STATUSES
from k2desk.domain.validation import parse_date
from k2desk.services import doc_use, fax, interactions, log_browse
from k2desk.services.changes import Changes
from k2desk.services.errors import ServiceError
from k2desk.services.log_browse import LogFilter, LogRow
from k2desk.ui import findings, keyboard, scan
from k2desk.ui.columns import fit_columns
from k2desk.ui.document_actions import DocumentPrinter
from k2desk.ui.fax_sending import FaxSender
from k2desk.ui.models.log_model import KIND_LABELS, LogModel
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.widgets.field_message import FieldMessage
from k2desk.ui.widgets.patient_banner import PatientBanner
from k2desk.ui.widgets.pdf_preview import PdfPreview
from k2desk.ui.widgets.reason_dialog import ReasonDialog
from k2desk.ui.widgets.selection import on_row_selected

SEARCH_DEBOUNCE_MS = 150


def us_datetime(stored: str) -> str:
    """A stored UTC timestamp as the counter's local MM/DD/YYYY HH:MM."""
    try:
        return dt.datetime.fromisoformat(stored).astimezone().strftime("%m/%d/%Y %H:%M")
    except ValueError:
        return stored[:16]


class LogPage(Page):
    key = "log"
    title = "Log"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        ctx = env.ctx
        self.fax_sender = FaxSender(self, env)  # with the password prompt when no keyring works

        def fetch(flt: LogFilter, before: int | None, n: int) -> list[LogRow]:
            rows: list[LogRow]
            rows, flags = env.worker.call(lambda: _rows_with_flags(ctx, flt, before, n))
            self.model.vka.update(flags)
            return rows

        def fetch_at(flt: LogFilter, row: int, n: int) -> list[LogRow]:
            rows: list[LogRow]
            rows, flags = env.worker.call(lambda: _rows_at_with_flags(ctx, flt, row, n))
            self.model.vka.update(flags)
            return rows

        self.model = LogModel(fetch, fetch_at=fetch_at)
        self.patient_banner = PatientBanner()
        self.search = QLineEdit()
        self.search.setObjectName("log-search")
        self.search.setPlaceholderText(
            "Search by patient name, title or document number, or scan a page (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.addItem("Any kind", None)
        for k, label in KIND_LABELS.items():
            self.kind.addItem(label, k)
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for s in STATUSES:
            self.status.addItem(s.replace("-", " "), s)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("from MM/DD/YYYY")
        self.date_from.setAccessibleName("From date (MM/DD/YYYY or YYYY-MM-DD)")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("to MM/DD/YYYY")
        self.date_to.setAccessibleName("To date (MM/DD/YYYY or YYYY-MM-DD)")
        for box in (self.date_from, self.date_to):
            # Wide enough for the whole hint (the only place the eye sees the date order), at any
            # font size or scale: a fixed pixel width cut "from MM/DD/Y…" at 1024x768.
            box.setFixedWidth(box.fontMetrics().horizontalAdvance(box.placeholderText()) + 24)
        self.patient_id: int | None = None
        self.patient_label = QLabel("")
        self.clear_patient = QPushButton("All patients")
        self.clear_patient.clicked.connect(lambda: self.set_patient(None))
        self.date_message = FieldMessage("dates")
        self.export_button = QPushButton("Expor&t log…")
        self.export_button.clicked.connect(lambda: self.export_log())
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.kind)
        filters.addWidget(self.status)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_to)
        filters.addWidget(self.progress)
        filters.addWidget(self.export_button)

        self.table = QTableView()
        self.table.setObjectName("log-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never asks every row for its size.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAccessibleName("Log of documents")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # No., Date, Kind, Title, Patient, Status, Operator, Pages: shares of the width.
        # Floors keep a whole date and time; on a small screen Pages, then Operator, then Kind go.
        fit_columns(self.table, (6, 14, 7, 16, 16, 10, 10, 5), (42, 118, 60, 80, 90, 86, 80, 42),
                    drop_order=(7, 6, 2))
        on_row_selected(self.table, self._row_chosen)

        self.preview = PdfPreview(empty_text="Choose a document to see the stored PDF.")
        self.reprint_button = QPushButton("&Reprint (Ctrl+P)")
        self.reprint_button.setObjectName("reprint")
        self.reprint_button.clicked.connect(self.print_current)
        self.open_order_button = QPushButton("&Open order")
        self.open_order_button.setObjectName("open-order")
        self.open_order_button.setToolTip("Show this order in the order editor (status, reprint)")
        self.open_order_button.clicked.connect(self.open_order)
        self.fax_button = QPushButton("Fa&x…")
        self.fax_button.setObjectName("fax")
        self.fax_button.setToolTip("Send the stored PDF to a fax number through the fax gateway")
        self.fax_button.clicked.connect(self.ask_fax)
        self.doc_label = QLabel("")
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.doc_label)
        rv.addWidget(self.preview, 1)
        rb = QHBoxLayout()
        rb.addWidget(self.reprint_button)
        rb.addWidget(self.open_order_button)
        rb.addWidget(self.fax_button)
        rb.addStretch(1)
        rv.addLayout(rb)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([720, 460])
        lay = QVBoxLayout(self)
        lay.addLayout(filters)
        # "Patient #N only" on a line of its own when shown: in the filter row it squeezed the
        # search box to "Search b…" at 1024x768.
        self.patient_scope = QWidget()
        scope = QHBoxLayout(self.patient_scope)
        scope.setContentsMargins(0, 0, 0, 0)
        scope.addWidget(self.patient_label)
        scope.addWidget(self.clear_patient)
        scope.addStretch(1)
        self.patient_scope.setVisible(False)
        lay.addWidget(self.patient_scope)
        lay.addWidget(self.patient_banner)
        lay.addWidget(self.date_message)
        lay.addWidget(split, 1)

        self.current: LogRow | None = None
        self._filter_gen = 0
        self.printer = DocumentPrinter(self, env, lambda: self.current.id if self.current else None,
                                       always_reprint=True, recorded=self._show_reprints)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        for w in (self.search, self.date_from, self.date_to):
            w.textChanged.connect(lambda _t: self._debounce.start())
        self.kind.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filter())
        keyboard.link_search(self.search, self.table, self.open_first_match)
        # A scanned or typed "D-123" (or, here, a bare document number) opens that document.
        scan.install(self.search, env, bare_number=True)
        self._update_buttons()
        self.set_patient(None)

    def open_first_match(self) -> None:
        """Enter in the search box: filter now and show the newest matching document."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.apply_filter()
        self.env.worker.wait()
        QCoreApplication.processEvents()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    # -- filtering ----------------------------------------------------------------------------
    def current_filter(self) -> LogFilter | None:
        issues = []
        dates: list[str | None] = []
        for w, label in ((self.date_from, "From date"), (self.date_to, "To date")):
            text = w.text().strip()
            if not text:
                dates.append(None)
                continue
            d, problems = parse_date(text, "dates", label=label)
            issues += problems
            dates.append(d.isoformat() if d else None)
        self.date_message.show_issues(issues)
        if issues:
            return None
        return LogFilter(text=self.search.text(), kind=self.kind.currentData(),
                         status=self.status.currentData(), patient_id=self.patient_id,
                         date_from=dates[0], date_to=dates[1])

    def apply_filter(self) -> None:
        flt = self.current_filter()
        if flt is None:
            return
        self.current = None
        self.preview.clear("Choose a document to see the stored PDF.")
        self.doc_label.clear()
        self._update_buttons()
        # The first page is read off the GUI thread: a broad search on a million rows must not
        # freeze typing. Later pages (keyset, an index walk) are read when the view scrolls.
        self._filter_gen += 1
        gen, ctx, n = self._filter_gen, self.ctx, self.model.page_size

        def shown(result: tuple[list[LogRow], dict[int, list[str]], int | None, LogFilter]) -> None:
            if gen == self._filter_gen:
                self.model.vka = result[1]
                self.model.set_first_page(result[3], result[0], result[2])

        self.env.worker.run(lambda: _first_page(ctx, flt, n), shown)

    def refresh(self, changes: Changes) -> None:
        """Re-read the rows (new documents, statuses, VKA flags) keeping the chosen document."""
        if self.patient_id is not None and changes.touches_patient(self.patient_id):
            self._show_patient_banner()
        if not (changes.document or changes.order or changes.patient or changes.medications):
            return
        if self._debounce.isActive():
            return  # a search typed a moment ago is about to read the rows afresh anyway
        flt = self.current_filter()
        if flt is None:
            return
        self._filter_gen += 1
        gen, ctx, n = self._filter_gen, self.ctx, self.model.page_size
        keep = self.current.id if self.current is not None else None

        def shown(result: tuple[list[LogRow], dict[int, list[str]], int | None, LogFilter]) -> None:
            if gen != self._filter_gen:
                return
            self.model.vka = result[1]
            self.model.set_first_page(result[3], result[0], result[2])
            if keep is not None and not self.select_document(keep):
                self.current = None
                self.preview.clear("Choose a document to see the stored PDF.")
                self._update_buttons()

        self.env.worker.run(lambda: _first_page(ctx, flt, n), shown)

    def _show_patient_banner(self) -> None:
        pid, ctx = self.patient_id, self.ctx
        if pid is None:
            self.patient_banner.show_patient(None)
            return

        def shown(state: tuple[Any, list[str], list[Any]]) -> None:
            if self.patient_id == pid:
                self.patient_banner.show_patient(state[0], state[1])

        self.env.worker.run(lambda: findings.patient_state(ctx, pid), shown,
                            lambda exc: self.patient_banner.show_patient(None))

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.patient_label.setText("" if patient_id is None else f"Patient #{patient_id} only")
        self.patient_scope.setVisible(patient_id is not None)
        self._show_patient_banner()
        self.apply_filter()

    # -- one document -------------------------------------------------------------------------
    def _row_chosen(self, row: int) -> None:
        if row < 0:  # no row shown selected: Reprint and Fax must not act on one
            self.current = None
            self.preview.clear("Choose a document to see the stored PDF.")
            self.doc_label.clear()
            self._update_buttons()
            return
        self.show_document(self.model.row(row))

    def show_document(self, r: LogRow) -> None:
        self.current = r
        self.doc_label.setText(f"Document {r.id} · {KIND_LABELS.get(r.kind, r.kind)} · {r.title}")
        self._update_buttons()
        ctx, doc_id = self.ctx, r.id

        def shown(data: bytes) -> None:
            if self.current is not None and self.current.id == doc_id:
                self.preview.show_pdf(data)

        self.env.worker.run(lambda: doc_use.stored_pdf(ctx, doc_id), shown)
        self._show_reprints(doc_id)

    def _show_reprints(self, doc_id: int) -> None:
        """Under the document's title: how often it was reprinted, and why the last time."""
        ctx = self.ctx

        def shown(reprints: list[doc_use.Reprint]) -> None:
            if self.current is None or self.current.id != doc_id:
                return
            r = self.current
            text = f"Document {r.id} · {KIND_LABELS.get(r.kind, r.kind)} · {r.title}"
            if reprints:
                last = reprints[-1]
                why = last.reason.label() if last.reason else "no reason recorded"
                times = "once" if len(reprints) == 1 else f"{len(reprints)} times"
                text += (f"\nReprinted {times}; last on {us_datetime(last.at)} by {last.operator}"
                         f" ({why})")
            self.doc_label.setText(text)

        self.env.worker.run(lambda: doc_use.reprints(ctx, doc_id), shown)

    def select_document(self, doc_id: int) -> bool:
        """Select ``doc_id`` if it is in the log as filtered (fetching further pages as needed)."""
        self.env.worker.wait()  # a first page may still be on its way
        QCoreApplication.processEvents()
        if self.model.seeking:
            ctx, flt = self.ctx, self.model.filter
            at = self.env.worker.call(lambda: log_browse.log_position(ctx, flt, doc_id))
            if at is None or at >= self.model.rowCount():
                return False
            self.table.selectRow(at)
            return self.model.row(at).id == doc_id
        while True:
            for i in range(self.model.rowCount()):
                if self.model.row(i).id == doc_id:
                    self.table.selectRow(i)
                    return True
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()

    def _update_buttons(self) -> None:
        self.reprint_button.setEnabled(self.current is not None)
        self.open_order_button.setEnabled(self.current is not None and self.current.source_table == "orders")
        self.fax_button.setEnabled(self.current is not None)

    def open_order(self) -> None:
        if self.current is not None and self.current.source_table == "orders":
            self.env.go("orders", order_id=self.current.source_id)

    def print_current(self) -> None:
        """Reprint: the stored bytes, exactly as first printed."""
        if self.current is None:
            self.env.bridge.tell("Choose a document in the log to reprint.")
            return
        self.printer.print_document()

    # -- fax ----------------------------------------------------------------------------------
    def ask_fax(self) -> ReasonDialog | None:
        if self.current is None:
            return None
        dlg = ReasonDialog("Fax a stored document",
                           f"Document {self.current.id} is faxed exactly as stored, after a cover sheet "
                           "(the cover names the document number, never the patient).",
                           parent=self, field_label="Fax number")
        dlg.accepted.connect(lambda: self.send_fax(dlg.values()[1]))
        dlg.open()
        return dlg

    def send_fax(self, number: str) -> int | None:
        """Queue the fax through the fax service, then make the first attempt in the background."""
        if self.current is None:
            return None
        doc_id, ctx = self.current.id, self.ctx
        try:
            job_id = int(self.env.worker.call(lambda: fax.queue_fax(ctx, doc_id, number)))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return None

        self._attempt_fax(doc_id, job_id)
        return job_id

    def _attempt_fax(self, doc_id: int, job_id: int) -> None:
        def done(result: Any) -> None:
            if result.sent:
                self.env.bridge.tell(f"Document {doc_id} was faxed (fax job {job_id}).")
            else:
                self.env.bridge.tell(f"Fax job {job_id} was not sent yet: {result.error} "
                                     "It stays in the outbox and is tried again.")

        self.fax_sender.attempt(job_id, done)

    def locked(self) -> None:
        # The fax password typed for this session belongs to the operator who typed it: the
        # window locking forgets it, so the next operator cannot send with it (issue 18).
        self.fax_sender.passwords.clear()

    # -- export -------------------------------------------------------------------------------
    def export_log(self, path: str | None = None) -> None:
        """Export the log through the export service, with a progress bar."""
        try:
            from k2desk.services import export
        except ModuleNotFoundError:
            self.env.bridge.tell("Export is not available in this build.")
            return
        if path is None:
            path, _f = QFileDialog.getSaveFileName(self, "Export the log", "k2desk-log.xlsx",
                                                   "Excel workbook (*.xlsx);;CSV (*.csv)")
            if not path:
                return
        self._run_export(export, path)

    def _run_export(self, export: Any, path: str) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.show()
        self.export_button.setEnabled(False)
        ctx = self.ctx
        progress = self.progress

        def report(done: int, total: int) -> None:
            # Called on the worker thread: hand the numbers to the GUI thread.
            QTimer.singleShot(0, progress, lambda: progress.setValue(int(100 * done / max(total, 1))))

        def finished(_result: object) -> None:
            self.progress.setValue(100)
            self.export_button.setEnabled(True)
            self.env.bridge.tell(f"The log was exported to {path}.")

        def failed(exc: ServiceError) -> None:
            self.progress.hide()
            self.export_button.setEnabled(True)
            self.env.bridge.report(exc)

        self.env.worker.run(lambda: export.export_log(ctx, path, progress=report), finished, failed)

    # -- page hooks ---------------------------------------------------------------------------
    def show_scanned(self, doc_id: int) -> bool:
        """Show document ``doc_id`` whatever the log was narrowed to (a scan names one page)."""
        self._debounce.stop()
        for w in (self.search, self.date_from, self.date_to, self.kind, self.status):
            w.blockSignals(True)
        self.search.setText(f"D-{doc_id}")
        self.date_from.clear()
        self.date_to.clear()
        self.kind.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        for w in (self.search, self.date_from, self.date_to, self.kind, self.status):
            w.blockSignals(False)
        self.set_patient(None)
        found = self.select_document(doc_id)
        if found:
            self.table.setFocus()
        return found

    def activated(self, **kwargs: Any) -> None:
        if kwargs.get("scanned_document_id") is not None:
            self.show_scanned(int(kwargs["scanned_document_id"]))
            return
        if "patient_id" in kwargs:
            self.set_patient(kwargs["patient_id"])
        else:
            self.apply_filter()
        if kwargs.get("document_id") is not None:
            self.select_document(int(kwargs["document_id"]))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected_patient_id(self) -> int | None:
        """Ctrl+H / Ctrl+O from the log start from the chosen document's patient."""
        return self.current.patient_id if self.current is not None else self.patient_id


def _rows_with_flags(ctx: Any, flt: LogFilter, before: int | None,
                     n: int) -> tuple[list[LogRow], dict[int, list[str]]]:
    """A page of log rows and the VKA flag of each patient on it, in one background read."""
    rows = log_browse.log_page(ctx, flt, before_id=before, limit=n)
    return rows, interactions.vka_flags(ctx, [r.patient_id for r in rows if r.patient_id])


def _first_page(ctx: Any, flt: LogFilter,
                n: int) -> tuple[list[LogRow], dict[int, list[str]], int | None, LogFilter]:
    """The first page with its VKA flags, and (unless a text search) how many rows there are,
    so the model can seek: the scroll bar spans the whole log at once."""
    if log_browse.seekable(flt):
        # Pinned to the log as it stands: a document stored meanwhile by another process moves
        # no row of a page read later (shown at the next refresh).
        flt = log_browse.pinned(ctx, flt)
    rows, flags = _rows_with_flags(ctx, flt, None, n)
    return rows, flags, (log_browse.log_count(ctx, flt) if log_browse.seekable(flt) else None), flt


def _rows_at_with_flags(ctx: Any, flt: LogFilter, row: int,
                        n: int) -> tuple[list[LogRow], dict[int, list[str]]]:
    """The page from position ``row`` and its patients' VKA flags, in one background read."""
    rows = log_browse.log_rows_at(ctx, flt, row, n)
    return rows, interactions.vka_flags(ctx, [r.patient_id for r in rows if r.patient_id])
