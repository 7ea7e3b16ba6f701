"""What a renderer is given: complete, frozen records built by services from the stored data.

A renderer takes one of these and returns PDF bytes; it never reads the database or a widget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class PaperSize(StrEnum):
    LETTER = "letter"
    A4 = "a4"


class DocumentKind(StrEnum):
    HANDOUT = "handout"
    ORDER = "order"
    FAX_COVER = "fax-cover"


@dataclass(frozen=True, slots=True)
class PharmacyProfile:
    name: str = ""
    address: str = ""
    phone: str = ""  # as printed (national format)
    fax: str = ""
    npi: str = ""


@dataclass(frozen=True, slots=True)
class InteractionNotice:
    """One interaction finding as the document prints it."""

    severity: str  # major | moderate | minor | info
    agent: str  # the generic name, e.g. "warfarin"
    medication_as_typed: str
    certainty: str  # exact | possible
    patient_message: str
    acknowledged_by: str = ""
    ack_reason: str = ""
    ack_at: str = ""
    ack_role: str = ""  # "pharmacist": printed once after the name
    ack_contact: str = ""  # order: how the prescriber/clinic was reached (domain.roles.CONTACT_METHODS)
    ack_contact_note: str = ""


@dataclass(frozen=True, slots=True)
class HandoutItem:
    """One vetted snippet in the handout, with its plain evidence label and citation numbers."""

    snippet_id: str
    version: int
    text: str
    evidence_label: str
    citation_numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HandoutSection:
    question: str  # e.g. "What do studies show?"
    items: tuple[HandoutItem, ...]


@dataclass(frozen=True, slots=True)
class FoodRow:
    food: str
    serving: str
    form: str  # MK-4, MK-7, ...
    amount: str  # e.g. "about 850 µg"


@dataclass(frozen=True, slots=True)
class HandoutRecord:
    document_id: int
    created_on: dt.date
    pharmacy: PharmacyProfile
    patient_name: str
    patient_dob: dt.date
    title: str
    sections: tuple[HandoutSection, ...]
    citations: tuple[str, ...]  # formatted; number = index + 1
    foods: tuple[FoodRow, ...] = ()
    interactions: tuple[InteractionNotice, ...] = ()
    counselled_by: str = ""
    language: str = "en"
    paper_size: PaperSize = PaperSize.LETTER
    large_print: bool = False  # body text 14 pt instead of 12 pt
    # Patient text of each labelled VKA contraindication of an ingredient this handout's
    # snippets talk about (MK-4), printed in the VKA box; only for a patient with a major finding.
    contraindications: tuple[str, ...] = ()
    # Every fixed text of the page in ``language`` (dotted keys, from the language's template
    # file, issue 25): stored with the record so the handout renders from what was printed.
    template: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OrderLine:
    ingredient: str
    strength: str
    unit: str


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """A compound order as stored: ``values`` keyed by the form definition's dotted keys."""

    document_id: int
    order_id: int
    created_on: dt.date
    pharmacy: PharmacyProfile
    values: dict[str, str]
    lines: tuple[OrderLine, ...]
    interactions: tuple[InteractionNotice, ...] = ()
    overrides: tuple[tuple[str, str, str], ...] = ()  # (field key, reason, operator)
    status: str = "draft"
    paper_size: PaperSize = PaperSize.LETTER
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FaxCoverRecord:
    created_on: dt.date
    to_name: str
    to_fax: str
    from_pharmacy: PharmacyProfile
    total_pages: int  # including the cover
    reference: str  # the order or document id, never a patient's name
    to_organisation: str = ""
    to_phone: str = ""
    note: str = ""
    paper_size: PaperSize = PaperSize.LETTER
