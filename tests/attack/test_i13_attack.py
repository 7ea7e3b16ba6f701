"""Attacks on issue 13 (the MK-4 contraindication, the VKA box, the table sign-off): every way a
prescriber writes MK-4 on an order, override reasons that only pretend to name an approval, and
the layout of an approved MK-4 order (issue 14's rule: the whole prescription on the signed
page). Real SQLite, real PDFs read back with pypdf."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from doc_helpers import example_order, setup_pharmacy, table_counts
from k2desk.services import documents as doc_svc
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.doctor import run_doctor
from k2desk.services.errors import InputRefused
from k2desk.services.patients import PatientInput, add_patient
from k2desk.services.settings import set_settings
from k2desk.services.table_signoff import sign_off_table

KEY = "ingredients.1.ingredient"
APPROVED = "approved by Dr. Maria Lopez, reached by phone at 14:10"
ACK: dict[str, Any] = {"ack_by": "Dana Lee", "ack_reason": "Prescriber aware; INR check in 1 week",
                       "ack_contact": "phone"}
MEDS = ["warfarin 5 mg daily", "warfrin 5mg", "blood thinner"]  # exact, possible, unnamed


def patient(ctx: AppContext, med: str) -> int:
    setup_pharmacy(ctx)
    return add_patient(ctx, PatientInput(name="Ann Exact", dob="1950-01-01", nkda=True,
                                         medications=[med]))


def order(ingredient: str = "MK-4 (menatetrenone)", **compound: str) -> dict[str, Any]:
    data = example_order()
    data["ingredients"] = [{"ingredient": ingredient, "strength": "15", "unit": "mg"}]
    data["compound"].update(compound)
    return data


def pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


# --- MK-4 written the ways it is written on an order line ------------------------------------

@pytest.mark.parametrize("med", MEDS)
@pytest.mark.parametrize("ingredient", [
    "menatetrenon", "menatetranone", "Menatetrenome",  # typos of the generic
    "MK-４", "ＭＫ-4", "ＭＫ４",  # full-width, as pasted from a Japanese label
    "MK_4", "M K 4", "M.K.-4", "menaquinone4", "Menaquinone‐4", "Glakey 15mg",
])
def test_mk4_written_any_way_is_refused_without_an_override(ctx: AppContext, med: str,
                                                            ingredient: str) -> None:
    pid = patient(ctx, med)
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, order(ingredient), **ACK)
    assert "contraindicated" in [i.code for i in exc.value.issues if i.field == KEY]
    assert table_counts(ctx) == before


@pytest.mark.parametrize("med", MEDS)
def test_mk4_in_the_base_field_is_refused(ctx: AppContext, med: str) -> None:
    pid = patient(ctx, med)
    data = order("MK-7 (menaquinone-7)", base="MK-4 in MCT oil")
    data["ingredients"][0].update(strength="100", unit="mcg")
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, data, **ACK)
    assert "contraindicated" in [i.code for i in exc.value.issues if i.field == "compound.base"]
    assert table_counts(ctx) == before
    # ... and goes ahead with a real approval, printed on the order.
    _oid, doc = svc.create_order(ctx, pid, data, {"compound.base": APPROVED}, **ACK)
    text = " ".join(pages(doc_svc.get_pdf(ctx, doc)))
    assert "Contraindicated in the product labeling" in text
    assert "approved by Dr. Maria Lopez, reached by phone at 14:10" in text


@pytest.mark.parametrize("ingredient", ["MK-7 (menaquinone-7)", "Vitamin D3", "menaquinone-7",
                                        "Menadione", "Phylloquinone (K1)"])
def test_other_ingredients_are_not_called_mk4(ctx: AppContext, ingredient: str) -> None:
    pid = patient(ctx, "warfarin 5 mg daily")
    data = order(ingredient)
    data["ingredients"][0].update(strength="100", unit="mcg")
    with pytest.raises(InputRefused) as exc:  # still refused: no interaction acknowledgement
        svc.create_order(ctx, pid, data)
    assert "contraindicated" not in [i.code for i in exc.value.issues]


def test_mixed_lines_name_the_mk4_line_only(ctx: AppContext) -> None:
    pid = patient(ctx, "warfarin 5 mg daily")
    data = order()
    data["ingredients"] = [{"ingredient": "MK-7", "strength": "100", "unit": "mcg"},
                           {"ingredient": "Vitamin D3", "strength": "1000", "unit": "units"},
                           {"ingredient": "K2 menaquinone-4", "strength": "15", "unit": "mg"}]
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, data, **ACK)
    assert [i.field for i in exc.value.issues if i.code == "contraindicated"] == [
        "ingredients.3.ingredient"]


# --- override reasons that only pretend --------------------------------------------------------

@pytest.mark.parametrize("reason", [
    "approved by Dr. Lopez, reached by", "approved by Dr. Lopez, reached by   .",
    "approved by n/a, reached by n/a", "approved by N/A, reached by phone",
    "approved by nobody, reached by nothing", "approved by unknown, reached by phone",
    "approved by Dr. Lopez, reached by n/a", "approved by ???, reached by phone",
    "approved by the prescriber, reached by phone", "approved by prescriber, reached by fax",
    "approved by Dr., reached by phone", "approved by MD, reached by phone",
    "approved by xx, reached by xx", "approved by tbd, reached by tbd",
])
def test_placeholder_approvals_are_refused(ctx: AppContext, reason: str) -> None:
    pid = patient(ctx, "warfarin 5 mg daily")
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, order(), {KEY: reason}, **ACK)
    assert "approval_incomplete" in [i.code for i in exc.value.issues if i.field == KEY]
    assert table_counts(ctx) == before


@pytest.mark.parametrize("reason", ["approved by", "approved by ,", "   ", "\t\n",
                                    "approved by -, reached by -", "approved by ., reached by ."])
def test_empty_approvals_are_refused_withstood(ctx: AppContext, reason: str) -> None:
    pid = patient(ctx, "warfarin 5 mg daily")
    before = table_counts(ctx)
    with pytest.raises(InputRefused):
        svc.create_order(ctx, pid, order(), {KEY: reason}, **ACK)
    assert table_counts(ctx) == before


@pytest.mark.parametrize("reason", [APPROVED, "Approved by Dr Kim (covering), reached by fax",
                                    "approved by Dr. O'Neil; reached in person at the clinic"])
def test_real_approvals_go_ahead(ctx: AppContext, reason: str) -> None:
    pid = patient(ctx, "warfarin 5 mg daily")
    svc.create_order(ctx, pid, order(), {KEY: reason}, **ACK)


# --- layout: the box must not push the prescription off the signed page ----------------------

@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("med", MEDS)
@pytest.mark.parametrize("n", [1, 4, 6])
def test_approved_mk4_order_keeps_the_whole_prescription_on_the_signed_page(
        ctx: AppContext, paper: str, med: str, n: int) -> None:
    pid = patient(ctx, med)
    set_settings(ctx, {"print.paper_size": paper})
    data = order()
    data["ingredients"] += [{"ingredient": f"Ingredient {chr(65 + i)}", "strength": "5", "unit": "mg"}
                            for i in range(1, n)]
    data["compound"]["sig"] = ("Take 1 capsule by mouth three times daily with meals.\n"
                               "Swallow whole; do not open or crush.\nStore at room temperature.")
    _oid, doc = svc.create_order(ctx, pid, data, {KEY: APPROVED}, **ACK)
    texts = pages(doc_svc.get_pdf(ctx, doc))
    signed = [i for i, t in enumerate(texts) if "Prescriber's signature" in t]
    assert len(signed) == 1
    page = texts[signed[0]]
    for expected in ("Full name: Ann Exact", "MK-4 (menatetrenone)", "Base or vehicle:",
                     "Directions (sig):", "Store at room temperature", "Refills: 2",
                     "Prescriber name: Dr. Maria Lopez", "NPI: 1234567893"):
        assert expected in page, (expected, signed[0])
    for i in range(1, n):
        assert f"Ingredient {chr(65 + i)}" in page
    # The warning box with the approval is read before the signature, never after it.
    box = next(i for i, t in enumerate(texts) if "MAJOR INTERACTION" in t)
    assert box <= signed[0]
    assert "approved by Dr. Maria Lopez" in " ".join(texts[:signed[0] + 1])


def test_plain_order_without_a_box_still_starts_on_page_one(ctx: AppContext) -> None:
    setup_pharmacy(ctx)
    pid = add_patient(ctx, PatientInput(name="Dee None", dob="1950-01-04", nkda=True,
                                        medications=["lisinopril 10 mg"]))
    data = order("MK-7")
    data["ingredients"][0].update(strength="100", unit="mcg")
    _oid, doc = svc.create_order(ctx, pid, data)
    texts = pages(doc_svc.get_pdf(ctx, doc))
    assert "Prescriber's signature" in texts[0] and "Full name: Dee None" in texts[0]


# --- sign-off ----------------------------------------------------------------------------------

def test_doctor_flags_an_unsigned_table_as_a_warning(ctx: AppContext) -> None:
    check = next(c for c in run_doctor(ctx) if c.name == "interaction table")
    assert "not yet signed off by this pharmacy" in check.detail
    assert check.ok and check.warning  # usable, but it needs the pharmacy's attention
    sign_off_table(ctx, "Dana Lee")
    check = next(c for c in run_doctor(ctx) if c.name == "interaction table")
    assert "signed off by Dana Lee" in check.detail and not check.warning


@pytest.mark.parametrize("reason", ["approved by {op}, reached by phone",
                                    "approved by RPh {op}, reached in person"])
def test_the_pharmacist_recording_the_override_is_not_the_approver(ctx: AppContext, reason: str) -> None:
    ctx.operator = "Dana Lee"  # no operators configured: whoever runs it records the override
    pid = patient(ctx, "warfarin 5 mg daily")
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, order(), {KEY: reason.format(op=ctx.operator)}, **ACK)
    assert "approval_incomplete" in [i.code for i in exc.value.issues if i.field == KEY]
    assert table_counts(ctx) == before
