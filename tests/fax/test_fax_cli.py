"""`k2desk fax send|outbox|retry|set-password` through the real command line entry."""

from __future__ import annotations

import io
import json

import keyring
from fax_servers import PASSWORD, configure_gateway
from keyring.backends import fail

from k2desk.cli import main
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _setup(data_dir, port, ca_file, **overrides):
    with AppContext(data_dir, "test-rph") as ctx:
        configure_gateway(ctx, port, ca_file, **overrides)
        return store_document(ctx, patient_id=add_test_patient(ctx))


def test_send_outbox_retry(capsys, monkeypatch, data_dir, smtp_factory, tls_files):
    server = smtp_factory()
    doc = _setup(data_dir, server.port, tls_files.ca_file)
    code, out, err = run(capsys, monkeypatch, "fax", "send", str(doc), "--to", "817-860-6083",
                         "--password-stdin", stdin="wrong\n")
    assert code == 1 and out.strip().isdigit()
    job_id = int(out)
    assert "535" in err and "queued" in err
    code, out, _ = run(capsys, monkeypatch, "fax", "outbox", "--json")
    (job,) = json.loads(out)
    assert job["id"] == job_id and job["state"] == "queued" and job["attempts"] == 1
    assert "535" in job["last_error"] and job["document_id"] == doc and job["to"] == "+18178606083"
    assert job["next_attempt_at"]
    code, out, err = run(capsys, monkeypatch, "fax", "retry", str(job_id), "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert code == 0 and out.strip() == f"{job_id} sent", err
    code, out, _ = run(capsys, monkeypatch, "fax", "outbox")
    assert "sent" in out.splitlines()[1]
    assert len(server.recorder.messages) == 1
    code, out, _ = run(capsys, monkeypatch, "fax", "retry")
    assert code == 0 and "no fax is waiting" in out


def test_send_exit_0_with_the_keyring_password(capsys, monkeypatch, data_dir, smtp_factory, tls_files,
                                               memory_keyring):
    server = smtp_factory()
    doc = _setup(data_dir, server.port, tls_files.ca_file)
    code, out, err = run(capsys, monkeypatch, "fax", "set-password", "--password-stdin", stdin=PASSWORD)
    assert code == 0 and "keyring" in out
    assert memory_keyring.store[("k2desk", "pharmacy@example.com")] == PASSWORD
    code, out, err = run(capsys, monkeypatch, "fax", "send", str(doc), "--to", "+1 817 860 6083")
    assert code == 0 and out.strip().isdigit() and err == ""


def test_refusals(capsys, monkeypatch, data_dir, tls_files):
    with AppContext(data_dir, "test-rph") as ctx:
        doc = store_document(ctx, patient_id=add_test_patient(ctx))
    code, out, err = run(capsys, monkeypatch, "fax", "send", str(doc), "--to", "12")
    assert code == 2 and out == ""
    assert "k2desk: to:" in err and "fax.smtp_host" in err and "fax.recipient_pattern" in err
    code, out, err = run(capsys, monkeypatch, "fax", "set-password", "--password-stdin", stdin="pw\n")
    assert code == 2 and "fax.username" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run(capsys, monkeypatch, "fax", "set-password")
    assert code == 2 and "--password-stdin" in err


def test_set_password_without_a_keyring(capsys, monkeypatch, data_dir, tls_files):
    _setup(data_dir, 2525, tls_files.ca_file)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out, err = run(capsys, monkeypatch, "fax", "set-password", "--password-stdin", stdin="pw\n")
    finally:
        keyring.set_keyring(previous)
    assert code == 1 and "no usable system keyring" in err and "--password-stdin" in err
    assert "pw" not in out
