"""Print or save a stored document by id: the services do the reading and the auditing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from k2desk.domain.reprint import ReprintReason
from k2desk.services import doc_use, documents
from k2desk.services.errors import ServiceError
from k2desk.ui.pages.base import UiEnv
from k2desk.ui.printing import PrintFlow
from k2desk.ui.widgets.reprint_reason import ReprintReasonDialog


class DocumentPrinter:
    """Ctrl+P on a page: the STORED bytes of ``current()`` go to the printer (or a saved copy)."""

    def __init__(self, parent: QWidget, env: UiEnv, current: Callable[[], int | None], *,
                 always_reprint: bool = False, recorded: Callable[[int], None] | None = None) -> None:
        self.env = env
        self.parent = parent
        self.current = current
        # The Log's button is "Reprint": it always asks why. Elsewhere the first print of a new
        # document is not a reprint; printing it again asks.
        self.always_reprint = always_reprint
        self.recorded = recorded  # told the document id once a reprint is in the audit trail
        self.doc_id: int | None = None
        self.reason: ReprintReason | None = None
        self.reason_dialog: ReprintReasonDialog | None = None
        self.flow = PrintFlow(parent, self._printed, self._save)

    def print_document(self) -> bool:
        doc_id = self.current()
        if doc_id is None:
            self.env.bridge.tell("There is no stored document to print yet.")
            return False
        ctx = self.env.ctx
        try:
            data = self.env.worker.call(lambda: doc_use.stored_pdf(ctx, doc_id))
            printed_before = self.always_reprint or bool(
                self.env.worker.call(lambda: doc_use.reprints(ctx, doc_id)))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        if not printed_before:
            self._start(doc_id, data, None)
            return True
        dlg = ReprintReasonDialog(doc_id, parent=self.parent)
        self.reason_dialog = dlg
        dlg.accepted.connect(lambda: self._start(doc_id, data, dlg.value()))
        dlg.open()
        return True

    def _start(self, doc_id: int, data: bytes, reason: ReprintReason | None) -> None:
        self.doc_id, self.reason = doc_id, reason
        self.flow.start(data, f"k2desk-document-{doc_id}.pdf")

    def _printed(self, pages: int) -> None:
        if self.doc_id is not None:
            doc_id, ctx, reason = self.doc_id, self.env.ctx, self.reason
            done = (lambda _r: self.recorded(doc_id)) if self.recorded else None
            if reason is None:
                self.env.worker.run(lambda: doc_use.record_use(ctx, doc_id, "reprint", pages=pages),
                                    done)
            else:
                self.env.worker.run(lambda: doc_use.record_reprint(ctx, doc_id, reason, pages=pages), done)
            self.env.bridge.tell(f"Document {doc_id} was sent to the printer.")

    def _save(self, path: Path) -> None:
        if self.doc_id is None:
            return
        doc_id = self.doc_id
        try:
            self.env.worker.call(lambda: documents.save_pdf(self.env.ctx, doc_id, path))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self.env.bridge.tell(f"Document {doc_id} was saved to {path}.")
