"""Scan to find: a document reference typed or scanned into a search box opens that document.

A USB barcode scanner types the QR payload ("D-123") and then Enter, as fast as it can. The
filter below reads the box's text when Enter arrives, before the box's own Enter action, so a
scan opens the document in the Log from any search box; any other text searches as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from k2desk.domain.document_ref import parse_document_ref
from k2desk.services import documents
from k2desk.ui.pages.base import UiEnv


class _ScanToFind(QObject):
    def __init__(self, box: QLineEdit, env: UiEnv, bare_number: bool) -> None:
        super().__init__(box)
        self.box, self.env, self.bare_number = box, env, bare_number

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            return False
        return open_reference(self.env, self.box.text(), bare_number=self.bare_number)


def open_reference(env: UiEnv, text: str, *, bare_number: bool = False) -> bool:
    """If ``text`` is a document reference, open that document in the Log and return True.

    A "D-…" reference that names no stored document is answered with a message (True: the text
    was a reference, not a name to search for), except in the Log's box, where Enter goes on to
    filter (False). A bare number that names no document is left to the ordinary search (False)."""
    doc_id = parse_document_ref(text, bare_number=bare_number)
    if doc_id is None:
        return False
    ctx = env.ctx
    doc = env.worker.call(lambda: documents.document_by_reference(ctx, text, bare_number=bare_number))
    if doc is None:
        if parse_document_ref(text) is None:
            return False
        env.bridge.tell(f"There is no document D-{doc_id} in the log. Check the number on the page.")
        # In the Log's own box (the one that takes a bare number) Enter goes on to filter now, so
        # the document shown before the scan does not stay on screen, ready for Ctrl+P, under a
        # search that names another.
        return not bare_number
    env.go("log", scanned_document_id=doc.id)
    return True


def install(box: QLineEdit, env: UiEnv, *, bare_number: bool = False) -> None:
    """Let ``box`` take a scanned or typed document reference ("D-123"; with ``bare_number``
    also "123")."""
    box.installEventFilter(_ScanToFind(box, env, bare_number))
