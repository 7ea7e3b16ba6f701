"""Print or save a stored document by id: the services do the reading and the auditing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from k2desk.services import doc_use, documents
from k2desk.services.errors import ServiceError
from k2desk.ui.pages.base import UiEnv
from k2desk.ui.printing import PrintFlow


class DocumentPrinter:
    """Ctrl+P on a page: the STORED bytes of ``current()`` go to the printer (or a saved copy)."""

    def __init__(self, parent: QWidget, env: UiEnv, current: Callable[[], int | None]) -> None:
        self.env = env
        self.current = current
        self.doc_id: int | None = None
        self.flow = PrintFlow(parent, self._printed, self._save)

    def print_document(self) -> bool:
        doc_id = self.current()
        if doc_id is None:
            self.env.bridge.tell("There is no stored document to print yet.")
            return False
        try:
            data = self.env.worker.call(lambda: doc_use.stored_pdf(self.env.ctx, doc_id))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        self.doc_id = doc_id
        self.flow.start(data, f"k2desk-document-{doc_id}.pdf")
        return True

    def _printed(self, pages: int) -> None:
        if self.doc_id is not None:
            doc_id, ctx = self.doc_id, self.env.ctx
            self.env.worker.run(lambda: doc_use.record_use(ctx, doc_id, "reprint", pages=pages))
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
