"""The Orders page's Export… driven with the keyboard alone: filters, the file, a progress bar,
the file read back, a bad filter explained in the dialog, and "Show in folder" after; a saved
order shows its status history; cancelling asks why."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from doc_helpers import pdf_text
from k2desk.services import orders
from k2desk.ui.widgets import order_export_dialog
from k2desk.ui.widgets.confirm import ConfirmDialog
from order_log_data import make_order_log

SHOTS = Path(os.environ.get("K2DESK_SHOTS", "/tmp/k2desk-i22-shots"))


def _grab(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def test_export_orders_from_the_window_with_the_keyboard(window, qtbot, ctx, settle, tmp_path,
                                                         monkeypatch):
    log = make_order_log(ctx)
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    page = window.go("orders")
    window.resize(1280, 800)
    page.export_button.setFocus()
    qtbot.keyClick(page.export_button, Qt.Key.Key_Space)
    dlg = page.export_dialog
    qtbot.waitUntil(dlg.isVisible)
    qtbot.waitUntil(dlg.since.hasFocus)
    # A bad filter is explained in the dialog, in words, and nothing is written.
    _type(qtbot, dlg.since, "2026-02-30")
    out = tmp_path / "orders.csv"
    dlg.path.clear()
    _type(qtbot, dlg.path, str(tmp_path / "orders.xlsx"))
    qtbot.keyClick(dlg.path, Qt.Key.Key_Return)
    assert "From:" in dlg.message.text() and "2026-02-30" in dlg.message.text()
    assert "--" not in dlg.message.text(), "no command-line flags in the window"
    _grab(dlg, "order-export-dialog-bad-filter")
    assert not list(tmp_path.iterdir())
    # Now a good selection: dispensed orders only, as CSV, chosen with the keyboard.
    dlg.since.clear()
    dlg.status.setFocus()
    for _ in range(dlg.status.findData("dispensed")):
        qtbot.keyClick(dlg.status, Qt.Key.Key_Down)
    assert dlg.status.currentData() == "dispensed"
    dlg.format.setFocus()
    qtbot.keyClick(dlg.format, Qt.Key.Key_Down)
    assert dlg.format.currentData() == "csv" and dlg.path.text().endswith("orders.csv")
    _type(qtbot, dlg.ingredient, "chole")
    _grab(dlg, "order-export-dialog")
    qtbot.keyClick(dlg.ingredient, Qt.Key.Key_Return)
    assert dlg.progress.isVisible() and not dlg.export_button.isEnabled()
    settle(window)
    qtbot.waitUntil(lambda: dlg.show_folder.isEnabled(), timeout=20_000)
    assert dlg.progress.value() == 100
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["order_id"] for r in rows} == {str(i) for i in log["dispensed"]}
    assert all(r["status"] == "dispensed" and r["dispensed_at"] for r in rows)
    assert "2 orders" in dlg.message.text()
    _grab(dlg, "order-export-dialog-done")
    opened: list[Path] = []
    monkeypatch.setattr(order_export_dialog, "open_folder", opened.append)
    dlg.show_folder.setFocus()
    qtbot.keyClick(dlg.show_folder, Qt.Key.Key_Space)
    assert opened == [tmp_path]
    # The same selection as the printable PDF order log.
    dlg.format.setFocus()
    for _ in range(2):
        qtbot.keyClick(dlg.format, Qt.Key.Key_Down)
    assert dlg.format.currentData() == "pdf" and dlg.path.text().endswith("orders.pdf")
    qtbot.keyClick(dlg.format, Qt.Key.Key_Return)
    settle(window)
    qtbot.waitUntil(lambda: dlg.show_folder.isEnabled(), timeout=20_000)
    text = " ".join(pdf_text((tmp_path / "orders.pdf").read_bytes()).split())
    assert "2 orders" in text and "status dispensed; ingredient or base chole" in text
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()


def test_saved_order_shows_its_history_and_cancel_asks_why(window, qtbot, ctx, settle):
    log = make_order_log(ctx)
    page = window.go("orders", order_id=log["ids"][2])
    settle(window)
    text = page.history_label.text()
    assert "draft by test-rph" in text and "sent for signature by test-rph" in text
    assert "signed original received by test-rph (fax from the prescriber's office)" in text
    for size, name in (((1280, 800), "orders-history-1280"), ((1024, 768), "orders-history-1024")):
        window.resize(*size)
        QApplication.processEvents()
        _grab(window, name)
    page.status_buttons["cancelled"].click()
    # #20: a final step first says what will happen, with its own red button; then #22 asks why.
    [sure] = [d for d in window.findChildren(ConfirmDialog) if d.isVisible()]
    assert "This is final" in sure.label.text()
    sure.action.click()
    dlg = next(w for w in QApplication.topLevelWidgets()
               if w.objectName() == "cancel-reason" and w.isVisible())
    qtbot.keyClicks(dlg.reason, "Prescriber stopped the K2")
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Return)
    settle(window)
    assert orders.get_order(ctx, log["ids"][2]).status == "cancelled"
    assert orders.status_history(ctx, log["ids"][2])[-1].note == "Prescriber stopped the K2"
    assert "cancelled by test-rph (Prescriber stopped the K2)" in page.history_label.text()
