"""Interaction use cases on a real database: findings, acknowledgement, invalidation, notices."""

from __future__ import annotations

import pytest

from k2desk.domain.interactions import Certainty, InteractionSeverity
from k2desk.services import interactions as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.services.patients import PatientInput, add_patient, get_patient, update_patient
from k2desk.storage.audit import iter_events


def _add(ctx: AppContext, *meds: str) -> int:
    return add_patient(ctx, PatientInput(name="Bo Tester", dob="1948-07-09", nkda=True, medications=meds))


def _set_meds(ctx: AppContext, pid: int, *meds: str) -> None:
    p = get_patient(ctx, pid)
    update_patient(ctx, pid, PatientInput(name=p.name, dob=p.dob.isoformat(), nkda=True, medications=meds))


def test_check_and_table() -> None:
    findings = svc.check(["Coumadin 5 mg daily", "metformin", "Eliquis"])
    assert [(f.agent, f.severity) for f in findings] == [
        ("warfarin", InteractionSeverity.MAJOR), ("apixaban", InteractionSeverity.INFO)]
    assert svc.table().version >= 1


def test_findings_for_patient_uses_current_medications(ctx: AppContext) -> None:
    pid = _add(ctx, "Jantoven 2 mg", "lisinopril 10 mg")
    [f] = svc.findings_for_patient(ctx, pid)
    assert (f.agent, f.input, f.certainty) == ("warfarin", "Jantoven 2 mg", Certainty.EXACT)
    with pytest.raises(NotFound):
        svc.findings_for_patient(ctx, 4242)


def test_acknowledge_stores_one_row_per_major_finding_with_audit(ctx: AppContext) -> None:
    pid = _add(ctx, "Coumadin 5 mg daily", "Sintrom 1mg", "vitamin E 1000 IU")
    findings = svc.findings_for_patient(ctx, pid)
    assert svc.current_acknowledgement(ctx, pid, findings) is None
    ids = svc.acknowledge(ctx, pid, findings, by="  Jane Doe, RPh ", reason="Clinic aware; INR in 1 week")
    assert len(ids) == 2  # the two VKAs, not vitamin E
    acks = [svc.get_acknowledgement(ctx, i) for i in ids]
    assert {a.finding for a in acks} == {"warfarin (as typed: Coumadin 5 mg daily)",
                                        "acenocoumarol (as typed: Sintrom 1mg)"}
    assert {a.operator for a in acks} == {"Jane Doe, RPh"}
    covered = svc.current_acknowledgement(ctx, pid)
    assert covered is not None and sorted(a.id for a in covered) == sorted(ids)
    audit = [e for e, _ in iter_events(ctx.store.db) if e.action == "acknowledge"]
    assert sorted(int(e.entity_id or 0) for e in audit) == sorted(ids)
    assert all(e.operator == "test-rph" for e in audit)
    assert [a.id for a in svc.acknowledgements_for_patient(ctx, pid)] == sorted(ids, reverse=True)
    with pytest.raises(NotFound):
        svc.get_acknowledgement(ctx, 999)


@pytest.mark.parametrize(("by", "reason", "fields"), [
    ("", "ok", ["ack_by"]), ("Jane", "   ", ["ack_reason"]), ("", "", ["ack_by", "ack_reason"]),
    ("Jane\x00", "ok", ["ack_by"]), ("Jane", "line1\nline2", ["ack_reason"]),
])
def test_acknowledge_refuses_blank_or_control_characters_and_writes_nothing(
        ctx: AppContext, by: str, reason: str, fields: list[str]) -> None:
    pid = _add(ctx, "warfarin 5 mg")
    with pytest.raises(InputRefused) as info:
        svc.acknowledge(ctx, pid, svc.findings_for_patient(ctx, pid), by=by, reason=reason)
    assert [i.field for i in info.value.issues] == fields
    assert svc.acknowledgements_for_patient(ctx, pid) == []


def test_acknowledge_requires_a_major_finding(ctx: AppContext) -> None:
    pid = _add(ctx, "Xarelto 20 mg")
    with pytest.raises(InputRefused) as info:
        svc.acknowledge(ctx, pid, svc.findings_for_patient(ctx, pid), by="Jane", reason="ok")
    assert [i.field for i in info.value.issues] == ["findings"]
    assert svc.current_acknowledgement(ctx, pid) == []  # nothing needs acknowledging


def test_changed_medication_list_invalidates_the_acknowledgement(ctx: AppContext) -> None:
    pid = _add(ctx, "Coumadin 5 mg daily")
    svc.acknowledge(ctx, pid, svc.findings_for_patient(ctx, pid), by="Jane", reason="clinic told")
    assert svc.current_acknowledgement(ctx, pid) is not None
    _set_meds(ctx, pid, "Coumadin 5 mg daily", "Marcumar 3 mg")  # a new VKA
    assert svc.current_acknowledgement(ctx, pid) is None
    [missing] = svc.unacknowledged_majors(ctx, pid)
    assert missing.agent == "phenprocoumon"
    _set_meds(ctx, pid, "Coumadin 7.5 mg daily")  # the dose line changed: review again
    assert svc.current_acknowledgement(ctx, pid) is None
    _set_meds(ctx, pid, "Coumadin 5 mg daily")  # back to exactly what was acknowledged
    assert svc.current_acknowledgement(ctx, pid) is not None


def test_stale_findings_passed_in_do_not_hide_a_current_vka(ctx: AppContext) -> None:
    pid = _add(ctx, "metformin")
    stale = svc.findings_for_patient(ctx, pid)
    assert svc.current_acknowledgement(ctx, pid, stale) == []
    _set_meds(ctx, pid, "metformin", "warfarine 5mg")
    assert svc.current_acknowledgement(ctx, pid, stale) is None  # possible major counts too


def test_notices_for_documents(ctx: AppContext) -> None:
    pid = _add(ctx, "Coumadin 5 mg daily", "Questran 4 g", "Eliquis")
    with pytest.raises(InputRefused) as info:
        svc.acknowledgement_notices(ctx, pid)
    assert info.value.issues[0].field == "acknowledgement"
    assert "warfarin (as typed: Coumadin 5 mg daily)" in info.value.issues[0].message
    [ack_id] = svc.acknowledge(ctx, pid, svc.findings_for_patient(ctx, pid), by="Jane RPh",
                               reason="INR check booked")
    ack = svc.get_acknowledgement(ctx, ack_id)
    notices = svc.acknowledgement_notices(ctx, pid)
    assert [(n.severity, n.agent, n.medication_as_typed) for n in notices] == [
        ("major", "warfarin", "Coumadin 5 mg daily"), ("moderate", "cholestyramine", "Questran 4 g"),
        ("info", "apixaban", "Eliquis")]
    major = notices[0]
    assert (major.acknowledged_by, major.ack_reason, major.ack_at) == ("Jane RPh", "INR check booked", ack.at)
    assert major.certainty == "exact" and "INR" in major.patient_message
    assert all(n.acknowledged_by == "" and n.ack_at == "" for n in notices[1:])


def test_notices_with_no_findings_are_empty(ctx: AppContext) -> None:
    pid = _add(ctx, "lisinopril")
    assert svc.acknowledgement_notices(ctx, pid) == []
