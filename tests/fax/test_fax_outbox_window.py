"""The window's Fax outbox against a real aiosmtpd server on 127.0.0.1: each job's document,
number, state, attempts, last error and time; Retry and Cancel by keyboard; a status-bar notice
when a fax fails."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fax_servers import PASSWORD, configure_gateway
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.services import fax as svc
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document


@pytest.fixture
def window(qtbot, ctx: AppContext) -> Iterator[object]:
    from k2desk.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.worker.wait()
    w.close()


def _settle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.worker.busy(), timeout=20_000)


def _cells(page, row):
    m = page.model
    return [m.data(m.index(row, c)) for c in range(m.columnCount())]


def test_outbox_shows_a_failed_fax_then_retry_sends_it(window, qtbot, ctx, smtp_factory, tls_files):
    server = smtp_factory(start=False)  # the gateway is down: nothing listens on its port yet
    configure_gateway(ctx, server.port, tls_files.ca_file)
    svc.set_password(ctx, PASSWORD)
    doc = store_document(ctx, patient_id=add_test_patient(ctx), kind="order", title="Compound order")
    job = svc.queue_fax(ctx, doc, "(817) 860-6083")
    result = svc.attempt(ctx, job)  # as another window or `k2desk fax retry` would
    assert not result.sent and result.job.state == "queued"

    # the status bar says so, without anyone opening the outbox
    window.fax_watch.check()
    _settle(qtbot, window)
    assert f"Fax job {job} to (817) 860-6083 failed" in window.bridge.last_info
    assert "Fax outbox" in window.bridge.last_info

    page = window.go("fax")
    _settle(qtbot, window)
    cells = _cells(page, 0)
    assert cells[:5] == [job, f"D-{doc}", "(817) 860-6083", "Waiting", 1]
    assert cells[5] and cells[5] == result.job.last_error and cells[6]  # last error and its time
    assert page.retry_button.isEnabled() and page.cancel_button.isEnabled()

    server.start(tls_files)  # the gateway is back
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # &Retry now
    qtbot.waitUntil(lambda: svc.get_job(ctx, job).state == "sent", timeout=15_000)
    _settle(qtbot, window)
    assert len(server.recorder.messages) == 1
    qtbot.waitUntil(lambda: _cells(page, 0)[3] == "Sent", timeout=5000)
    assert _cells(page, 0)[4] == 2
    assert not page.retry_button.isEnabled() and not page.cancel_button.isEnabled()
    assert f"Fax job {job} was sent" in window.bridge.last_info


def test_cancel_a_waiting_fax_by_keyboard(window, qtbot, ctx, smtp_factory, tls_files):
    server = smtp_factory(start=False)
    configure_gateway(ctx, server.port, tls_files.ca_file)
    doc = store_document(ctx, patient_id=None, title="Vitamin K2 handout")
    first = svc.queue_fax(ctx, doc, "(817) 860-6083")
    second = svc.queue_fax(ctx, doc, "(214) 555-0123")
    page = window.go("fax")
    _settle(qtbot, window)
    assert [page.model.job(r).id for r in range(page.model.rowCount())] == [second, first]
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)  # the older job
    assert page.current().id == first
    page.cancel_button.setFocus()
    qtbot.keyClick(page.cancel_button, Qt.Key.Key_Space)
    dlg = page.confirm_dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    assert QApplication.focusWidget() is not dlg.action  # "Go back" is the default: Enter is safe
    dlg.action.setFocus()
    qtbot.keyClick(dlg.action, Qt.Key.Key_Space)
    _settle(qtbot, window)
    assert svc.get_job(ctx, first).state == "cancelled" and svc.get_job(ctx, second).state == "queued"
    assert page.current().id == first and _cells(page, page.model.row_of(first))[3] == "Cancelled"
    assert not page.retry_button.isEnabled()
    [event] = [json.loads(r[0]) for r in ctx.store.db.execute(
        "SELECT details FROM audit_events WHERE action='fax.cancelled'")]
    assert event["document_id"] == doc
    # a cancelled job is never sent, not even by the retry of every due job
    server.start(tls_files)
    svc.set_password(ctx, PASSWORD)
    sent = svc.retry_due(ctx)
    assert [r.job.id for r in sent] == [second] and len(server.recorder.messages) == 1
