"""Acknowledgement rows and their audit events, on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient
from k2desk.storage import acknowledgements as repo
from k2desk.storage.audit import iter_events, verify_chain


def _patient(ctx: AppContext) -> int:
    return add_patient(ctx, PatientInput(name="Ann Example", dob="1950-02-03", nkda=True,
                                         medications=["Coumadin 5 mg daily"]))


FINDING = "warfarin (as typed: Coumadin 5 mg daily)"


def test_add_get_list_and_audit_in_one_transaction(ctx: AppContext) -> None:
    pid = _patient(ctx)
    with ctx.store.write() as db:
        first = repo.add_acknowledgement(db, patient_id=pid, finding=FINDING,
                                         severity="major", operator="Jane RPh", reason="clinic told",
                                         recorded_by="test-rph", details={"certainty": "exact"})
        second = repo.add_acknowledgement(db, patient_id=pid, finding=FINDING,
                                          severity="major", operator="Raj RPh", reason="re-checked",
                                          recorded_by="test-rph")
    ack = repo.get_acknowledgement(ctx.store.db, first)
    assert ack is not None
    assert (ack.patient_id, ack.operator, ack.reason, ack.severity) == (
        pid, "Jane RPh", "clinic told", "major")
    assert ack.at.endswith("+00:00")
    assert repo.get_acknowledgement(ctx.store.db, 9999) is None
    assert [a.id for a in repo.list_for_patient(ctx.store.db, pid)] == [second, first]
    latest = repo.latest_for_findings(ctx.store.db, pid, [FINDING, "x"])
    assert list(latest) == [FINDING]
    assert latest[FINDING].id == second
    events = [e for e, _ in iter_events(ctx.store.db) if e.action == "acknowledge"]
    assert [e.entity_id for e in events] == [str(first), str(second)]
    assert events[0].entity == "interaction" and events[0].operator == "test-rph"
    assert events[0].details["acknowledged_by"] == "Jane RPh"
    assert events[0].details["certainty"] == "exact"
    assert "Ann Example" not in str(events[0].details)  # no PHI in the audit trail
    assert verify_chain(ctx.store.db)[1] is None


def test_failed_transaction_leaves_neither_row_nor_event(ctx: AppContext) -> None:
    pid = _patient(ctx)
    before = sum(1 for _ in iter_events(ctx.store.db))
    with pytest.raises(sqlite3.IntegrityError), ctx.store.write() as db:
        repo.add_acknowledgement(db, patient_id=pid, finding="f", severity="major", operator="Jane",
                                 reason="r", recorded_by="test-rph")
        db.execute("INSERT INTO acknowledgements (patient_id, finding, severity, operator, reason, at)"
                   " VALUES (?, NULL, 'major', 'x', 'y', 'z')", [pid])
    assert repo.list_for_patient(ctx.store.db, pid) == []
    assert sum(1 for _ in iter_events(ctx.store.db)) == before
