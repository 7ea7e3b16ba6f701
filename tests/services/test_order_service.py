"""Compound orders end to end through the service: checks, overrides with reasons, warfarin
acknowledgement, saved rows rendered, stored PDF, status workflow."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from doc_helpers import pdf_text, table_counts
from k2desk.services import documents as doc_svc
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.storage import audit


def test_create_order_stores_rows_and_pdf(ctx: AppContext, plain_patient: int,
                                          order_data: dict[str, Any]) -> None:
    before = table_counts(ctx)
    order_id, doc_id = svc.create_order(ctx, plain_patient, order_data, {})
    order = svc.get_order(ctx, order_id)
    assert order.status == "draft"
    assert order.values["patient.name"] == "Ana Souza"  # from the record, not the file
    assert order.values["patient.allergies"] == "NKDA (no known drug allergies)"
    assert order.values["prescriber.npi"] == "1234567893"
    assert order.values["compound.daw"] == "no"
    assert "no vitamin K interactions" in order.values["pharmacy_use.interaction_review"]
    assert [ln.ingredient for ln in order.lines] == ["MK-4 (menatetrenone)"]
    doc = doc_svc.get_document(ctx, doc_id)
    assert (doc.kind, doc.source_table, doc.source_id) == ("order", "orders", order_id)
    pdf = doc_svc.get_pdf(ctx, doc_id)
    assert hashlib.sha256(pdf).hexdigest() == doc.sha256
    assert doc_svc.get_pdf(ctx, doc_id) == pdf  # a reprint is the stored bytes
    text = pdf_text(pdf)
    for expected in ("Ana Souza", "1956", "Dr. Maria Lopez", "1234567893", "MK-4 (menatetrenone)",
                     "Take 1 capsule by mouth three times daily", "M81.0"):
        assert expected in text, expected
    after = table_counts(ctx)
    assert after["orders"] == before["orders"] + 1
    assert after["order_lines"] == before["order_lines"] + 1
    assert after["documents"] == before["documents"] + 1
    assert after["prescribers"] == before["prescribers"] + 1
    assert [d.id for d in svc.order_documents(ctx, order_id)] == [doc_id]
    # the same prescriber again reuses the row
    svc.create_order(ctx, plain_patient, order_data, {})
    assert table_counts(ctx)["prescribers"] == after["prescribers"]


def test_bad_npi_needs_override_with_reason(ctx: AppContext, plain_patient: int,
                                            order_data: dict[str, Any]) -> None:
    order_data["prescriber"]["npi"] = "1234567890"
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, plain_patient, order_data, {})
    [issue] = exc.value.issues
    assert issue.field == "prescriber.npi" and "--override prescriber.npi=REASON" in issue.message
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, plain_patient, order_data, {"prescriber.npi": "  "})
    assert "needs a reason" in str(exc.value)
    assert table_counts(ctx) == before

    order_id, doc_id = svc.create_order(ctx, plain_patient, order_data,
                                        {"prescriber.npi": "Checked on NPPES registry"})
    order = svc.get_order(ctx, order_id)
    assert [(o.field, o.reason, o.operator) for o in order.overrides] == [
        ("prescriber.npi", "Checked on NPPES registry", "test-rph")]
    row = ctx.store.conn.execute("SELECT entity, entity_id, field, reason FROM overrides").fetchone()
    assert tuple(row) == ("order", order_id, "prescriber.npi", "Checked on NPPES registry")
    events = [e for e, _ in audit.iter_events(ctx.store.db) if e.action == "override"]
    assert [e.details["field"] for e in events] == ["prescriber.npi"]
    text = pdf_text(doc_svc.get_pdf(ctx, doc_id))
    assert "Checked on NPPES registry" in text


def test_dose_above_limit_warns_and_override_prints(ctx: AppContext, plain_patient: int,
                                                    order_data: dict[str, Any]) -> None:
    order_data["ingredients"] = [{"ingredient": "MK-4 (menatetrenone)", "strength": 45, "unit": "mg"}]
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, plain_patient, order_data)
    [issue] = exc.value.issues
    assert issue.field == "ingredients.1.strength" and "135 mg a day" in issue.message
    assert table_counts(ctx) == before
    order_id, doc_id = svc.create_order(ctx, plain_patient, order_data,
                                        {"ingredients.1.strength": "Hepatology protocol, Dr Lopez"})
    assert svc.get_order(ctx, order_id).lines[0].strength == "45"
    assert "Hepatology protocol" in pdf_text(doc_svc.get_pdf(ctx, doc_id))


def test_errors_are_not_overridable_and_all_reported(ctx: AppContext, plain_patient: int,
                                                     order_data: dict[str, Any]) -> None:
    order_data["compound"]["refills"] = 12
    order_data["compound"]["dosage_form"] = "pill"
    order_data["prescriber"]["date_written"] = "2026-02-30"
    order_data["patient"]["name"] = "Someone Else"
    order_data["pharmacy_use"] = {"status": "dispensed"}
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, plain_patient, order_data,
                         {"compound.refills": "prescriber said so", "nonsense.key": "x"})
    fields = {i.field for i in exc.value.issues}
    assert {"compound.refills", "compound.dosage_form", "prescriber.date_written", "patient.name",
            "pharmacy_use", "nonsense.key"} <= fields
    assert table_counts(ctx) == before


def test_unprintable_character_is_refused(ctx: AppContext, plain_patient: int,
                                          order_data: dict[str, Any]) -> None:
    order_data["compound"]["base"] = "Base \U0001D11E clef"  # musical symbol: no bundled font
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, plain_patient, order_data)
    assert [i.field for i in exc.value.issues] == ["compound.base"]
    assert "1D11E" in exc.value.issues[0].message.upper()
    assert table_counts(ctx) == before


MK4_APPROVED = {"ingredients.1.ingredient": "approved by Dr. Maria Lopez, reached by phone"}


def test_warfarin_order_blocked_then_reviewed(ctx: AppContext, warfarin_patient: int,
                                              order_data: dict[str, Any]) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, warfarin_patient, order_data)
    # The example's MK-4 line is contraindicated in the labeling for a warfarin patient (issue 13).
    assert [i.field for i in exc.value.issues] == ["ingredients.1.ingredient", "ack_by"]
    assert table_counts(ctx) == before
    order_id, doc_id = svc.create_order(ctx, warfarin_patient, order_data, MK4_APPROVED,
                                        ack_by="RPh Dana Lee",
                                        ack_reason="Prescriber aware; INR check in 1 week",
                                        ack_contact="phone", ack_contact_note="Dr Lopez's nurse")
    order = svc.get_order(ctx, order_id)
    assert len(order.acknowledgement_ids) == 1
    assert order.interactions[0].acknowledged_by == "RPh Dana Lee"
    assert order.interactions[0].ack_contact == "phone"
    review = order.values["pharmacy_use.interaction_review"]
    assert "Reviewed by Dana Lee, pharmacist, " in review  # the role once, never "RPh RPh"
    text = " ".join(pdf_text(doc_svc.get_pdf(ctx, doc_id)).split())  # lines may wrap anywhere
    assert "Reviewed by Dana Lee, pharmacist, " in text
    assert "RPh" not in text
    assert "reached by phone (Dr Lopez's nurse)" in text
    assert "Penicillin" in text


def test_patient_without_allergy_answer_is_refused(ctx: AppContext, pharmacy: None,
                                                   order_data: dict[str, Any]) -> None:
    # A patient stored before NKDA was required: no allergies, no NKDA.
    with ctx.store.write() as db:
        pid = db.execute("INSERT INTO patients (name, dob, nkda, created_at, created_by, updated_at)"
                         " VALUES ('Old Record', '1940-01-01', 0, 'x', 'x', 'x')").lastrowid
    with pytest.raises(InputRefused) as exc:
        svc.create_order(ctx, int(pid or 0), order_data)
    assert [i.field for i in exc.value.issues] == ["patient.allergies"]


def test_status_workflow(ctx: AppContext, plain_patient: int, order_data: dict[str, Any]) -> None:
    order_id, _ = svc.create_order(ctx, plain_patient, order_data)
    with pytest.raises(InputRefused) as exc:
        svc.order_status(ctx, order_id, "dispensed")
    assert exc.value.issues[0].code == "not_signed"
    svc.order_status(ctx, order_id, "sent-for-signature", "faxed to Dr Lopez")
    with pytest.raises(InputRefused) as exc:
        svc.order_status(ctx, order_id, "signed-original-received")
    assert exc.value.issues[0].field == "note"
    o = svc.order_status(ctx, order_id, "signed-original-received", "Fax from prescriber's office")
    assert o.values["pharmacy_use.signed_original_received"] == "Fax from prescriber's office"
    assert o.values["pharmacy_use.signed_original_received_on"]
    svc.order_status(ctx, order_id, "compounded")
    o = svc.order_status(ctx, order_id, "dispensed")
    assert o.status == "dispensed" and o.values["pharmacy_use.status"] == "dispensed"
    with pytest.raises(InputRefused):
        svc.order_status(ctx, order_id, "cancelled")
    moves = [e.details for e, _ in audit.iter_events(ctx.store.db) if e.action == "status"]
    assert [m["to"] for m in moves] == ["sent-for-signature", "signed-original-received",
                                        "compounded", "dispensed"]
    with pytest.raises(NotFound):
        svc.order_status(ctx, 999, "cancelled")


def test_cover_sheet_for_order(ctx: AppContext, plain_patient: int, order_data: dict[str, Any]) -> None:
    order_id, doc_id = svc.create_order(ctx, plain_patient, order_data)
    doc_pages = doc_svc.get_document(ctx, doc_id).pages
    cover_id, pdf = doc_svc.create_cover_sheet(ctx, doc_id, "(817) 860-6083")
    text = pdf_text(pdf)
    assert f"Order {order_id}" in text
    assert "Ana Souza" not in text
    assert "Dr. Maria Lopez" in text  # the order's prescriber fax matches
    assert str(doc_pages + 1) in text
    cover = doc_svc.get_document(ctx, cover_id)
    assert cover.kind == "fax-cover" and cover.source_id == doc_id
    with pytest.raises(InputRefused) as exc:
        doc_svc.create_cover_sheet(ctx, doc_id, "12")
    assert exc.value.issues[0].field == "to_fax"


def test_render_failure_rolls_back_everything(ctx: AppContext, warfarin_patient: int,
                                              order_data: dict[str, Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: the renderer fails after the order, its acknowledgement and overrides
    # were written inside the transaction; none of it may stay.
    import k2desk.documents.order_form as order_form

    def broken(*args: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(order_form, "render_order", broken)
    order_data["prescriber"]["npi"] = "1234567890"
    before = table_counts(ctx)
    with pytest.raises(RuntimeError):
        svc.create_order(ctx, warfarin_patient, order_data,
                         {"prescriber.npi": "checked", **MK4_APPROVED},
                         ack_by="Dana Lee", ack_reason="clinic told", ack_contact="fax")
    assert table_counts(ctx) == before


def test_stored_order_rerenders_to_the_stored_bytes(ctx: AppContext, plain_patient: int,
                                                    order_data: dict[str, Any]) -> None:
    from k2desk.documents.order_form import render_order
    from k2desk.services.rendering import paper_size, pharmacy_profile

    order_id, doc_id = svc.create_order(ctx, plain_patient, order_data)
    record = svc.order_record(svc.get_order(ctx, order_id), document_id=doc_id,
                              profile=pharmacy_profile(ctx), paper=paper_size(ctx))
    assert render_order(record, svc.order_form()) == doc_svc.get_pdf(ctx, doc_id)


def test_order_links_prescriber_for_the_fax_outbox(ctx: AppContext, plain_patient: int,
                                                   order_data: dict[str, Any]) -> None:
    order_id, _ = svc.create_order(ctx, plain_patient, order_data)
    row = ctx.store.conn.execute(
        "SELECT p.name, p.fax, p.npi FROM orders o JOIN prescribers p ON p.id = o.prescriber_id"
        " WHERE o.id=?", [order_id]).fetchone()
    assert tuple(row) == ("Dr. Maria Lopez", "+18178606083", "1234567893")


def test_codes_and_phones_stored_one_way(ctx: AppContext, plain_patient: int,
                                         order_data: dict[str, Any]) -> None:
    order_data["patient"]["icd10"] = "m81.0"
    order_data["prescriber"]["phone"] = "817.555.0142"
    order_data["prescriber"]["fax"] = "+1 817 860 6083"
    order_id, _ = svc.create_order(ctx, plain_patient, order_data)
    values = svc.get_order(ctx, order_id).values
    assert values["patient.icd10"] == "M81.0"
    assert values["prescriber.phone"] == "(817) 555-0142"
    assert values["prescriber.fax"] == "(817) 860-6083"


def test_paper_size_setting_reaches_order_and_handout(ctx: AppContext, plain_patient: int,
                                                      order_data: dict[str, Any]) -> None:
    import io

    from pypdf import PdfReader

    from k2desk.services import handouts
    from k2desk.services.settings import set_settings

    def size(doc_id: int) -> tuple[int, int]:
        box = PdfReader(io.BytesIO(doc_svc.get_pdf(ctx, doc_id))).pages[0].mediabox
        return round(float(box.width)), round(float(box.height))

    _, letter_doc = svc.create_order(ctx, plain_patient, order_data)
    assert size(letter_doc) == (612, 792)
    set_settings(ctx, {"print.paper_size": "a4"})
    _, a4_doc = svc.create_order(ctx, plain_patient, order_data)
    assert size(a4_doc) == (595, 842)
    assert size(handouts.create_handout(ctx, plain_patient, topics=["bone"])) == (595, 842)
