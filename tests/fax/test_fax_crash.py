"""A program killed while a fax is being sent loses nothing: the job comes back and is sent."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

from fax_servers import PASSWORD, configure_gateway

from k2desk.services import fax as svc
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document

SENDER = str(Path(__file__).with_name("fax_sender_process.py"))


def test_sigkill_while_sending_then_recovered_and_sent(data_dir, stalling_server, smtp_factory, tls_files):
    with AppContext(data_dir, "test-rph") as ctx:
        configure_gateway(ctx, stalling_server.port, tls_files.ca_file, **{"fax.timeout_s": "60"})
        doc = store_document(ctx, patient_id=add_test_patient(ctx))
        job_id = svc.queue_fax(ctx, doc, "+18178606083")
    proc = subprocess.Popen([sys.executable, SENDER, str(data_dir), str(job_id), PASSWORD],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "attempting"
        deadline = time.monotonic() + 20
        while stalling_server.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stalling_server.connections == 1, "the child reached the gateway"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    server = smtp_factory()
    with AppContext(data_dir, "test-rph") as ctx:
        job = svc.get_job(ctx, job_id)
        assert job.state == "sending" and job.attempts == 1, "the claim was committed before the network"
        assert svc.recover_interrupted(ctx) == [], "too soon: it may still be sending"
        configure_gateway(ctx, server.port, tls_files.ca_file, **{"fax.timeout_s": "5"})
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        (result,) = svc.retry_due(ctx, PASSWORD, now=later)
        assert result.sent and result.job.attempts == 2
        assert len(server.recorder.messages) == 1
