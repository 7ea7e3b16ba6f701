"""Issue 21's screens pass the keyboard and screen-reader walk at both window sizes."""

from __future__ import annotations

import pytest

from k2desk.services import doc_use
from k2desk.services import fax as svc
from k2desk.services.settings import set_settings
from prescriber_data import seed_orders
from stored_documents import store_document
from window_walk import problems_in, settle_all


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_outbox_order_picker_and_reprint_dialog_pass_the_walk(window, ctx, qtbot, size):
    pid = seed_orders(ctx)
    doc = store_document(ctx, patient_id=pid)
    set_settings(ctx, {"fax.smtp_host": "127.0.0.1", "fax.sender": "counter@pharmacy.example",
                       "fax.recipient_pattern": "{digits}@fax.example.com"})
    svc.queue_fax(ctx, doc, "(817) 860-6083")
    window.resize(*size)
    found: dict[str, list[str]] = {}
    fax_page = window.go("fax")
    settle_all(window)
    fax_page.table.selectRow(0)
    found["fax"] = problems_in(window)
    orders_page = window.go("orders", patient_id=pid)
    settle_all(window)
    orders_page.prescriber_picker.search.setText("dr")
    qtbot.waitUntil(lambda: orders_page.prescriber_picker.results.isVisible(), timeout=3000)
    found["orders"] = problems_in(window)
    log = window.go("log")
    settle_all(window)
    assert log.show_scanned(doc)
    log.print_current()
    dlg = log.printer.reason_dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    found["reprint dialog"] = problems_in(dlg)
    dlg.reject()
    window.go("fax")
    settle_all(window)
    cancel = fax_page.ask_cancel()
    assert cancel is not None
    found["cancel dialog"] = problems_in(cancel)
    cancel.reject()
    assert not any(found.values()), found
    assert doc_use.reprints(ctx, doc) == []
