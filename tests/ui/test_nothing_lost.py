"""Issue 20: nothing lost by a click. A half-typed patient (a newly typed warfarin too) asks
Save / Discard / Cancel before a row change, Ctrl+N, a page change or Quit; final and audited
steps say what will happen and ask first; a discarded draft and a removed line come back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.services import library, operators, order_drafts, orders, patients
from k2desk.services.patients import PatientInput
from k2desk.ui.widgets.confirm import ConfirmDialog, UnsavedDialog
from k2desk.ui.widgets.reason_dialog import ReasonDialog

pytestmark = pytest.mark.xvfb  # also run on a real X server by .ci/run
Key = Qt.Key
Mod = Qt.KeyboardModifier


def _patient(ctx, name, meds=()):
    return patients.add_patient(ctx, PatientInput(name=name, dob="1956-03-14", medications=list(meds),
                                                  nkda=True))


def _half_typed(window, qtbot, settle):
    page = window.go("patients")
    settle(window)
    page.new_item()
    qtbot.keyClicks(page.form.name, "Jordan Lee")
    qtbot.keyClicks(page.form.medications.entry, "warfarin 5 mg")
    qtbot.keyClick(page.form.medications.entry, Key.Key_Return)
    return page


def _open_dialog(window, cls):
    QApplication.processEvents()
    shown = [d for d in window.findChildren(cls) if d.isVisible()]
    assert len(shown) == 1, f"expected one open {cls.__name__}"
    return shown[0]


def test_a_row_click_asks_and_cancel_keeps_the_typed_warfarin(window, qtbot, ctx, settle):
    other = _patient(ctx, "Olga Petrova")
    page = _half_typed(window, qtbot, settle)
    page.select_patient(other)  # as a click on another row
    dlg = _open_dialog(window, UnsavedDialog)
    assert "Jordan Lee" in dlg.label.text() and "warfarin 5 mg" in dlg.label.text()
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert page.form.name.text() == "Jordan Lee" and page.form.medications.values() == ["warfarin 5 mg"]
    assert not page.table.selectionModel().hasSelection()  # the selection went back too
    assert patients.list_patients(ctx) and len(patients.list_patients(ctx)) == 1
    # now Discard: the other patient is shown, nothing was stored
    page.select_patient(other)
    dlg = _open_dialog(window, UnsavedDialog)
    qtbot.mouseClick(dlg.discard_button, Qt.MouseButton.LeftButton)
    assert page.form.patient_id == other
    assert [p.name for p in patients.list_patients(ctx)] == ["Olga Petrova"]


def test_ctrl_n_asks_and_save_stores_the_patient_with_the_warfarin(window, qtbot, ctx, settle):
    page = _half_typed(window, qtbot, settle)
    qtbot.keyClicks(page.form.dob, "03/14/1956")  # US order, accepted
    page.form.nkda.setChecked(True)
    window.activateWindow()  # a window-wide key needs the active window (real X servers too)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Key.Key_N, Mod.ControlModifier)
    dlg = _open_dialog(window, UnsavedDialog)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    [stored] = patients.list_patients(ctx)
    assert stored.name == "Jordan Lee" and stored.dob.isoformat() == "1956-03-14"
    assert [m.text for m in stored.medications] == ["warfarin 5 mg"]
    assert page.form.patient_id is None and page.form.name.text() == ""  # then the new blank form


def test_a_failed_save_keeps_the_person_on_the_form(window, qtbot, ctx, settle):
    page = _half_typed(window, qtbot, settle)  # no date of birth: cannot be saved
    window.go("log")
    dlg = _open_dialog(window, UnsavedDialog)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert window.shown_page() is page and window.sidebar.currentRow() == 0
    assert page.form.messages["dob"].isVisibleTo(page) and patients.list_patients(ctx) == []
    assert QApplication.focusWidget() is page.form.dob or not window.isActiveWindow()


def test_a_page_change_asks_and_discard_goes_on(window, qtbot, ctx, settle):
    page = _half_typed(window, qtbot, settle)
    window.sidebar.setCurrentRow(3)  # the Log, as a click in the side bar
    dlg = _open_dialog(window, UnsavedDialog)
    assert window.shown_page() is page and window.sidebar.currentRow() == 0
    qtbot.mouseClick(dlg.discard_button, Qt.MouseButton.LeftButton)
    assert window.shown_page().key == "log"
    assert patients.list_patients(ctx) == []


def test_quit_asks_and_cancel_keeps_the_window_open(window, qtbot, settle):
    page = _half_typed(window, qtbot, settle)
    window.close()
    dlg = _open_dialog(window, UnsavedDialog)
    assert window.isVisible()
    dlg.cancel_button.click()
    assert window.isVisible() and page.form.name.text() == "Jordan Lee"
    window.close()
    _open_dialog(window, UnsavedDialog).discard_button.click()
    assert not window.isVisible()


def test_an_edited_stored_patient_asks_too_and_an_untouched_one_does_not(window, qtbot, ctx, settle):
    a = _patient(ctx, "Ana Reyes")
    b = _patient(ctx, "Bo Lindqvist")
    page = window.go("patients")
    settle(window)
    page.select_patient(a)
    page.select_patient(b)  # nothing typed: no question
    assert page.form.patient_id == b
    page.form.phone.setText("(817) 860-6083")
    page.select_patient(a)
    dlg = _open_dialog(window, UnsavedDialog)
    assert "Patient #" in dlg.label.text() and "Bo Lindqvist" in dlg.label.text()
    dlg.cancel_button.click()
    assert page.form.patient_id == b and page.form.phone.text() == "(817) 860-6083"


def _saved_order(window, ctx, settle):
    from doc_helpers import example_order
    from window_fixtures import fill_order

    pid = _patient(ctx, "Hana Suzuki")
    page = window.go("orders", patient_id=pid)
    settle(window)
    fill_order(page, example_order())
    page.save()
    settle(window)
    assert page.order is not None
    return page


def test_cancel_order_asks_first_and_go_back_changes_nothing(window, qtbot, ctx, settle):
    page = _saved_order(window, ctx, settle)
    cancel = page.status_buttons["cancelled"]
    assert cancel.property("danger") is True
    assert cancel.styleSheet() != page.status_buttons["dispensed"].styleSheet()  # styled apart
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    dlg = _open_dialog(window, ConfirmDialog)
    assert "final" in dlg.label.text() and f"order {page.order.id}" in dlg.label.text()
    assert dlg.back.isDefault()  # Enter never confirms a final step by accident
    dlg.back.click()
    assert orders.get_order(ctx, page.order.id).status == "draft"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    _open_dialog(window, ConfirmDialog).action.click()
    # Confirmed, the cancellation then asks why (#22); going back from that changes nothing too.
    why = _open_dialog(window, ReasonDialog)
    why.reject()
    assert orders.get_order(ctx, page.order.id).status == "draft"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    _open_dialog(window, ConfirmDialog).action.click()
    why = _open_dialog(window, ReasonDialog)
    qtbot.keyClicks(why.reason, "patient declined")
    why.buttons.button(why.buttons.StandardButton.Ok).click()
    assert orders.get_order(ctx, page.order.id).status == "cancelled"
    assert orders.status_history(ctx, page.order.id)[-1].note == "patient declined"
    assert "cancelled" in page.saved_orders.currentText()


def test_dispensed_asks_first(window, qtbot, ctx, settle):
    page = _saved_order(window, ctx, settle)
    page.change_status("sent-for-signature", "")
    page.change_status("signed-original-received", "fax from the prescriber's office")
    page.change_status("compounded", "")
    page.status_buttons["dispensed"].click()
    dlg = _open_dialog(window, ConfirmDialog)
    assert "dispensed" in dlg.label.text() and "final" in dlg.label.text()
    dlg.back.click()
    assert orders.get_order(ctx, page.order.id).status == "compounded"
    page.status_buttons["dispensed"].click()
    _open_dialog(window, ConfirmDialog).action.click()
    assert orders.get_order(ctx, page.order.id).status == "dispensed"


def test_vet_asks_first_and_shows_the_note(window, qtbot, ctx, settle):
    page = window.go("library")
    settle(window)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    page.status.setCurrentIndex(page.status.findData("draft"))
    settle(window)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    page.table.selectRow(0)
    sid = page.current.id
    before = page.current.state.label
    page.vet_button.click()
    dlg = _open_dialog(window, ConfirmDialog)
    assert sid in dlg.label.text() and "prints on" in dlg.label.text()
    if page.current.snippet.pharmacist_note:
        assert page.current.snippet.pharmacist_note in dlg.label.text()
    dlg.back.click()
    assert next(v for v in library.list_snippets(ctx) if v.id == sid).state.label == before


def test_removing_an_operator_asks_first(window, qtbot, ctx, settle):
    # A pharmacist needs a PIN, and the last pharmacist cannot be removed (#12): a signed-in
    # pharmacist removes another one.
    operators.add_operator(ctx, "Ana Ruiz", "AR", "1111")
    ctx.operator = "Ana Ruiz"
    operators.add_operator(ctx, "Dr. Bo Lindqvist", "BL", "2222")
    page = window.go("settings")
    settle(window)
    box = page.operators_box
    box.reload()
    row = next(r for r in range(box.table.rowCount()) if box.table.item(r, 0).text() == "Dr. Bo Lindqvist")
    box.table.selectRow(row)
    box.remove_selected()
    dlg = _open_dialog(window, ConfirmDialog)
    assert "Dr. Bo Lindqvist" in dlg.label.text()
    dlg.back.click()
    assert any(o.name == "Dr. Bo Lindqvist" for o in operators.list_operators(ctx))
    box.remove_selected()
    _open_dialog(window, ConfirmDialog).action.click()
    assert not any(o.name == "Dr. Bo Lindqvist" for o in operators.list_operators(ctx))


def test_a_discarded_draft_comes_back(window, qtbot, ctx, settle):
    pid = _patient(ctx, "Hana Suzuki")
    page = window.go("orders", patient_id=pid)
    settle(window)
    page.editor.cell("patient.diagnosis").input.setText("Osteopenia")
    page.save_draft()
    settle(window)
    page.discard_draft()
    settle(window)
    assert order_drafts.list_drafts(ctx, pid) == []
    assert page.editor.cell("patient.diagnosis").input.text() == ""
    page.undo()
    settle(window)
    assert page.editor.cell("patient.diagnosis").input.text() == "Osteopenia"
    [draft] = order_drafts.list_drafts(ctx, pid)
    assert draft.data["patient"]["diagnosis"] == "Osteopenia"


def test_the_idle_lock_hides_a_half_typed_patient_and_gives_it_back_to_the_same_operator(
        window, qtbot, ctx, settle):
    # A pharmacist needs a PIN, and once operators exist a pharmacist adds the next (#12).
    operators.add_operator(ctx, "Ana Ruiz", "AR", "1111")
    ctx.operator = "Ana Ruiz"
    operators.add_operator(ctx, "Bo Lindqvist", "BL", "2222")
    page = _half_typed(window, qtbot, settle)
    window.lock()
    assert page.form.name.text() == "" and page.form.medications.values() == []  # nothing on screen
    ls = window.lock_screen
    ls.operator.setCurrentText("Bo Lindqvist")
    ls.pin.setText("2222")
    ls.unlock()
    assert not window.is_locked() and page.form.name.text() == ""  # not shown to someone else
    window.lock()
    ls.operator.setCurrentText("Ana Ruiz")
    ls.pin.setText("1111")
    ls.unlock()
    assert page.form.name.text() == "Jordan Lee" and page.form.medications.values() == ["warfarin 5 mg"]
    assert page.unsaved_work() is not None  # still unsaved: leaving asks
    assert any(str(f.severity) == "major" for f in page.banner.findings)  # the warning is back too


def test_reject_and_retire_ask_for_a_reason_with_the_button_styled_apart(window, qtbot, ctx, settle):
    from k2desk.ui.widgets.reason_dialog import ReasonDialog

    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    page.status.setCurrentIndex(page.status.findData("vetted"))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    page.table.selectRow(0)
    sid = page.current.id
    for action in ("reject", "retire"):
        dlg = page.ask_reason(action)
        assert isinstance(dlg, ReasonDialog)
        ok = dlg.buttons.button(dlg.buttons.StandardButton.Ok)
        assert ok.property("danger") is True and not ok.isEnabled()  # a reason first
        dlg.reject()
    assert next(v for v in library.list_snippets(ctx) if v.id == sid).state.label == "vetted"


def test_a_final_step_starts_on_go_back_and_enter_changes_nothing(window, qtbot, ctx, settle):
    page = _saved_order(window, ctx, settle)
    page.status_buttons["cancelled"].click()
    dlg = _open_dialog(window, ConfirmDialog)
    dlg.activateWindow()
    qtbot.waitUntil(lambda: dlg.back.hasFocus(), timeout=3000)
    qtbot.keyClick(dlg.back, Qt.Key.Key_Return)
    assert not dlg.isVisible()
    assert orders.get_order(ctx, page.order.id).status == "draft"
