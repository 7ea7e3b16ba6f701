"""`log verify`: the audit chain and every stored PDF's SHA-256; each kind of tampering is caught."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from blob_files import pdf_file
from k2desk.paths import db_path
from k2desk.services import log as svc
from stored_documents import add_test_patient, store_document


@pytest.fixture
def logged(ctx):
    pid = add_test_patient(ctx)
    docs = [store_document(ctx, patient_id=pid, title=f"Handout {i}") for i in range(3)]
    return ctx, docs


def _attacker(ctx) -> sqlite3.Connection:
    """What someone with the sqlite3 tool would do: a plain connection to the file."""
    ctx.close()
    return sqlite3.connect(db_path(ctx.data_dir), isolation_level=None)


def test_clean_log_verifies(logged):
    ctx, docs = logged
    report = svc.verify_log(ctx)
    events = ctx.store.conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    assert report.ok and report.summary().startswith(f"{events} events, ")
    assert "3 documents verified" in report.summary()


def test_one_changed_byte_of_a_pdf_is_caught(logged):
    ctx, docs = logged
    conn = _attacker(ctx)
    sha = conn.execute("SELECT sha256 FROM documents WHERE id=?", [docs[1]]).fetchone()[0]
    data = bytearray(pdf_file(ctx.data_dir, sha).read_bytes())
    data[200] ^= 0x01
    pdf_file(ctx.data_dir, sha).write_bytes(bytes(data))
    conn.close()
    report = svc.verify_log(ctx)
    assert not report.ok and report.problem.startswith(f"document {docs[1]}:")
    assert "does not match its SHA-256" in report.problem


def test_a_pdf_replaced_with_its_row_is_caught_by_the_audit_record(logged):
    ctx, docs = logged
    conn = _attacker(ctx)

    fake = b"%PDF-1.4 forged"
    sha = hashlib.sha256(fake).hexdigest()
    conn.execute("INSERT INTO pdf_blobs (sha256, size) VALUES (?, ?)", [sha, len(fake)])
    pdf_file(ctx.data_dir, sha).parent.mkdir(exist_ok=True)
    pdf_file(ctx.data_dir, sha).write_bytes(fake)
    conn.execute("UPDATE documents SET sha256=?, size=? WHERE id=?", [sha, len(fake), docs[0]])
    conn.close()
    report = svc.verify_log(ctx)
    assert report.problem and f"document {docs[0]}:" in report.problem
    assert "recorded in the audit trail" in report.problem
    assert f"documents row {docs[0]} was changed" in report.problem


def test_the_triggers_refuse_update_and_delete(logged):
    ctx, _ = logged
    conn = _attacker(ctx)
    for sql in ("UPDATE audit_events SET operator='x' WHERE id=1", "DELETE FROM audit_events WHERE id=1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()
    assert svc.verify_log(ctx).ok


def test_one_changed_field_of_an_event_is_caught(logged):
    ctx, _ = logged
    conn = _attacker(ctx)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET operator='someone-else' WHERE id=2")
    conn.close()
    report = svc.verify_log(ctx)
    assert report.problem and report.problem.startswith("audit event 2 ")
    assert report.problem.endswith("was altered")


def test_a_deleted_event_is_caught(logged):
    ctx, _ = logged
    conn = _attacker(ctx)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DELETE FROM audit_events WHERE id=2")
    conn.close()
    report = svc.verify_log(ctx)
    assert report.problem and report.problem.startswith("audit event 3 ")
    assert "chain broken" in report.problem


def test_the_last_event_cut_off_is_caught_through_its_document(logged):
    ctx, docs = logged
    conn = _attacker(ctx)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DELETE FROM audit_events WHERE id=(SELECT max(id) FROM audit_events)")
    conn.close()
    report = svc.verify_log(ctx)
    assert report.problem and f"document {docs[-1]}:" in report.problem
    assert "no event recording its creation" in report.problem
    assert "events were removed or lost" in report.problem  # the head file (issue 17)
