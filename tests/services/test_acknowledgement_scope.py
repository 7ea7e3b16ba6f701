"""One acknowledgement, one document (issue #12): an acknowledgement given with a handout does
not let an order through and the other way round; a pending one is used once, lapses at the
end of the local day and does not survive a medication change; an order's acknowledgement
stores and prints how the prescriber or clinic was reached."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from doc_helpers import mk7_order, pdf_text, table_counts
from k2desk.services import documents as doc_svc
from k2desk.services import handouts, orders
from k2desk.services import interactions as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.patients import PatientInput, get_patient, update_patient

WHY = "Clinic aware; INR in 1 week"



@pytest.fixture
def order_data() -> dict[str, Any]:
    """An MK-7 order: it needs the acknowledgement, not the MK-4 contraindication override."""
    return mk7_order()

def _pending(ctx: AppContext, pid: int, **kw: Any) -> list[int]:
    return svc.acknowledge(ctx, pid, svc.findings_for_patient(ctx, pid), "Dana Lee", WHY, **kw)


def _refused_code(call: Any) -> str:
    with pytest.raises(InputRefused) as exc:
        call()
    return exc.value.issues[0].code


def test_a_handout_acknowledgement_does_not_let_an_order_through(
        ctx: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    doc = handouts.create_handout(ctx, warfarin_patient, topics=["interactions"],
                                  ack_by="Dana Lee", ack_reason=WHY)
    [ack_id] = handouts.get_handout(ctx, doc_svc.get_document(ctx, doc).source_id).acknowledgement_ids
    assert svc.get_acknowledgement(ctx, ack_id).purpose == "handout"
    before = table_counts(ctx)
    assert _refused_code(lambda: orders.create_order(ctx, warfarin_patient, order_data)) \
        == "interaction_unacknowledged"
    assert table_counts(ctx) == before
    assert svc.acknowledgement_used_by(ctx, ack_id) == [("handout", doc_svc.get_document(ctx, doc).source_id)]


def test_an_order_acknowledgement_does_not_let_a_handout_through(
        ctx: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    order_id, _ = orders.create_order(ctx, warfarin_patient, order_data, ack_by="Dana Lee",
                                      ack_reason=WHY, ack_contact="phone")
    [ack_id] = orders.get_order(ctx, order_id).acknowledgement_ids
    assert svc.get_acknowledgement(ctx, ack_id).purpose == "order"
    assert _refused_code(lambda: handouts.create_handout(ctx, warfarin_patient,
                                                         topics=["interactions"])) \
        == "interaction_unacknowledged"
    # nor a second order
    assert _refused_code(lambda: orders.create_order(ctx, warfarin_patient, order_data)) \
        == "interaction_unacknowledged"


def test_a_pending_acknowledgement_is_used_once(ctx: AppContext, warfarin_patient: int) -> None:
    [ack_id] = _pending(ctx, warfarin_patient)
    assert svc.get_acknowledgement(ctx, ack_id).purpose == "pending"
    assert [a.id for a in svc.current_acknowledgement(ctx, warfarin_patient) or []] == [ack_id]
    doc = handouts.create_handout(ctx, warfarin_patient, topics=["interactions"])
    handout = handouts.get_handout(ctx, doc_svc.get_document(ctx, doc).source_id)
    assert handout.acknowledgement_ids == (ack_id,)
    assert "Dana Lee, pharmacist" in " ".join(pdf_text(doc_svc.get_pdf(ctx, doc)).split())
    assert svc.current_acknowledgement(ctx, warfarin_patient) is None
    assert _refused_code(lambda: handouts.create_handout(ctx, warfarin_patient, topics=["safety"])) \
        == "interaction_unacknowledged"


def test_a_pending_acknowledgement_lapses_at_the_end_of_the_local_day(
        ctx: AppContext, warfarin_patient: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC).replace(tzinfo=None)
        late_local = late.replace(tzinfo=dt.timezone(dt.timedelta(hours=-6)))
        # 23:30 in Chicago (UTC-6 in November) lapses at 00:00 Chicago = 06:00 UTC
        assert svc.end_of_local_day(late_local) == "2026-12-01T06:00:00.000000+00:00"
        [ack_id] = _pending(ctx, warfarin_patient)
        expires = svc.get_acknowledgement(ctx, ack_id).expires_at
        local_expiry = dt.datetime.fromisoformat(expires).astimezone()
        assert (local_expiry.hour, local_expiry.minute) == (0, 0)
        assert local_expiry.date() == dt.datetime.now().astimezone().date() + dt.timedelta(days=1)
        just_before = (dt.datetime.fromisoformat(expires) - dt.timedelta(seconds=1)).isoformat()
        assert svc.current_acknowledgement(ctx, warfarin_patient, now=just_before) is not None
        assert svc.current_acknowledgement(ctx, warfarin_patient, now=expires) is None
        # a document made after midnight does not use it
        monkeypatch.setattr(svc, "now_iso", lambda: expires)
        assert _refused_code(lambda: handouts.create_handout(ctx, warfarin_patient,
                                                             topics=["interactions"])) \
            == "interaction_unacknowledged"
        assert svc.acknowledgement_used_by(ctx, ack_id) == []
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_changed_medication_line_needs_a_new_acknowledgement(
        ctx: AppContext, warfarin_patient: int) -> None:
    _pending(ctx, warfarin_patient)
    p = get_patient(ctx, warfarin_patient)
    update_patient(ctx, warfarin_patient, PatientInput(
        name=p.name, dob=p.dob.isoformat(), allergies=["Penicillin"],
        medications=["Coumadin 7.5 mg daily", "Lisinopril 10 mg"]))
    assert _refused_code(lambda: handouts.create_handout(ctx, warfarin_patient,
                                                         topics=["interactions"])) \
        == "interaction_unacknowledged"


def test_an_order_needs_the_contact_method_and_prints_it(
        ctx: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        orders.create_order(ctx, warfarin_patient, order_data, ack_by="Dana Lee", ack_reason=WHY)
    assert [i.field for i in exc.value.issues] == ["ack_contact"]
    with pytest.raises(InputRefused) as exc:
        orders.create_order(ctx, warfarin_patient, order_data, ack_by="Dana Lee", ack_reason=WHY,
                            ack_contact="carrier pigeon")
    assert exc.value.issues[0].code == "contact_invalid"
    assert "phone, fax, in-person, message, not-reached" in exc.value.issues[0].message
    assert table_counts(ctx) == before
    order_id, doc_id = orders.create_order(
        ctx, warfarin_patient, order_data, ack_by="Dana Lee", ack_reason=WHY,
        ack_contact="not-reached", ack_contact_note="Office closed; left voicemail")
    [ack_id] = orders.get_order(ctx, order_id).acknowledgement_ids
    ack = svc.get_acknowledgement(ctx, ack_id)
    assert (ack.contact_method, ack.contact_note) == ("not-reached", "Office closed; left voicemail")
    text = " ".join(pdf_text(doc_svc.get_pdf(ctx, doc_id)).split())
    assert "NOT REACHED (Office closed; left voicemail)" in text
    assert "Reviewed by Dana Lee, pharmacist, " in text


def test_a_pending_acknowledgement_for_an_order_needs_its_contact(
        ctx: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    _pending(ctx, warfarin_patient)  # no contact method: good for a handout, not an order
    with pytest.raises(InputRefused) as exc:
        orders.create_order(ctx, warfarin_patient, order_data)
    assert [i.field for i in exc.value.issues] == ["ack_contact"]
    [ack_id] = _pending(ctx, warfarin_patient, contact="fax", contact_note="to Dr Lopez")
    order_id, doc_id = orders.create_order(ctx, warfarin_patient, order_data)
    assert orders.get_order(ctx, order_id).acknowledgement_ids == (ack_id,)
    text = " ".join(pdf_text(doc_svc.get_pdf(ctx, doc_id)).split())
    assert "reached by fax (to Dr Lopez)" in text


def test_the_review_line_names_the_pharmacist_once(ctx: AppContext, warfarin_patient: int) -> None:
    doc = handouts.create_handout(ctx, warfarin_patient, topics=["interactions"],
                                  ack_by="RPh Jane Smith", ack_reason=WHY)
    text = " ".join(pdf_text(doc_svc.get_pdf(ctx, doc)).split())
    assert "Interaction reviewed by Jane Smith, pharmacist, " in text
    assert "RPh" not in text
