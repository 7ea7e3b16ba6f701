"""The outbox rows: claim, back-off, final failure, recovery of interrupted jobs, audit."""

from __future__ import annotations

import datetime as dt
import json

from blob_files import document_file
from k2desk.storage import fax_jobs as repo
from k2desk.storage.audit import verify_chain
from stored_documents import add_test_patient, store_document


def _events(ctx, action):
    return [json.loads(r[0]) for r in ctx.store.conn.execute(
        "SELECT details FROM audit_events WHERE action=? ORDER BY id", [action])]


def test_backoff_doubles():
    assert [repo.backoff_minutes(n) for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert repo.backoff_minutes(40) == 24 * 60


def test_failed_attempts_back_off_then_fail(ctx):
    doc = store_document(ctx, patient_id=add_test_patient(ctx))
    t0 = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
    with ctx.store.write() as db:
        job_id = repo.add_job(db, doc, "+18178606083", "rph")
    assert repo.due_job_ids(ctx.store.db, t0) == [job_id]
    for attempt, wait in ((1, 1), (2, 2)):
        with ctx.store.write() as db:
            job = repo.claim(db, job_id)
            assert job is not None and job.state == repo.SENDING and job.attempts == attempt
            assert repo.claim(db, job_id) is None, "a job being sent cannot be claimed twice"
            job = repo.mark_failed(db, job, "rph", error="down", code="unreachable", max_attempts=3,
                                   document_sha256="abc", now=t0)
        assert job.state == repo.QUEUED and job.last_error == "down"
        assert job.next_attempt_at == (t0 + dt.timedelta(minutes=wait)).isoformat(timespec="microseconds")
        assert repo.due_job_ids(ctx.store.db, t0) == []
        assert repo.due_job_ids(ctx.store.db, t0 + dt.timedelta(minutes=wait)) == [job_id]
    with ctx.store.write() as db:
        job = repo.claim(db, job_id)
        job = repo.mark_failed(db, job, "rph", error="down", code="unreachable", max_attempts=3,
                               document_sha256="abc", now=t0)
    assert job.state == repo.FAILED and job.attempts == 3 and job.next_attempt_at is None
    assert repo.due_job_ids(ctx.store.db, t0 + dt.timedelta(days=9)) == []
    failed = _events(ctx, "fax.failed")
    assert [e["attempt"] for e in failed] == [1, 2, 3] and failed[-1]["final"] is True
    assert all(e["to"] == "+18178606083" and e["document_id"] == doc for e in failed)
    assert verify_chain(ctx.store.db)[1] is None


def test_interrupted_sending_goes_back_to_the_queue(ctx):
    doc = store_document(ctx, patient_id=add_test_patient(ctx))
    with ctx.store.write() as db:
        job_id = repo.add_job(db, doc, "+18178606083", "rph")
        repo.claim(db, job_id)
    # the program "dies" here: nothing records a result
    now = dt.datetime.now(dt.UTC)
    with ctx.store.write() as db:
        assert repo.recover_interrupted(db, "rph", older_than=now - dt.timedelta(minutes=5)) == []
        assert repo.recover_interrupted(db, "rph", older_than=now + dt.timedelta(seconds=1)) == [job_id]
    job = repo.get_job(ctx.store.db, job_id)
    assert job.state == repo.QUEUED and job.attempts == 1 and "stopped" in job.last_error
    assert repo.due_job_ids(ctx.store.db, now + dt.timedelta(seconds=1)) == [job_id]


def test_load_document_refuses_damaged_bytes(ctx):
    doc = store_document(ctx, patient_id=add_test_patient(ctx))
    assert repo.load_document(ctx.store.db, doc).pdf.startswith(b"%PDF")
    changed = bytearray(document_file(ctx, doc).read_bytes())
    changed[len(changed) // 2] ^= 0x01
    document_file(ctx, doc).write_bytes(bytes(changed))
    try:
        repo.load_document(ctx.store.db, doc)
    except repo.DocumentDamaged as exc:
        assert f"Document {doc}" in str(exc)
    else:
        raise AssertionError("a damaged document was loaded for faxing")
