"""What every document render needs from the settings, and small facts about PDFs."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from k2desk.documents.page import document_ref
from k2desk.domain.documents import FaxCoverRecord, PaperSize, PharmacyProfile
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.validation import format_phone
from k2desk.services.context import AppContext
from k2desk.storage.settings import load_settings


def pharmacy_profile(ctx: AppContext) -> PharmacyProfile:
    """The letterhead as printed: name, address, phone and fax in national format, NPI."""
    v = load_settings(ctx.store.db)
    return PharmacyProfile(
        name=str(v.get("pharmacy.name", "")), address=str(v.get("pharmacy.address", "")),
        phone=format_phone(str(v.get("pharmacy.phone", "")) or None),
        fax=format_phone(str(v.get("pharmacy.fax", "")) or None), npi=str(v.get("pharmacy.npi", "")))


def paper_size(ctx: AppContext) -> PaperSize:
    return PaperSize(str(load_settings(ctx.store.db).get("print.paper_size", "letter")))


def large_print(ctx: AppContext) -> bool:
    """True when handouts print in large print (14 pt body text) rather than 12 pt."""
    return str(load_settings(ctx.store.db).get("print.handout_text", "standard")) == "large"


def count_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def local_date(stored_at: str) -> dt.date:
    """The calendar day at the counter for a stored UTC timestamp."""
    return dt.datetime.fromisoformat(stored_at).astimezone().date()


def profile_issues(profile: PharmacyProfile) -> list[FieldIssue]:
    """Letterhead text a bundled font cannot print (a setting typed with an odd character)."""
    from k2desk.documents.fonts import check_printable

    return (check_printable(profile.name, "pharmacy.name", "Pharmacy name")
            + check_printable(profile.address, "pharmacy.address", "Pharmacy address"))


def cover_settings_issues(profile: PharmacyProfile) -> list[FieldIssue]:
    """A fax cover must say who sent it and which number to call if pages are missing."""
    return [error(key, "required",
                  f"{label} is not set, and a fax cover sheet must show it; set it with "
                  f"'k2desk settings set {key} VALUE' or on the Settings page.")
            for key, label, value in (("pharmacy.name", "Pharmacy name", profile.name),
                                      ("pharmacy.phone", "Pharmacy phone", profile.phone))
            if not value.strip()]


def document_reference(doc_id: int, source_table: str, source_id: int) -> str:
    """How a fax names a document: the order or document id, never the patient."""
    if source_table == "orders":
        return f"Order {source_id}, document {document_ref(doc_id)}"
    return f"Document {document_ref(doc_id)}"


def render_cover(profile: PharmacyProfile, paper: PaperSize, *, day: dt.date, to_fax: str,
                 reference: str, doc_pages: int, to_name: str = "", to_organisation: str = "",
                 to_phone: str = "", note: str = "") -> bytes:
    """The one way a fax cover is made (printed cover and faxed cover alike); its page count
    includes itself, so a long note that pushes it to two pages is counted."""
    from k2desk.documents.fax_cover import render_fax_cover

    def render(cover_pages: int) -> bytes:
        return render_fax_cover(FaxCoverRecord(
            created_on=day, to_name=to_name, to_fax=to_fax, from_pharmacy=profile,
            total_pages=doc_pages + cover_pages, reference=reference, to_organisation=to_organisation,
            to_phone=to_phone, note=note, paper_size=paper))

    pdf = render(1)
    n = count_pages(pdf)
    return pdf if n == 1 else render(n)
