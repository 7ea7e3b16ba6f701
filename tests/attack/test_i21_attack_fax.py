"""Attacks on issue 21's Fax outbox page against the real aiosmtpd gateway of tests/fax: a job
cancelled or sent elsewhere while the window still shows it waiting."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fax"))
# the real SMTP gateway fixtures of tests/fax (imported here, used by name as fixtures)
from fax_servers import PASSWORD, configure_gateway, smtp_factory, tls_files  # noqa: E402,F401

from k2desk.services import fax as svc  # noqa: E402
from stored_documents import store_document  # noqa: E402


def _settle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.worker.busy(), timeout=20_000)


def test_retry_in_the_window_of_a_job_cancelled_elsewhere_sends_nothing(  # noqa: F811
        window, qtbot, ctx, smtp_factory, tls_files):  # noqa: F811
    server = smtp_factory(start=False)  # the gateway is down
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, PASSWORD)
    doc = store_document(ctx, patient_id=None, title="Vitamin K2 handout")
    job = svc.queue_fax(ctx, doc, "(817) 860-6083")
    page = window.go("fax")
    _settle(qtbot, window)
    assert page.current() is None or page.current().id == job
    page.table.setFocus()
    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    svc.cancel_fax(ctx, job, "wrong number")  # `k2desk fax cancel` at the other counter
    server.start(tls_files)  # the gateway comes back
    qtbot.keyClick(page.table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    _settle(qtbot, window)
    qtbot.wait(300)
    _settle(qtbot, window)
    assert svc.get_job(ctx, job).state == "cancelled"
    assert server.recorder.messages == []
    assert "Traceback" not in window.bridge.last_info


def test_cancel_in_the_window_of_a_job_sent_elsewhere_is_refused(  # noqa: F811
        window, qtbot, ctx, smtp_factory, tls_files):  # noqa: F811
    server = smtp_factory()
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, PASSWORD)
    doc = store_document(ctx, patient_id=None, title="Vitamin K2 handout")
    job = svc.queue_fax(ctx, doc, "(817) 860-6083")
    page = window.go("fax")
    _settle(qtbot, window)
    page.table.setFocus()
    page.table.selectRow(0)
    assert page.cancel_button.isEnabled()
    assert svc.attempt(ctx, job).sent  # sent from the command line meanwhile
    assert page.cancel(job) is False
    _settle(qtbot, window)
    assert svc.get_job(ctx, job).state == "sent" and len(server.recorder.messages) == 1
