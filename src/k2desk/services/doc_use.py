"""Using a stored document from the window: its exact bytes, and an audit line per reprint/save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from k2desk.domain.reprint import ReprintReason, check_reprint_reason
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.outputs import check_output_path
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


@dataclass(frozen=True, slots=True)
class Reprint:
    at: str
    operator: str
    reason: ReprintReason | None  # None for reprints recorded before reasons were asked
    pages: int | None


def checked_reason(code: str, note: str = "") -> ReprintReason:
    """The reprint reason as given, or InputRefused naming what is wrong (nothing written)."""
    issues = check_reprint_reason(code, note)
    if issues:
        raise InputRefused(issues)
    return ReprintReason(code, note.strip())


def record_reprint(ctx: AppContext, doc_id: int, reason: ReprintReason, *, pages: int | None = None,
                   via: str = "printer") -> None:
    """Audit one reprint of ``doc_id`` with its reason (any operator may reprint)."""
    reason = checked_reason(reason.code, reason.note)
    if repo.get_document(ctx.store.db, doc_id) is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    details: dict[str, str | int] = {"reason": reason.code, "via": via}
    if reason.note:
        details["reason_note"] = reason.note
    if pages is not None:
        details["pages"] = pages
    record_use(ctx, doc_id, "reprint", **details)


def reprints(ctx: AppContext, doc_id: int) -> list[Reprint]:
    """Every recorded reprint of ``doc_id``, oldest first, with its reason."""
    out = []
    for at, operator, d in repo.reprints(ctx.store.db, doc_id):
        code = d.get("reason")
        reason = ReprintReason(str(code), str(d.get("reason_note", ""))) if code else None
        pages = d.get("pages")
        out.append(Reprint(at, operator, reason, int(pages) if isinstance(pages, int) else None))
    return out


def reprint_to_file(ctx: AppContext, doc_id: int, reason: ReprintReason, path: Path | str) -> None:
    """The command line's reprint: the stored bytes written to ``path`` for the printer, and the
    reprint audited with its reason. A bad reason or path writes nothing."""
    from k2desk.services.documents import write_file

    reason = checked_reason(reason.code, reason.note)
    check_output_path(ctx.data_dir, path)
    data = stored_pdf(ctx, doc_id)
    write_file(ctx, path, data)
    record_reprint(ctx, doc_id, reason, via="file")
