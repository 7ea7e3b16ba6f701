"""A reprint asks why (patient copy, lost, fax resend, other + text), keeps it in the audit
trail and shows it in the Log; keyboard only."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from k2desk.storage import documents as docs
from k2desk.ui import printing
from stored_documents import add_test_patient, store_document


def _reprint_events(ctx, doc_id):
    return [json.loads(r[0]) for r in ctx.store.db.execute(
        "SELECT details FROM audit_events WHERE entity='document' AND entity_id=? AND action='reprint'"
        " ORDER BY id", [str(doc_id)])]


def _print_through_dialog(qtbot, flow, tmp_path, name):
    """Press OK in the print dialog with a PDF printer chosen (what a real printer receives)."""
    dlg = flow.dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    printer: QPrinter = dlg.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / name))
    # QPrintDialog.accept() would re-read its own printer list (none offscreen) over these
    # settings: hand the printer on as the dialog's OK does.
    dlg.hide()
    flow._print(printer)


# The offscreen platform's print dialog warns that it cannot pass on size hints.
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_reprint_from_the_log_asks_why_and_shows_it(window, qtbot, ctx, settle, tmp_path, monkeypatch):
    monkeypatch.setattr(printing, "printers_available", lambda: True)
    doc_id = store_document(ctx, patient_id=add_test_patient(ctx), title="Vitamin K2 handout")
    page = window.go("log")
    settle(window)
    assert page.select_document(doc_id)
    page.table.setFocus()
    settle(window)
    qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dlg = page.printer.reason_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.reason, timeout=3000)
    # "Other" needs a few words: the Reprint button stays off until they are written
    for _ in range(3):
        qtbot.keyClick(dlg.reason, Qt.Key.Key_Down)
    assert dlg.reason.currentData() == "other"
    ok = dlg.buttons.buttons()[0]
    assert not ok.isEnabled()
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.note
    qtbot.keyClicks(dlg.note, "torn at the counter")
    assert ok.isEnabled()
    qtbot.keyClick(dlg.note, Qt.Key.Key_Return)
    _print_through_dialog(qtbot, page.printer.flow, tmp_path, "again.pdf")
    settle(window)
    assert (tmp_path / "again.pdf").exists()
    events = _reprint_events(ctx, doc_id)
    assert [(e["reason"], e.get("reason_note")) for e in events] == [("other", "torn at the counter")]
    qtbot.waitUntil(lambda: "Reprinted once" in page.doc_label.text(), timeout=3000)
    assert "Other: torn at the counter" in page.doc_label.text()

    # a second reprint, "Lost", picked with the arrow key and Enter
    qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dlg = page.printer.reason_dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    dlg.reason.setFocus()
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Return)
    _print_through_dialog(qtbot, page.printer.flow, tmp_path, "lost.pdf")
    settle(window)
    assert [e["reason"] for e in _reprint_events(ctx, doc_id)] == ["other", "lost"]
    qtbot.waitUntil(lambda: "Reprinted 2 times" in page.doc_label.text(), timeout=3000)
    assert "(Lost)" in page.doc_label.text()
    assert (tmp_path / "lost.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_cancelling_the_reason_prints_nothing_and_records_nothing(window, qtbot, ctx, settle, monkeypatch):
    monkeypatch.setattr(printing, "printers_available", lambda: True)
    doc_id = store_document(ctx, patient_id=None, title="Vitamin K2 handout")
    page = window.go("log")
    settle(window)
    page.select_document(doc_id)
    page.print_current()
    dlg = page.printer.reason_dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Escape)
    settle(window)
    assert page.printer.flow.dialog is None and _reprint_events(ctx, doc_id) == []
    assert docs.reprints(ctx.store.db, doc_id) == []
