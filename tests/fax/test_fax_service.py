"""Fax services end to end against real SMTP servers on 127.0.0.1: nothing is ever lost."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import logging
import time

import keyring
import pytest
from fax_servers import PASSWORD, configure_gateway, free_port
from keyring.backends import fail
from pypdf import PdfReader

from k2desk.fax.transport import merge_pdfs
from k2desk.paths import db_path
from k2desk.services import fax as svc
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.storage import fax_jobs as repo
from stored_documents import add_test_patient, store_document, stored_pdf

LATER = dt.timedelta(minutes=30)


@pytest.fixture
def order_doc(ctx):
    pid = add_test_patient(ctx, "Zoë Patient-Secret")
    return store_document(ctx, patient_id=pid, kind="order", title="Compound order",
                          pages=["Order form page 1", "Order form page 2"],
                          prescriber=("Dr. Jane Roe", "+18178606083"))


def _events(ctx, action):
    return [json.loads(r[0]) for r in ctx.store.conn.execute(
        "SELECT details FROM audit_events WHERE action=? ORDER BY id", [action])]


def _attachment(envelope) -> bytes:
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    parts = [p for p in msg.walk() if not p.is_multipart()]
    assert len(parts) == 1 and parts[0].get_content_type() == "application/pdf"
    return parts[0].get_content()


def test_a_fax_is_sent_with_cover_then_the_stored_document(ctx, order_doc, smtp_factory, tls_files):
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, PASSWORD)
    job_id = svc.queue_fax(ctx, order_doc, "(817) 860-6083")
    result = svc.attempt(ctx, job_id)
    assert result.sent and result.job.state == "sent" and result.job.attempts == 1
    (env,) = server.recorder.messages
    assert env.rcpt_tos == ["18178606083@fax.gateway.example"]
    msg = email.message_from_bytes(env.original_content, policy=email.policy.default)
    assert "Patient-Secret" not in env.original_content.decode("ascii", "replace")
    assert msg["Subject"].startswith("Order ") and msg["Subject"].endswith(f"document D-{order_doc}")
    sent = PdfReader(io.BytesIO(_attachment(env)))
    stored = PdfReader(io.BytesIO(stored_pdf(ctx, order_doc)))
    assert len(sent.pages) == 1 + len(stored.pages)
    cover_text = sent.pages[0].extract_text()
    assert msg["Subject"] in cover_text and "Dr. Jane Roe" in cover_text
    assert "3 (including this cover sheet)" in cover_text
    assert "Patient-Secret" not in cover_text
    for mine, theirs in zip(sent.pages[1:], stored.pages, strict=True):
        assert mine.get_contents().get_data() == theirs.get_contents().get_data()
        assert mine.extract_text() == theirs.extract_text()
    (event,) = _events(ctx, "fax.sent")
    sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [order_doc]).fetchone()[0]
    assert event["to"] == "+18178606083" and event["document_sha256"] == sha and event["attempt"] == 1
    assert event["pages"] == 3
    # the cover that went out is stored too: the attachment is exactly merge(stored cover, stored doc)
    cover_id = event["cover_document_id"]
    kind, title = ctx.store.conn.execute("SELECT kind, title FROM documents WHERE id=?",
                                         [cover_id]).fetchone()
    assert kind == "fax-cover" and title == f"Fax cover for document {order_doc}"
    assert _attachment(env) == merge_pdfs(stored_pdf(ctx, cover_id), stored_pdf(ctx, order_doc))
    with pytest.raises(svc.JobBusy, match="already sent"):
        svc.attempt(ctx, job_id)


def test_wrong_password_keeps_the_job_and_retries_later(ctx, order_doc, smtp_factory, tls_files):
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, "not-the-password")
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    result = svc.attempt(ctx, job_id)
    assert not result.sent and result.job.state == "queued" and result.job.attempts == 1
    assert "535" in result.job.last_error and result.job.next_attempt_at
    assert _events(ctx, "fax.failed")[0]["reason"] == "auth"
    assert server.recorder.messages == []
    svc.set_password(ctx, PASSWORD)
    assert svc.retry_due(ctx) == [], "not due until its back-off has passed"
    (retried,) = svc.retry_due(ctx, now=dt.datetime.now(dt.UTC) + LATER)
    assert retried.sent and retried.job.attempts == 2 and retried.job.last_error == ""
    assert len(server.recorder.messages) == 1


def test_server_down_then_up(ctx, order_doc, smtp_factory, tls_files):
    server = smtp_factory(start=False)
    configure_gateway(ctx, server.port, tls_files.ca_file)
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    result = svc.attempt(ctx, job_id, PASSWORD)
    assert not result.sent and result.job.state == "queued"
    assert "refused the connection" in result.job.last_error
    assert stored_pdf(ctx, order_doc).startswith(b"%PDF"), "the document stays"
    server.start(tls_files)
    (retried,) = svc.retry_due(ctx, PASSWORD, now=dt.datetime.now(dt.UTC) + LATER)
    assert retried.sent and len(server.recorder.messages) == 1


def test_a_stalled_server_times_out_and_the_job_stays(ctx, order_doc, stalling_server, tls_files):
    configure_gateway(ctx, stalling_server.port, tls_files.ca_file, **{"fax.timeout_s": "1"})
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    start = time.monotonic()
    result = svc.attempt(ctx, job_id, PASSWORD)
    assert time.monotonic() - start < 4
    assert result.job.state == "queued" and "did not answer within 1 seconds" in result.job.last_error
    assert _events(ctx, "fax.failed")[0]["reason"] == "timeout"


def test_a_dropped_connection_keeps_the_job(ctx, order_doc, dropping_server):
    configure_gateway(ctx, dropping_server.port, None,
                      **{"fax.security": "none", "fax.username": ""})
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    result = svc.attempt(ctx, job_id)
    assert result.job.state == "queued" and result.job.attempts == 1
    assert "closed the connection" in result.job.last_error


def test_after_max_attempts_the_job_fails_and_waits_for_a_person(ctx, order_doc, tls_files):
    configure_gateway(ctx, free_port(), tls_files.ca_file, **{"fax.max_attempts": "2"})
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    svc.attempt(ctx, job_id, PASSWORD)
    (second,) = svc.retry_due(ctx, PASSWORD, now=dt.datetime.now(dt.UTC) + LATER)
    assert second.job.state == "failed" and second.job.attempts == 2 and second.job.last_error
    assert svc.retry_due(ctx, PASSWORD, now=dt.datetime.now(dt.UTC) + 10 * LATER) == []
    assert [j.state for j in svc.outbox(ctx)] == ["failed"]
    third = svc.attempt(ctx, job_id, PASSWORD)  # a person asks again
    assert third.job.attempts == 3 and third.job.state == "failed"


def test_queue_refuses_bad_input_and_writes_nothing(ctx, order_doc):
    with pytest.raises(InputRefused) as info:
        svc.queue_fax(ctx, order_doc, "555")
    fields = {i.field for i in info.value.issues}
    assert fields == {"to", "fax.smtp_host", "fax.sender", "fax.recipient_pattern", "pharmacy.name",
                      "pharmacy.phone"}
    with pytest.raises(NotFound):
        svc.queue_fax(ctx, 999, "+18178606083")
    assert ctx.store.conn.execute("SELECT count(*) FROM fax_jobs").fetchone()[0] == 0


def test_interrupted_send_is_recovered(ctx, order_doc, smtp_factory, tls_files):
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    with ctx.store.write() as db:
        repo.claim(db, job_id)  # ... and the program is killed before any result is written
    with pytest.raises(OperationFailed, match="being sent"):
        svc.attempt(ctx, job_id, PASSWORD)
    later = dt.datetime.now(dt.UTC) + LATER
    (result,) = svc.retry_due(ctx, PASSWORD, now=later)
    assert result.sent and result.job.attempts == 2
    assert _events(ctx, "fax.requeued")[0]["reason"] == "interrupted"


def test_no_keyring_needs_a_password_per_session(ctx, order_doc, smtp_factory, tls_files):
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    job_id = svc.queue_fax(ctx, order_doc, "+18178606083")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(OperationFailed, match="--password-stdin"):
            svc.set_password(ctx, PASSWORD)
        with pytest.raises(OperationFailed, match="no usable system keyring"):
            svc.attempt(ctx, job_id)
        assert svc.get_job(ctx, job_id).attempts == 0, "no attempt was counted"
        assert svc.attempt(ctx, job_id, PASSWORD).sent
    finally:
        keyring.set_keyring(previous)


def test_the_password_is_never_written_down(ctx, order_doc, smtp_factory, tls_files, caplog, capsys,
                                            memory_keyring):
    caplog.set_level(logging.DEBUG)
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, "wrong-" + PASSWORD)
    svc.attempt(ctx, svc.queue_fax(ctx, order_doc, "+18178606083"))
    svc.set_password(ctx, PASSWORD)
    assert svc.attempt(ctx, svc.queue_fax(ctx, order_doc, "+18178606083")).sent
    assert memory_keyring.store[("k2desk", "pharmacy@example.com")] == PASSWORD
    audit = " ".join(r[0] for r in ctx.store.conn.execute(
        "SELECT details || operator || action FROM audit_events"))
    jobs = " ".join(r[0] for r in ctx.store.conn.execute("SELECT last_error FROM fax_jobs"))
    ctx.close()
    files = b"".join(p.read_bytes() for p in db_path(ctx.data_dir).parent.rglob("*") if p.is_file())
    out, err = capsys.readouterr()
    for secret in (PASSWORD, "wrong-" + PASSWORD):
        assert secret.encode() not in files
        assert secret not in audit and secret not in jobs
        assert secret not in caplog.text and secret not in out + err
