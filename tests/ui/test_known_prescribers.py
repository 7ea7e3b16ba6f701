"""The order editor's known-prescriber search: name or NPI, Enter fills every prescriber field,
which stay editable and checked; keyboard only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.services import patients
from k2desk.services.patients import PatientInput
from k2desk.ui.pages.form_editor import read_input
from prescriber_data import seed_orders


def _values(page):
    ed = page.editor
    return {k: read_input(ed.cell(k).input) for k in (
        "prescriber.name", "prescriber.npi", "prescriber.licence", "prescriber.dea", "prescriber.phone",
        "prescriber.fax", "prescriber.address")}


def test_pick_a_known_prescriber_by_name_or_npi(window, qtbot, ctx, settle):
    seed_orders(ctx)
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    page = window.go("orders", patient_id=pid)
    settle(window)
    box = page.prescriber_picker.search
    box.setFocus()
    qtbot.keyClicks(box, "chen")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    settle(window)
    assert _values(page) == {
        "prescriber.name": "Dr. Wei Chen", "prescriber.npi": "1987654328",
        "prescriber.licence": "TX Q55555", "prescriber.dea": "", "prescriber.phone": "(214) 555-0123",
        "prescriber.fax": "", "prescriber.address": "9 Elm St\nDallas, TX 75201"}
    assert QApplication.focusWidget() is page.editor.cell("prescriber.name").input

    # by NPI, then Down into the list and Enter: the whole set is replaced, latest details
    box.setFocus()
    qtbot.keyClicks(box, "123456")
    qtbot.waitUntil(lambda: page.prescriber_picker.results.count() == 1
                    and page.prescriber_picker.results.isVisible(), timeout=3000)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is page.prescriber_picker.results
    qtbot.keyClick(page.prescriber_picker.results, Qt.Key.Key_Return)
    settle(window)
    v = _values(page)
    assert v["prescriber.name"] == "Dr. Maria Lopez" and v["prescriber.phone"] == "(817) 555-0142"
    assert v["prescriber.fax"] == "(817) 860-6083" and "Fort Worth" in v["prescriber.address"]

    # still editable, and checked as if typed: a wrong NPI check digit warns at the field
    npi = page.editor.cell("prescriber.npi")
    assert npi.input.isEnabled()
    npi.input.setFocus()
    npi.input.selectAll()
    qtbot.keyClicks(npi.input, "1234567890")
    qtbot.waitUntil(lambda: "check-digit" in npi.message.text(), timeout=5000)


def test_no_match_says_so_and_fills_nothing(window, qtbot, ctx, settle):
    seed_orders(ctx)
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    page = window.go("orders", patient_id=pid)
    settle(window)
    box = page.prescriber_picker.search
    box.setFocus()
    qtbot.keyClicks(box, "zzz")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    settle(window)
    assert _values(page)["prescriber.name"] == ""
    assert "No prescriber from an earlier order matches" in page.prescriber_picker.results.item(0).text()
