"""Issue 13: a labelled contraindication (MK-4 with a VKA) on orders and handouts, and the whole
VKA box on every handout of a patient on a blood thinner. Real SQLite, real PDFs, text extracted."""

from __future__ import annotations

from typing import Any

import pytest

from doc_helpers import pdf_text, table_counts
from k2desk.documents.vka_box import PRESCRIBER_PARAGRAPHS
from k2desk.library.languages import load_template
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as handout_svc
from k2desk.services import library as library_svc
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.patients import PatientInput, add_patient

KEY = "ingredients.1.ingredient"
APPROVED = {KEY: "approved by Dr. Maria Lopez, reached by phone at 14:10"}
# Each handout and each order needs its own acknowledgement (issue 12); an order's says how the
# prescriber or clinic was reached. Handouts ignore the contact.
ACK = {"ack_by": "Dana Lee", "ack_reason": "Prescriber aware; INR check in 1 week"}
ORDER_ACK = {**ACK, "ack_contact": "phone"}


def flat(pdf: bytes) -> str:
    """PDF text with line breaks folded to spaces (a sentence may wrap anywhere)."""
    return " ".join(pdf_text(pdf).split())


def patient_with(ctx: AppContext, *meds: str) -> int:
    return add_patient(ctx, PatientInput(name="Rosa Diaz", dob="1950-02-02", nkda=True,
                                         medications=list(meds)))


@pytest.mark.parametrize("med", ["Coumadin 5 mg daily",  # exact VKA
                                 "warfarine 3 mg",  # possible match, still to confirm
                                 "blood thinner, name unknown"])  # unnamed anticoagulant
def test_mk4_order_is_refused_for_any_major_vka_finding(ctx: AppContext, pharmacy: None,
                                                       order_data: dict[str, Any],
                                                       med: str) -> None:
    pid = patient_with(ctx, med)
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, pid, order_data, **ORDER_ACK)
    issue = next(i for i in exc.value.issues if i.field == KEY)
    assert issue.code == "contraindicated"
    assert "contraindicated in the product labeling" in issue.message
    assert "approved by" in issue.message  # says what the override must contain
    assert table_counts(ctx) == before


@pytest.mark.parametrize("reason", ["prescriber says fine", "approved by Dr. Lopez",
                                    "reached by phone", "approved by , reached by fax"])
def test_an_override_must_say_who_approved_and_how_reached(ctx: AppContext, warfarin_patient: int,
                                                           order_data: dict[str, Any],
                                                           reason: str) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, warfarin_patient, order_data, {KEY: reason}, **ORDER_ACK)
    assert [i.code for i in exc.value.issues if i.field == KEY] == ["approval_incomplete"]
    assert table_counts(ctx) == before


def test_approved_mk4_order_prints_the_contraindication_and_who_approved(
        ctx: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    order_id, doc_id = svc.create_order(ctx, warfarin_patient, order_data, APPROVED, **ORDER_ACK)
    order = svc.get_order(ctx, order_id)
    assert [(o.field, o.operator) for o in order.overrides] == [(KEY, ctx.operator)]
    text = flat(doc_svc.get_pdf(ctx, doc_id))
    assert ("MK-4 (menatetrenone) 15 mg: Contraindicated in the product labeling (Glakay "
            "(menatetrenone) 15 mg capsules, Eisai, Japan) with a vitamin K antagonist — approved "
            "by Dr. Maria Lopez, reached by phone at 14:10; override recorded by "
            f"{ctx.operator}.") in text
    # The order's warning box carries the patient box's content in the prescriber's words.
    assert "MAJOR INTERACTION: vitamin K2 and warfarin" in text
    for lead, body in PRESCRIBER_PARAGRAPHS:
        assert f"{lead} {body}" in text
    assert "call 911" in text


def test_mk4_order_for_a_patient_without_a_vka_needs_no_approval(
        ctx: AppContext, plain_patient: int, order_data: dict[str, Any]) -> None:
    _, doc_id = svc.create_order(ctx, plain_patient, order_data)
    text = flat(doc_svc.get_pdf(ctx, doc_id))
    assert "Contraindicated" not in text and "MAJOR INTERACTION" not in text


def test_check_order_shows_the_warning_before_saving(ctx: AppContext, warfarin_patient: int,
                                                    order_data: dict[str, Any]) -> None:
    # The order page lists check_order's warnings live, each with an Override button.
    _, _, issues = svc.check_order(ctx, warfarin_patient, order_data)
    assert [(i.field, i.code) for i in issues if i.field == KEY] == [(KEY, "contraindicated")]


def _topics(ctx: AppContext) -> list[str]:
    return sorted({t for s in library_svc.usable_snippets(ctx) for t in s.topics})


def test_every_single_topic_handout_carries_the_whole_vka_box(ctx: AppContext,
                                                              warfarin_patient: int) -> None:
    topics = _topics(ctx)
    assert len(topics) >= 8
    for topic in topics:
        doc_id = handout_svc.create_handout(ctx, warfarin_patient, topics=[topic], **ACK)
        text = flat(doc_svc.get_pdf(ctx, doc_id))
        assert "MAJOR INTERACTION: vitamin K2 and warfarin" in text, topic
        for lead, body in load_template("en").pairs("vka.paragraphs"):
            assert f"{lead} {body}" in text, (topic, lead)
        assert "anticoagulation clinic" not in text, topic  # one clinic name for the patient


def test_mk4_snippets_put_the_contraindication_in_the_box(ctx: AppContext,
                                                          warfarin_patient: int) -> None:
    with_mk4 = handout_svc.create_handout(ctx, warfarin_patient, topics=["liver-cancer"], **ACK)
    text = flat(doc_svc.get_pdf(ctx, with_mk4))
    assert "MK-4 is not for you without a doctor's OK. The maker of the MK-4 medicine sold in " \
           "Japan says it must not be taken with warfarin." in text
    without = handout_svc.create_handout(ctx, warfarin_patient, topics=["population"], **ACK)
    assert "must not be taken with warfarin" not in flat(doc_svc.get_pdf(ctx, without))


def test_plain_patient_handout_has_no_vka_box_and_no_contraindication(
        ctx: AppContext, plain_patient: int) -> None:
    doc_id = handout_svc.create_handout(ctx, plain_patient, topics=["liver-cancer"])
    text = flat(doc_svc.get_pdf(ctx, doc_id))
    assert "MAJOR INTERACTION" not in text and "must not be taken with warfarin" not in text
