"""The document log: list, reprint (the stored bytes, never a re-render), save a copy, fax image,
and a fax cover sheet for a stored document. Every use is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from k2desk.domain.document_ref import parse_document_ref
from k2desk.domain.documents import DocumentKind
from k2desk.domain.issues import error
from k2desk.domain.records import StoredDocument
from k2desk.domain.text import check_text
from k2desk.domain.validation import format_phone, normalise_phone
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.outputs import check_output_path, write_output
from k2desk.services.rendering import (
    count_pages,
    cover_settings_issues,
    document_reference,
    paper_size,
    pharmacy_profile,
    render_cover,
)
from k2desk.storage import documents as repo
from k2desk.storage import orders as orders_repo


def list_documents(ctx: AppContext, *, patient_id: int | None = None, kind: str | None = None,
                   limit: int = 1000, offset: int = 0) -> list[StoredDocument]:
    """Newest first."""
    return repo.list_documents(ctx.store.db, patient_id=patient_id, kind=kind, limit=limit,
                               offset=offset)


def document_by_reference(ctx: AppContext, text: str, *, bare_number: bool = True,
                          field: str = "id") -> StoredDocument | None:
    """The document a typed or scanned reference names ("D-123", "d-123", the QR payload; with
    ``bare_number`` also "123"), or None when no such document is stored. InputRefused when
    ``text`` is not a document reference at all."""
    doc_id = parse_document_ref(text, bare_number=bare_number)
    if doc_id is None:
        accepted = "D-123 (as printed under the QR code) or 123" if bare_number else "D-123"
        raise InputRefused([error(field, "not-a-document-ref",
                                  f"'{text.strip()}' is not a document number; write it as {accepted}.")])
    return repo.get_document(ctx.store.db, doc_id)


def get_document(ctx: AppContext, doc_id: int) -> StoredDocument:
    """One row of the document log; NotFound for an unknown id."""
    doc = repo.get_document(ctx.store.db, doc_id)
    if doc is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    return doc


def _stored_bytes(ctx: AppContext, doc_id: int) -> bytes:
    get_document(ctx, doc_id)
    try:
        return repo.get_pdf(ctx.store.db, doc_id)
    except repo.DocumentStoreError as exc:
        raise OperationFailed(f"Document {doc_id} cannot be used: {exc}.") from exc


def _audit(ctx: AppContext, doc_id: int, action: str, **details: str | int) -> None:
    with ctx.store.write() as db:
        repo.record_use(db, doc_id, action=action, operator=ctx.operator, details=dict(details))


def write_file(ctx: AppContext, path: Path | str, data: bytes) -> None:
    """Write all of ``data`` to ``path`` or nothing, after ``outputs.check_output_path``."""
    write_output(ctx.data_dir, path, data)


def get_pdf(ctx: AppContext, doc_id: int) -> bytes:
    """A reprint: exactly the stored bytes (checked against their SHA-256), audited 'reprint'."""
    data = _stored_bytes(ctx, doc_id)
    _audit(ctx, doc_id, "reprint")
    return data


def save_pdf(ctx: AppContext, doc_id: int, path: Path | str) -> None:
    """Save a copy of the stored PDF to ``path`` (audited 'save' once the file is written)."""
    check_output_path(ctx.data_dir, path)
    data = _stored_bytes(ctx, doc_id)
    write_file(ctx, path, data)
    _audit(ctx, doc_id, "save", format="pdf")


def fax_tiff(ctx: AppContext, doc_id: int, *, fine: bool = True) -> bytes:
    """The stored PDF as a TIFF Class F image (1-bit G4, 1728 px wide)."""
    from k2desk.documents.fax_image import pdf_to_fax_tiff

    return pdf_to_fax_tiff(_stored_bytes(ctx, doc_id), fine=fine)


def fax_image(ctx: AppContext, doc_id: int, path: Path | str, *, fine: bool = True) -> None:
    """Save the stored document as a fax TIFF to ``path`` (audited 'save', format tiff)."""
    check_output_path(ctx.data_dir, path)
    write_file(ctx, path, fax_tiff(ctx, doc_id, fine=fine))
    _audit(ctx, doc_id, "save", format="tiff-class-f")


def _reference(doc: StoredDocument) -> str:
    return document_reference(doc.id, doc.source_table, doc.source_id)


def create_cover_sheet(ctx: AppContext, doc_id: int, to_fax: str, *, to_name: str = "",
                       to_organisation: str = "", to_phone: str = "", note: str = "",
                       today: dt.date | None = None) -> tuple[int, bytes]:
    """Render and store a fax cover sheet for a stored document; return (cover document id, PDF).

    Total pages count the cover itself; the reference is the order or document id. For an order
    faxed to its prescriber's fax number, the prescriber's name is filled in when not given.
    """
    from k2desk.documents.fonts import check_printable

    doc = get_document(ctx, doc_id)
    fax_e164, issues = normalise_phone(to_fax, "to_fax", label="Fax number")
    if not to_fax.strip():
        issues.append(error("to_fax", "required", "Give the fax number to send to."))
    phone_e164, phone_issues = normalise_phone(to_phone, "to_phone", label="Phone")
    issues += phone_issues
    for key, label, value in (("to_name", "To (name)", to_name),
                              ("to_organisation", "Organisation", to_organisation),
                              ("note", "Note", note)):
        found = check_text(value, key, label=label, max_length=1000, multiline=key == "note")
        issues += found or check_printable(value, key, label)
    profile = pharmacy_profile(ctx)
    issues += cover_settings_issues(profile)
    if issues:
        raise InputRefused(issues)
    if doc.source_table == "orders" and not to_name.strip():
        order = orders_repo.get_order(ctx.store.db, doc.source_id)
        if order is not None and normalise_phone(order.values.get("prescriber.fax", ""))[0] == fax_e164:
            to_name = order.values.get("prescriber.name", "")
            to_phone = to_phone or order.values.get("prescriber.phone", "")
            phone_e164 = normalise_phone(to_phone)[0]
    doc_pages = doc.pages or count_pages(_stored_bytes(ctx, doc_id))
    pdf = render_cover(profile, paper_size(ctx), day=today or dt.date.today(),
                       to_fax=format_phone(fax_e164), reference=_reference(doc), doc_pages=doc_pages,
                       to_name=to_name.strip(), to_organisation=to_organisation.strip(),
                       to_phone=format_phone(phone_e164), note=note.strip())
    with ctx.store.write() as db:
        cover_id = repo.store_document(db, kind=DocumentKind.FAX_COVER.value, patient_id=doc.patient_id,
                                       source_table="documents", source_id=doc.id, pdf=pdf,
                                       title=f"Fax cover for document {doc.id}", operator=ctx.operator,
                                       pages=count_pages(pdf))
    return cover_id, pdf


def cover_sheet(ctx: AppContext, doc_id: int, to_fax: str, to_name: str = "", *,
                to_organisation: str = "", to_phone: str = "", note: str = "") -> bytes:
    """The fax cover sheet's PDF bytes (stored in the log as a 'fax-cover' document)."""
    return create_cover_sheet(ctx, doc_id, to_fax, to_name=to_name, to_organisation=to_organisation,
                              to_phone=to_phone, note=note)[1]
