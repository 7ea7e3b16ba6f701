"""What every document render needs from the settings, and small facts about PDFs."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from k2desk.domain.documents import PaperSize, PharmacyProfile
from k2desk.domain.issues import FieldIssue
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
