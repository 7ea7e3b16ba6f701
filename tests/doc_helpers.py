"""Helpers for the handout/order/document tests: patients with and without a warfarin-type drug,
the pharmacy profile, the example order file, table counts and PDF text."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from pypdf import PdfReader

from k2desk.resources import form_path
from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient
from k2desk.services.settings import set_settings

# Tables a refused create must leave untouched.
WRITE_TABLES = ("orders", "order_lines", "overrides", "handouts", "documents", "pdf_blobs",
                "acknowledgements", "acknowledgement_links", "audit_events", "prescribers")


def table_counts(ctx: AppContext) -> dict[str, int]:
    return {t: ctx.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in WRITE_TABLES}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def setup_pharmacy(ctx: AppContext) -> None:
    set_settings(ctx, {"pharmacy.name": "Summit Compounding", "pharmacy.phone": "(817) 555-0100",
                       "pharmacy.fax": "(817) 555-0101", "pharmacy.address": "1 Main St, Fort Worth"})


def add_plain_patient(ctx: AppContext, name: str = "Ana Souza") -> int:
    return add_patient(ctx, PatientInput(name=name, dob="1956-03-14", nkda=True,
                                         medications=["Metformin 500 mg twice daily"]),
                       allow_duplicate=True)


def add_warfarin_patient(ctx: AppContext, name: str = "Walter Ng") -> int:
    return add_patient(ctx, PatientInput(name=name, dob="1948-07-01", allergies=["Penicillin"],
                                         medications=["Coumadin 5 mg daily", "Lisinopril 10 mg"]),
                       allow_duplicate=True)


def example_order() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        form_path("examples/compound_order_example.json").read_text("utf-8"))
    return copy.deepcopy(data)


def mk7_order() -> dict[str, Any]:
    """The example order with an MK-7 line instead of MK-4: for a patient on warfarin it needs
    an acknowledgement, but not the MK-4 contraindication override (issue #13)."""
    data = example_order()
    data["ingredients"] = [{"ingredient": "MK-7 (menaquinone-7)", "strength": "180", "unit": "mcg"}]
    data["compound"]["quantity"] = "30"
    data["compound"]["sig"] = "Take 1 capsule by mouth once daily."
    return data
