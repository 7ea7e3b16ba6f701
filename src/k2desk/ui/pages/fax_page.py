"""Fax outbox: every fax job with its document, number, state, attempts, last error and time;
Retry and Cancel. The gateway itself is set up on the Settings page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from k2desk.services import fax
from k2desk.services.errors import ServiceError
from k2desk.services.fax import FaxJob
from k2desk.ui import keyboard
from k2desk.ui.columns import fit_columns
from k2desk.ui.fax_sending import FaxSender
from k2desk.ui.models.fax_model import FaxOutboxModel
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.widgets.confirm import confirm


class FaxOutboxPage(Page):
    key = "fax"
    title = "Fax outbox"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.fax_sender = FaxSender(self, env)
        self.model = FaxOutboxModel()
        self.table = QTableView()
        self.table.setObjectName("fax-outbox")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Fax jobs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Job, Document, Number, State, Attempts, Last error, Updated, Next try: on a small
        # screen Next try, then Job, then Attempts go; the error and the number never do.
        fit_columns(self.table, (5, 8, 14, 9, 7, 30, 14, 13), (40, 62, 110, 72, 60, 160, 118, 110),
                    drop_order=(7, 0, 4))
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        self.summary = QLabel("")
        self.summary.setObjectName("fax-summary")
        self.detail = QLabel("")
        self.detail.setObjectName("fax-detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("&Retry now")
        self.retry_button.setObjectName("fax-retry")
        self.retry_button.clicked.connect(self.retry_current)
        self.cancel_button = QPushButton("&Cancel fax…")
        self.cancel_button.setObjectName("fax-cancel")
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.open_button = QPushButton("Show &document")
        self.open_button.setObjectName("fax-open-document")
        self.open_button.clicked.connect(self.open_document)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        for b in (self.retry_button, self.cancel_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.detail)
        lay.addLayout(buttons)
        self.confirm_dialog: Any = None
        keyboard.page_key(self, "F5", self.reload)
        self._update_buttons()

    # -- state ---------------------------------------------------------------------------------
    def current(self) -> FaxJob | None:
        row = self.table.currentIndex().row()
        return self.model.job(row) if 0 <= row < self.model.rowCount() else None

    def reload(self, keep: int | None = None) -> None:
        """Read the outbox again (newest first), keeping the chosen job chosen."""
        cur = self.current()
        keep = keep if keep is not None else (cur.id if cur else None)
        ctx = self.ctx

        def shown(jobs: list[FaxJob]) -> None:
            self.model.set_jobs(jobs)
            waiting = sum(j.state == "queued" for j in jobs)
            failed = sum(j.state == "failed" for j in jobs)
            self.summary.setText(f"{len(jobs)} fax jobs · {waiting} waiting · {failed} failed"
                                 if jobs else "No fax has been sent from this counter yet.")
            row = self.model.row_of(keep) if keep is not None else -1
            if row < 0 and jobs:
                row = 0
            if row >= 0:
                self.table.selectRow(row)
            self._update_buttons()

        self.env.worker.run(lambda: fax.outbox(ctx), shown)

    def _update_buttons(self) -> None:
        j = self.current()
        self.retry_button.setEnabled(j is not None and j.state in ("queued", "failed"))
        self.cancel_button.setEnabled(j is not None and j.state in ("queued", "failed"))
        self.open_button.setEnabled(j is not None)
        if j is None:
            self.detail.setText("")
            return
        text = f"Fax job {j.id}: document D-{j.document_id}, {j.attempts} attempt(s)."
        if j.last_error:
            text += f" Last error: {j.last_error}"
        self.detail.setText(text)

    # -- actions -------------------------------------------------------------------------------
    def retry_current(self) -> None:
        j = self.current()
        if j is None or j.state not in ("queued", "failed"):
            self.env.bridge.tell("Choose a waiting or failed fax to retry.")
            return
        job_id = j.id

        def done(result: Any) -> None:
            if result.sent:
                self.env.bridge.tell(f"Fax job {job_id} was sent.")
            else:
                self.env.bridge.tell(f"Fax job {job_id} failed again: {result.error}")
            self.reload(job_id)

        self.fax_sender.attempt(job_id, done)

    def ask_cancel(self) -> Any:
        j = self.current()
        if j is None or j.state not in ("queued", "failed"):
            return None
        job_id = j.id
        self.confirm_dialog = confirm(
            self, "Cancel this fax?",
            f"Fax job {job_id} (document D-{j.document_id}) will not be sent. The document stays "
            "in the log; fax it again from there if needed.",
            "Cancel the fax", lambda: self.cancel(job_id), danger=True)
        return self.confirm_dialog

    def cancel(self, job_id: int) -> bool:
        try:
            self.env.worker.call(lambda: fax.cancel_fax(self.ctx, job_id))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            self.reload(job_id)
            return False
        self.env.bridge.tell(f"Fax job {job_id} was cancelled; it will not be sent.")
        self.reload(job_id)
        return True

    def open_document(self) -> None:
        j = self.current()
        if j is not None:
            self.env.go("log", scanned_document_id=j.document_id)

    # -- page hooks ----------------------------------------------------------------------------
    def activated(self, **kwargs: Any) -> None:
        self.reload(kwargs.get("job_id"))

    def focus_search(self) -> None:
        self.table.setFocus()
