"""Attacks on issue #12 in the window (pytest-qt, keyboard where it matters): a technician is
signed in; a pharmacist's acknowledgement held on a page until Create."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from k2desk.services import interactions, operators, patients, settings
from k2desk.services.patients import PatientInput
from k2desk.ui.widgets.pharmacist import AcknowledgementDialog

PIN = "2468"


@pytest.fixture
def tech_window(window, qtbot, ctx):
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
    assert ctx.operator == "Tim Tech" and ctx.trust_login is False
    return window


def _patient(ctx, meds: list[str]) -> int:
    return patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True,
                                                  medications=meds))


def _acknowledge_by_keyboard(qtbot, page) -> None:
    page.ask_acknowledgement()
    dlg = page.findChild(AcknowledgementDialog)
    assert dlg is not None and dlg.isVisible()
    dlg.who.lineEdit().setFocus()
    qtbot.keyClicks(dlg.who.lineEdit(), "Pat Rx")
    qtbot.keyClick(dlg.standard, Qt.Key.Key_Down)
    dlg.pin.setFocus()
    qtbot.keyClicks(dlg.pin, PIN)
    qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)
    assert not dlg.isVisible()
    assert page.ack is not None and page.ack.by == "Pat Rx"


def test_a_held_acknowledgement_does_not_cover_a_medication_added_after_it(
        tech_window, qtbot, ctx, settle):
    """The pharmacist acknowledges Coumadin on the handout page; the technician then adds
    Sintrom to the list (Patients page) and presses Create: the pharmacist never saw Sintrom,
    so the handout must not be stored with an acknowledgement of it in their name."""
    window = tech_window
    pid = _patient(ctx, ["Coumadin 5 mg daily"])
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    _acknowledge_by_keyboard(qtbot, page)
    patients.update_patient(ctx, pid, PatientInput(
        "Hana Suzuki", "1952-07-14", nkda=True,
        medications=["Coumadin 5 mg daily", "Sintrom 2 mg daily"]))
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    page.set_topics(["interactions"])
    settle(window)
    page.save()
    settle(window)
    acks = interactions.acknowledgements_for_patient(ctx, pid)
    assert not any("Sintrom" in a.finding for a in acks), [a.finding for a in acks]
    assert page.document_id is None
    assert "medication list changed" in page.message.text()
    assert page.ack is None  # the next Create asks a pharmacist again
    qtbot.waitUntil(lambda: any("Sintrom" in f.input for f in page.banner.findings), timeout=10_000)
    assert not page.create_button.isEnabled()


def test_cancel_and_empty_pin_in_the_dialog_acknowledge_nothing(tech_window, qtbot, ctx, settle):
    window = tech_window
    pid = _patient(ctx, ["warfarin 5 mg daily"])
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    page.ask_acknowledgement()
    dlg = page.findChild(AcknowledgementDialog)
    dlg.who.lineEdit().setFocus()
    qtbot.keyClicks(dlg.who.lineEdit(), "Pat Rx")
    qtbot.keyClick(dlg.standard, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)  # empty PIN: nothing happens
    assert dlg.isVisible() and page.ack is None
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)  # cancel
    assert not dlg.isVisible() and page.ack is None
    assert not page.create_button.isEnabled()
    assert interactions.acknowledgements_for_patient(ctx, pid) == []


def test_a_held_acknowledgement_lapses_at_the_end_of_the_day_like_a_pending_one(
        tech_window, qtbot, ctx, settle):
    """Acknowledged at 23:58 and Create pressed after midnight: the window asks again instead
    of storing (and printing) today's date on yesterday's review."""
    import dataclasses
    import datetime as dt

    window = tech_window
    pid = _patient(ctx, ["warfarin 5 mg daily"])
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    _acknowledge_by_keyboard(qtbot, page)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    page.ack = dataclasses.replace(page.ack, day=yesterday)  # the clock passed midnight
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    page.set_topics(["interactions"])
    settle(window)
    page.save()
    settle(window)
    assert page.document_id is None and page.ack is None
    [dlg] = [d for d in page.findChildren(AcknowledgementDialog) if d.isVisible()]
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert interactions.acknowledgements_for_patient(ctx, pid) == []


def test_the_window_uses_a_pending_acknowledgement_recorded_on_its_own(tech_window, qtbot, ctx,
                                                                        settle):
    """The pharmacist recorded a pending acknowledgement at the command line (trusted login);
    the technician then makes the handout in the window: the pending one is used up, without a
    second acknowledgement, and the next handout needs its own."""
    window = tech_window
    pid = _patient(ctx, ["warfarin 5 mg daily"])
    saved = ctx.operator, ctx.trust_login
    ctx.operator, ctx.trust_login = "Pat Rx", True  # what `k2desk --operator "Pat Rx"` does
    try:
        [ack_id] = interactions.acknowledge(ctx, pid, interactions.findings_for_patient(ctx, pid),
                                            "Pat Rx", "counselled at the counter")
    finally:
        ctx.operator, ctx.trust_login = saved
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.banner.has_major(), timeout=10_000)
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    page.set_topics(["interactions"])
    settle(window)
    qtbot.waitUntil(lambda: page.create_button.isEnabled(), timeout=10_000)
    page.save()
    settle(window)
    assert page.document_id is not None, page.message.text()
    assert [e for e, _ in interactions.acknowledgement_used_by(ctx, ack_id)] == ["handout"]
    assert len(interactions.acknowledgements_for_patient(ctx, pid)) == 1
    # used up: the next handout waits for a pharmacist again
    page.set_topics(["what-is-k2"])
    settle(window)
    qtbot.waitUntil(lambda: not page.create_button.isEnabled(), timeout=10_000)


def test_a_technician_signs_off_the_table_only_with_a_pharmacists_pin(tech_window, qtbot, ctx,
                                                                       settle):
    """The Library page's Sign off button raised a TypeError (nothing happened) after the
    issue 13 merge; a technician must get the pharmacist's PIN dialog."""
    from k2desk.services import table_signoff
    from k2desk.ui.widgets.pharmacist import PharmacistDialog
    from k2desk.ui.widgets.reason_dialog import ReasonDialog

    window = tech_window
    page = window.go("library")
    qtbot.waitUntil(lambda: page.sign_off_button.isEnabled(), timeout=30_000)
    page.sign_off_button.setFocus()
    qtbot.keyClick(page.sign_off_button, Qt.Key.Key_Space)
    dlg = page.findChild(ReasonDialog)
    assert dlg is not None and dlg.isVisible()
    dlg.reason.setFocus()
    qtbot.keyClicks(dlg.reason, "Read every entry against its source")
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Return)
    conf = page.findChild(PharmacistDialog)
    assert conf is not None and conf.isVisible()
    conf.who.lineEdit().setFocus()
    qtbot.keyClicks(conf.who.lineEdit(), "Pat Rx")
    conf.pin.setFocus()
    qtbot.keyClicks(conf.pin, "0000")
    qtbot.keyClick(conf.pin, Qt.Key.Key_Return)
    assert conf.isVisible() and table_signoff.table_status(ctx).signoff is None
    qtbot.keyClicks(conf.pin, PIN)
    qtbot.keyClick(conf.pin, Qt.Key.Key_Return)
    settle(window)
    status = table_signoff.table_status(ctx)
    assert status.signoff is not None and status.signoff.signed_by == "Pat Rx"
