"""Document log, orders and handouts storage on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import pytest

from blob_files import document_file
from k2desk.domain.documents import InteractionNotice, OrderLine
from k2desk.domain.models import Patient
from k2desk.services.context import AppContext
from k2desk.storage import audit
from k2desk.storage import documents as docs
from k2desk.storage import handouts as hrepo
from k2desk.storage import orders as orepo
from k2desk.storage.patients import add_patient

PDF = b"%PDF-1.4 test bytes\n%%EOF"


def _patient(ctx: AppContext) -> int:
    with ctx.store.write() as db:
        return add_patient(db, Patient(name="Zoë Ångström", dob=dt.date(1950, 1, 2), nkda=True),
                           "test-rph")


def _ack(ctx: AppContext, pid: int) -> int:
    with ctx.store.write() as db:
        cur = db.execute("INSERT INTO acknowledgements (patient_id, finding, severity, operator,"
                         " reason, at) VALUES (?, 'warfarin', 'major', 'RPh Lee', 'INR plan', 'x')",
                         [pid])
        return int(cur.lastrowid or 0)


def test_store_document_dedupes_blob_and_audits_sha(ctx: AppContext) -> None:
    pid = _patient(ctx)
    with ctx.store.write() as db:
        reserved = docs.next_document_id(db)
        d1 = docs.store_document(db, kind="handout", patient_id=pid, source_table="handouts",
                                 source_id=1, pdf=PDF, title="Vitamin K2 handout",
                                 operator="test-rph", pages=1, document_id=reserved)
        d2 = docs.store_document(db, kind="handout", patient_id=pid, source_table="handouts",
                                 source_id=1, pdf=PDF, title="again", operator="test-rph")
    assert d1 == reserved and d2 == d1 + 1
    db = ctx.store.db
    assert db.execute("SELECT count(*) FROM pdf_blobs").fetchone()[0] == 1
    assert docs.get_pdf(db, d1) == PDF
    doc = docs.get_document(db, d1)
    assert doc is not None and doc.sha256 == hashlib.sha256(PDF).hexdigest() and doc.size == len(PDF)
    assert [d.id for d in docs.list_documents(db)] == [d2, d1]
    assert [d.id for d in docs.list_documents(db, source=("handouts", 1), kind="handout")] == [d2, d1]
    assert docs.list_documents(db, patient_id=pid + 1) == []
    renders = [e for e, _ in audit.iter_events(db) if e.action == "render"]
    assert [e.details["sha256"] for e in renders] == [doc.sha256] * 2
    assert audit.verify_chain(db)[1] is None
    assert docs.get_document(db, 999) is None


def test_next_document_id_needs_a_transaction(ctx: AppContext) -> None:
    with pytest.raises(docs.DocumentStoreError):
        docs.next_document_id(ctx.store.db)


def test_tampered_blob_is_detected(ctx: AppContext) -> None:
    pid = _patient(ctx)
    with ctx.store.write() as db:
        did = docs.store_document(db, kind="order", patient_id=pid, source_table="orders",
                                  source_id=1, pdf=PDF, title="t", operator="test-rph")
    document_file(ctx, did).write_bytes(b"changed")
    with pytest.raises(docs.DocumentStoreError, match="does not match"):
        docs.get_pdf(ctx.store.db, did)


def test_order_round_trip_with_overrides_and_acks(ctx: AppContext) -> None:
    pid = _patient(ctx)
    ack = _ack(ctx, pid)
    notice = InteractionNotice("major", "warfarin", "Coumadin 5 mg", "exact", "Talk to your clinic",
                               acknowledged_by="RPh Lee", ack_reason="INR plan", ack_at="x")
    with ctx.store.write() as db:
        oid = orepo.insert_order(db, patient_id=pid, values={"prescriber.npi": "1234567890"},
                                 lines=[OrderLine("MK-4", "15", "mg"), OrderLine("MK-7", "0.1", "mg")],
                                 status="draft", interactions=[notice], acknowledgement_ids=[ack],
                                 operator="test-rph")
        orepo.add_overrides(db, entity="order", entity_id=oid,
                            overrides={"prescriber.npi": " Verified on NPPES "}, operator="test-rph")
    o = orepo.get_order(ctx.store.db, oid)
    assert o is not None
    assert o.values == {"prescriber.npi": "1234567890"}
    assert o.lines == (OrderLine("MK-4", "15", "mg"), OrderLine("MK-7", "0.1", "mg"))
    assert o.interactions == (notice,)
    assert [(v.field, v.reason, v.operator) for v in o.overrides] == [
        ("prescriber.npi", "Verified on NPPES", "test-rph")]
    assert o.acknowledgement_ids == (ack,)
    events = [e for e, _ in audit.iter_events(ctx.store.db)]
    assert [e.action for e in events][-2:] == ["create", "override"]
    assert "Verified" not in str(events[-1].details)

    with ctx.store.write() as db:
        orepo.set_status(db, oid, old="draft", new="sent-for-signature", operator="test-rph")
    o2 = orepo.get_order(ctx.store.db, oid)
    assert o2 is not None and o2.status == "sent-for-signature"
    assert o2.values["pharmacy_use.status"] == "sent-for-signature"
    with pytest.raises(orepo.OrderChanged), ctx.store.write() as db:
        orepo.set_status(db, oid, old="draft", new="cancelled", operator="test-rph")
    assert [x.id for x in orepo.list_orders(ctx.store.db, patient_id=pid)] == [oid]


def test_handout_round_trip(ctx: AppContext) -> None:
    pid = _patient(ctx)
    ack = _ack(ctx, pid)
    with ctx.store.write() as db:
        hid = hrepo.insert_handout(db, patient_id=pid, snippets=[("k2-what", 2), ("bone-1", 1)],
                                   language="en", acknowledgement_ids=[ack],
                                   record={"title": "Vitamin K2", "patient_name": "Zoë Ångström"},
                                   operator="test-rph")
    h = hrepo.get_handout(ctx.store.db, hid)
    assert h is not None
    assert h.snippets == (("k2-what", 2), ("bone-1", 1))
    assert h.record["patient_name"] == "Zoë Ångström"
    assert h.acknowledgement_ids == (ack,)
    ev = [e for e, _ in audit.iter_events(ctx.store.db)][-1]
    assert ev.action == "create" and ev.entity == "handout"
    assert "Zoë" not in str(ev.details)


def test_document_needs_a_blob(ctx: AppContext) -> None:
    with pytest.raises(sqlite3.IntegrityError), ctx.store.write() as db:
        db.execute("INSERT INTO documents (kind, source_table, source_id, sha256, size, created_at,"
                   " operator) VALUES ('x', 'y', 1, 'nope', 0, 'z', 'o')")
