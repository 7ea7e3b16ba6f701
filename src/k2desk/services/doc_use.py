"""Using a stored document from the window: its exact bytes, and an audit line per reprint/save."""

from __future__ import annotations

from k2desk.services.context import AppContext
from k2desk.services.errors import NotFound, OperationFailed
from k2desk.storage import documents as repo


def stored_pdf(ctx: AppContext, doc_id: int) -> bytes:
    """The stored PDF bytes of document ``doc_id``, checked against their SHA-256."""
    if repo.get_document(ctx.store.db, doc_id) is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    try:
        return repo.get_pdf(ctx.store.db, doc_id)
    except repo.DocumentStoreError as exc:
        raise OperationFailed(f"Document {doc_id} cannot be used: {exc}.") from exc


def record_use(ctx: AppContext, doc_id: int, action: str, **details: str | int) -> None:
    """Audit a reprint ('reprint') or a saved copy ('save-copy') of a stored document."""
    with ctx.store.write() as db:
        repo.record_use(db, doc_id, action=action, operator=ctx.operator, details=dict(details))
