"""The order status history: every move stored with time, operator and note, tied to its audit
event; cancelling needs a reason; orders made before the history existed get it rebuilt from
the audit trail (migration 0006_i22_order_status_history)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlite_utils

from doc_helpers import add_plain_patient, example_order, setup_pharmacy
from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.storage import audit
from k2desk.storage.clock import now_iso
from k2desk.storage.migrations import MIGRATIONS

HISTORY_MIGRATION = "0008_order_status_history"


def _order(ctx: AppContext) -> int:
    setup_pharmacy(ctx)
    data = example_order()
    data["compound"]["sig"] = "Take 1 capsule by mouth three times daily."
    oid, _ = svc.create_order(ctx, add_plain_patient(ctx), data)
    return oid


def test_every_move_is_stored_with_its_note_and_audit_event(ctx):
    oid = _order(ctx)
    svc.order_status(ctx, oid, "sent-for-signature")
    svc.order_status(ctx, oid, "signed-original-received", "fax from Dr Lopez's office")
    history = svc.status_history(ctx, oid)
    assert [(h.status, h.operator, h.note) for h in history] == [
        ("draft", "test-rph", ""), ("sent-for-signature", "test-rph", ""),
        ("signed-original-received", "test-rph", "fax from Dr Lopez's office")]
    events = [e for e, _ in audit.iter_events(ctx.store.db)
              if e.entity == "order" and e.entity_id == str(oid)]
    assert [e.at for e in events] == [h.at for h in history], "each move's time is its audit event's"
    assert events[-1].details["note_sha256"] == hashlib.sha256(
        b"fax from Dr Lopez's office").hexdigest()
    assert "Lopez" not in json.dumps(events[-1].details), "the note itself stays out of the trail"
    assert audit.verify_chain(ctx.store.db)[1] is None


def test_cancelling_needs_a_reason_and_keeps_it(ctx):
    oid = _order(ctx)
    before = ctx.store.conn.execute("SELECT count(*) FROM order_status_history").fetchone()[0]
    with pytest.raises(InputRefused) as exc:
        svc.order_status(ctx, oid, "cancelled", "   ")
    assert exc.value.issues[0].field == "note" and "why" in exc.value.issues[0].message.lower()
    assert ctx.store.conn.execute("SELECT count(*) FROM order_status_history").fetchone()[0] == before
    assert svc.get_order(ctx, oid).status == "draft"
    o = svc.order_status(ctx, oid, "cancelled", "Prescriber changed the therapy")
    assert o.status == "cancelled"
    assert svc.status_history(ctx, oid)[-1].note == "Prescriber changed the therapy"


def test_order_show_prints_the_history(ctx, capsys):
    oid = _order(ctx)
    svc.order_status(ctx, oid, "sent-for-signature")
    svc.order_status(ctx, oid, "cancelled", "Patient declined")
    assert main(["order", "show", str(oid)]) == 0
    out = capsys.readouterr().out
    assert "Status history (UTC):" in out
    assert "draft by test-rph" in out and "sent-for-signature by test-rph" in out
    assert "cancelled by test-rph: Patient declined" in out
    assert main(["order", "status", str(oid), "dispensed"]) != 0  # final
    capsys.readouterr()


def _old_database(data_dir: Path) -> int:
    """A database as the release before the history table left it: an order moved to
    compounded, its moves only in the audit trail and in the order's fields."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path(data_dir))
    with db.atomic():
        MIGRATIONS.apply(db, stop_before=HISTORY_MIGRATION)
    now = now_iso()
    with db.atomic():
        pid = db.execute("INSERT INTO patients (name, dob, nkda, created_at, created_by, updated_at)"
                         " VALUES ('Old Order', '1950-01-01', 1, ?, 'x', ?)", [now, now]).lastrowid
        fields = {"pharmacy_use.signed_original_received": "by mail",
                  "pharmacy_use.status_note": "", "pharmacy_use.status": "compounded"}
        oid = db.execute("INSERT INTO orders (patient_id, status, fields, interactions, created_at,"
                         " created_by, updated_at) VALUES (?, 'compounded', ?, '[]', ?, 'ann', ?)",
                         [pid, json.dumps(fields), now, now]).lastrowid
        audit.append(db, operator="ann", action="create", entity="order", entity_id=oid,
                     details={"patient_id": pid, "lines": 1, "status": "draft", "acknowledgements": []})
        audit.append(db, operator="bo", action="status", entity="order", entity_id=oid,
                     details={"from": "draft", "to": "sent-for-signature"})
        audit.append(db, operator="cy", action="status", entity="order", entity_id=oid,
                     details={"from": "sent-for-signature", "to": "signed-original-received"})
        audit.append(db, operator="di", action="status", entity="order", entity_id=oid,
                     details={"from": "signed-original-received", "to": "compounded"})
        # A cancelled order whose reason was never kept.
        oid2 = db.execute("INSERT INTO orders (patient_id, status, fields, interactions, created_at,"
                          " created_by, updated_at) VALUES (?, 'cancelled', ?, '[]', ?, 'ann', ?)",
                          [pid, json.dumps({"pharmacy_use.status_note": ""}), now, now]).lastrowid
        audit.append(db, operator="ann", action="create", entity="order", entity_id=oid2,
                     details={"status": "draft"})
        audit.append(db, operator="ann", action="status", entity="order", entity_id=oid2,
                     details={"from": "draft", "to": "sent-for-signature"})
        audit.append(db, operator="ed", action="status", entity="order", entity_id=oid2,
                     details={"from": "sent-for-signature", "to": "cancelled"})
    db.conn.close()
    return int(oid or 0)


def test_history_of_older_orders_is_rebuilt_from_the_audit_trail(data_dir):
    oid = _old_database(data_dir)
    with AppContext(data_dir, "test-rph") as ctx:
        history = svc.status_history(ctx, oid)
        events = [e for e, _ in audit.iter_events(ctx.store.db)
                  if e.entity == "order" and e.entity_id == str(oid)]
        assert [(h.status, h.operator, h.note) for h in history] == [
            ("draft", "ann", ""), ("sent-for-signature", "bo", "(not recorded)"),
            ("signed-original-received", "cy", "by mail"), ("compounded", "di", "")]
        assert [h.at for h in history] == [e.at for e in events]
        cancelled = svc.status_history(ctx, oid + 1)
        last = cancelled[-1]
        assert (last.status, last.operator, last.note) == ("cancelled", "ed", "(not recorded)")
        assert audit.verify_chain(ctx.store.db)[1] is None
