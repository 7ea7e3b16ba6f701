"""Roles in the window (issue #12), keyboard only: a technician signed in cannot acknowledge,
override, dispense or vet alone; a pharmacist's name and PIN let that one action through. The
acknowledgement dialog never pre-fills a name and offers standard reasons plus free text."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from k2desk.resources import forms_dir
from k2desk.services import interactions, library, operators, orders, patients, settings
from k2desk.services.patients import PatientInput
from k2desk.ui.widgets.pharmacist import AcknowledgementDialog, PharmacistDialog
from window_fixtures import fill_order

PIN = "2468"


@pytest.fixture
def tech_window(window, qtbot, ctx):
    """The window with a pharmacist and a technician configured; the technician signed in
    through the lock screen."""
    settings.set_settings(ctx, {"pharmacy.name": "Summit Compounding",
                                "pharmacy.phone": "(817) 555-0100", "pharmacy.fax": "(817) 555-0101",
                                "pharmacy.address": "1 Main St"})
    operators.add_operator(ctx, "Pat Rx", "PR", PIN, "pharmacist")
    operators.add_operator(ctx, "Tim Tech", "TT", "", "technician", by="Pat Rx", by_pin=PIN)
    window.lock()
    ls = window.lock_screen
    ls.prepare(None)
    ls.operator.setCurrentText("Tim Tech")
    ls.unlock()
    assert not window.is_locked() and ctx.operator == "Tim Tech"
    assert ctx.trust_login is False
    return window


def _warfarin_patient(ctx) -> int:
    return patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True,
                                                  medications=["Coumadin 5 mg daily"]))


def _ok(dlg):
    return dlg.buttons.button(dlg.buttons.StandardButton.Ok)


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_technician_cannot_acknowledge_alone_and_a_pharmacists_pin_lets_it_through(
        tech_window, qtbot, ctx, settle):
    window = tech_window
    pid = _warfarin_patient(ctx)
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    page.ask_acknowledgement()
    dlg = page.findChild(AcknowledgementDialog)
    assert dlg is not None and dlg.isVisible()
    assert dlg.name() == "" and dlg.who.count() == 1  # only the pharmacist is offered
    assert not _ok(dlg).isEnabled()
    # the technician names themself: refused in the dialog, which stays open
    _type(qtbot, dlg.who.lineEdit(), "Tim Tech")
    qtbot.keyClick(dlg.standard, Qt.Key.Key_Down)  # the first standard reason
    assert dlg.reason_text().startswith("Prescriber aware")
    _type(qtbot, dlg.reason, "spoke to Dr Lopez")
    assert dlg.reason_text() == "Prescriber aware; INR to be checked in 1-2 weeks. spoke to Dr Lopez"
    assert _ok(dlg).isEnabled()  # the signed-in operator needs no PIN for themself...
    _enter(qtbot, dlg.reason)
    assert dlg.isVisible()  # ...but is not a pharmacist
    assert "Only a pharmacist may acknowledge an interaction" in dlg.messages["who"].text()
    # the pharmacist, with a wrong PIN, then the right one
    dlg.who.lineEdit().selectAll()
    _type(qtbot, dlg.who.lineEdit(), "Pat Rx")
    assert not _ok(dlg).isEnabled()  # another person: their PIN is needed
    _type(qtbot, dlg.pin, "9999")
    _enter(qtbot, dlg.pin)
    assert dlg.isVisible() and "not Pat Rx's PIN" in dlg.messages["pin"].text()
    assert dlg.pin.text() == ""  # cleared after a wrong PIN
    _type(qtbot, dlg.pin, PIN)
    _enter(qtbot, dlg.pin)
    assert not dlg.isVisible()
    assert page.ack is not None and page.ack.by == "Pat Rx"
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    page.set_topics(["interactions"])
    settle(window)
    page.save()
    settle(window)
    assert page.document_id is not None, (page.message.text(), window.bridge.last_error)
    [ack] = interactions.acknowledgements_for_patient(ctx, pid)
    assert (ack.operator, ack.purpose) == ("Pat Rx", "handout")
    row = ctx.store.conn.execute("SELECT operator, details FROM audit_events"
                                 " WHERE action='acknowledge'").fetchone()
    assert row[0] == "Tim Tech" and json.loads(row[1])["acknowledged_by"] == "Pat Rx"
    # used by this handout: the next one needs its own
    assert page.ack is None


def _example() -> dict:
    """The example order with an MK-7 line: it needs the acknowledgement, not the MK-4
    contraindication override (issue #13)."""
    data = json.loads((forms_dir() / "examples" / "compound_order_example.json").read_text())
    data["ingredients"] = [{"ingredient": "MK-7 (menaquinone-7)", "strength": "180", "unit": "mcg"}]
    data["compound"]["quantity"] = "30"
    data["compound"]["sig"] = "Take 1 capsule by mouth once daily."
    return data




def test_order_acknowledgement_asks_how_the_prescriber_was_reached_and_dispensing_needs_a_pharmacist(
        tech_window, qtbot, ctx, settle):
    window = tech_window
    pid = _warfarin_patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    data = _example()
    data["prescriber"]["npi"] = "1234567890"  # a warning the technician cannot override alone
    fill_order(page, data)
    settle(window)
    page.grant_override("prescriber.npi", "Checked on NPPES")
    page.save()
    dlg = page.findChild(AcknowledgementDialog)
    assert dlg is not None and dlg.isVisible()
    _type(qtbot, dlg.who.lineEdit(), "Pat Rx")
    _type(qtbot, dlg.pin, PIN)
    _type(qtbot, dlg.reason, "INR next week")
    assert not _ok(dlg).isEnabled()  # the contact method is required on an order
    for _ in range(5):  # Phone, Fax, In person, Secure message, Not reached
        qtbot.keyClick(dlg.contact, Qt.Key.Key_Down)
    assert dlg.contact.currentData() == "not-reached"
    _type(qtbot, dlg.contact_note, "Office closed")
    _enter(qtbot, dlg.contact_note)
    assert not dlg.isVisible() and page.ack.contact == "not-reached"
    page.save()  # the override needs a pharmacist too
    conf = page.findChild(PharmacistDialog)
    assert conf is not None and conf.isVisible()
    assert "override a warning" in conf.findChild(QLabel, "explanation").text()
    _type(qtbot, conf.who.lineEdit(), "Pat Rx")
    _type(qtbot, conf.pin, "0000")
    _enter(qtbot, conf.pin)
    assert conf.isVisible() and "not Pat Rx's PIN" in conf.messages["pin"].text()
    _type(qtbot, conf.pin, PIN)
    _enter(qtbot, conf.pin)
    settle(window)
    qtbot.waitUntil(lambda: page.order is not None, timeout=10_000)
    order = orders.get_order(ctx, page.order.id)
    assert [o.operator for o in order.overrides] == ["Pat Rx"]
    assert order.interactions[0].ack_contact == "not-reached"
    assert "NOT REACHED (Office closed)" in order.values["pharmacy_use.interaction_review"]

    for status, note in (("sent-for-signature", ""), ("signed-original-received", "fax"),
                         ("compounded", "")):
        page.change_status(status, note)
    page.change_status("dispensed", "")
    conf = [d for d in page.findChildren(PharmacistDialog) if d.isVisible()][-1]
    assert orders.get_order(ctx, page.order.id).status == "compounded"
    _type(qtbot, conf.who.lineEdit(), "Tim Tech")
    _enter(qtbot, conf.who.lineEdit())
    assert "Only a pharmacist may mark an order dispensed" in conf.messages["who"].text()
    assert conf.isVisible()
    conf.who.lineEdit().selectAll()
    _type(qtbot, conf.who.lineEdit(), "Pat Rx")
    _type(qtbot, conf.pin, PIN)
    _enter(qtbot, conf.pin)
    assert orders.get_order(ctx, page.order.id).status == "dispensed"


def test_technician_cannot_vet_alone(tech_window, qtbot, ctx, settle):
    window = tech_window
    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded and page.topic.count() > 1, timeout=30_000)
    sid = "what-mk7-long-half-life"
    library.retire(ctx, sid, "Pat Rx", "to test vetting again", pin=PIN)
    page.reload(keep=sid)
    settle(window)
    assert page.select(sid)
    # #20: vetting first says what will happen (it prints on handouts); only then (#12) does
    # a technician's window ask a pharmacist's name and PIN.
    sure = page.ask_vet()
    assert sure is not None and "prints on" in sure.label.text()
    assert page.findChild(PharmacistDialog) is None
    sure.action.click()
    conf = page.findChild(PharmacistDialog)
    assert conf is not None and conf.isVisible()
    assert library.show(ctx, sid).state.label == "retired"
    _type(qtbot, conf.who.lineEdit(), "Pat Rx")
    _type(qtbot, conf.pin, PIN)
    _enter(qtbot, conf.pin)
    settle(window)
    assert library.show(ctx, sid).state.label == "vetted"
    assert library.history(ctx, sid)[-1].operator == "Pat Rx"


def test_with_no_operators_the_dialog_asks_no_pin(window, qtbot, ctx, settle):
    pid = _warfarin_patient(ctx)
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    dlg = page.ask_acknowledgement()
    assert dlg.name() == "" and dlg.pin.isHidden()
    _type(qtbot, dlg.who.lineEdit(), "Dana Lee")
    _type(qtbot, dlg.reason, "Clinic aware")
    _enter(qtbot, dlg.reason)
    assert not dlg.isVisible() and page.ack.by == "Dana Lee" and page.ack.pin is None


def test_operators_settings_add_a_technician_and_change_a_role_by_keyboard(window, qtbot, ctx):
    page = window.go("settings")
    box = page.operators_box
    assert box.role.currentData() == "pharmacist"  # the first operator owns the counter
    _type(qtbot, box.name, "Pat Rx")
    _type(qtbot, box.pin, PIN)
    box.add()
    _type(qtbot, box.name, "Tim Tech")
    qtbot.keyClick(box.role, Qt.Key.Key_Down)
    assert box.role.currentData() == "technician"
    # test-rph is not an operator: a pharmacist confirms the change
    box.add()
    conf = box.findChild(PharmacistDialog)
    assert conf is not None and conf.isVisible()
    _type(qtbot, conf.who.lineEdit(), "Pat Rx")
    _type(qtbot, conf.pin, PIN)
    _enter(qtbot, conf.pin)
    assert [(o.name, o.role) for o in operators.list_operators(ctx)] == [
        ("Pat Rx", "pharmacist"), ("Tim Tech", "technician")]
    assert [box.table.item(r, 3).text() for r in range(2)] == ["pharmacist", "technician"]
    # making the technician a pharmacist needs a PIN first: said under the field
    box.table.selectRow(1)
    qtbot.keyClick(box.role, Qt.Key.Key_Up)
    box.set_role_of_selected()
    conf = [d for d in box.findChildren(PharmacistDialog) if d.isVisible()][-1]
    _type(qtbot, conf.who.lineEdit(), "Pat Rx")
    _type(qtbot, conf.pin, PIN)
    _enter(qtbot, conf.pin)
    assert "needs a PIN before becoming a pharmacist" in box.messages["pin"].text()
    assert QApplication.instance() is not None
