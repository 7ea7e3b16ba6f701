"""Issue 20, driven with the keyboard alone: Tab leaves tables and text boxes, forms follow what
the eye sees, search boxes answer Enter and Down, Ctrl+H/Ctrl+O start from the selected patient,
the order page's keys, and Alt+letter on labels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.services import orders, patients
from k2desk.services.patients import PatientInput
from k2desk.ui.pages.form_editor import write_input
from stored_documents import store_document

pytestmark = pytest.mark.xvfb  # also run on a real X server by .ci/run
Key = Qt.Key
Mod = Qt.KeyboardModifier


def focus(window):
    window.activateWindow()
    QApplication.processEvents()
    if QApplication.activeWindow() is not window:  # a real X server answers a moment later
        for _ in range(200):
            QApplication.processEvents()
            if QApplication.activeWindow() is window:
                break
            import time

            time.sleep(0.01)
    return QApplication.focusWidget()


def press(qtbot, window, key, mod=Mod.NoModifier):
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, mod)
    QApplication.processEvents()
    return QApplication.focusWidget()


def tab_until(qtbot, window, wanted, limit=60, back=False):
    for _ in range(limit):
        w = press(qtbot, window, Key.Key_Backtab if back else Key.Key_Tab,
                  Mod.ShiftModifier if back else Mod.NoModifier)
        if w is wanted:
            return True
    return False


def _patient(ctx, name="Ana Reyes", meds=("warfarin 5 mg",)):
    return patients.add_patient(ctx, PatientInput(name=name, dob="1956-03-14", medications=list(meds),
                                                  nkda=True))


def test_tab_from_a_selected_log_row_reaches_reprint_without_changing_the_selection(
        window, qtbot, ctx, settle):
    a = _patient(ctx, "Ana Reyes")
    b = _patient(ctx, "Bo Lindqvist", ())
    store_document(ctx, patient_id=a, title="Ana's handout")
    store_document(ctx, patient_id=b, title="Bo's handout")
    log = window.go("log")
    settle(window)
    focus(window)
    log.table.setFocus()
    log.table.selectRow(1)
    settle(window)
    chosen = log.current.id
    assert tab_until(qtbot, window, log.reprint_button)
    assert log.current.id == chosen and log.table.currentIndex().row() == 1
    # arrows still move inside the table
    log.table.setFocus()
    press(qtbot, window, Key.Key_Up)
    assert log.table.currentIndex().row() == 0 and log.current.id != chosen


def test_every_table_and_list_lets_tab_leave(window, settle):
    from PySide6.QtWidgets import QAbstractItemView

    for key in ("patients", "handout", "orders", "log", "library", "settings"):
        window.go(key)
    settle(window)
    views = window.findChildren(QAbstractItemView)
    assert len(views) >= 8
    assert [v.objectName() for v in views if v.tabKeyNavigation()] == []


def test_tab_leaves_the_address_and_enter_adds_a_line(window, qtbot):
    page = window.go("patients")
    focus(window)
    page.new_item()
    page.form.address.setFocus()
    qtbot.keyClicks(page.form.address, "1 Main St")
    press(qtbot, window, Key.Key_Return)
    qtbot.keyClicks(page.form.address, "Fort Worth, TX 76107")
    after = press(qtbot, window, Key.Key_Tab)
    assert page.form.address.toPlainText() == "1 Main St\nFort Worth, TX 76107"  # no '\t' stored
    assert after is page.form.notes


def test_medications_and_allergies_are_reached_going_forwards(window, qtbot):
    page = window.go("patients")
    focus(window)
    page.new_item()
    assert QApplication.focusWidget() is page.form.name
    assert tab_until(qtbot, window, page.form.medications.entry, limit=12)
    qtbot.keyClicks(page.form.medications.entry, "warfarin 5 mg")
    press(qtbot, window, Key.Key_Return)
    assert page.form.medications.values() == ["warfarin 5 mg"]
    assert tab_until(qtbot, window, page.form.allergy_list.entry, limit=12)


def test_alt_letters_go_to_the_labelled_field(window, qtbot):
    page = window.go("patients")
    focus(window)
    page.new_item()
    press(qtbot, window, Key.Key_M, Mod.AltModifier)
    assert QApplication.focusWidget() is page.form.medications.entry
    press(qtbot, window, Key.Key_B, Mod.AltModifier)
    assert QApplication.focusWidget() is page.form.dob


def test_ingredient_lines_come_before_dispense_as_written(window, qtbot, ctx, settle):
    pid = _patient(ctx, meds=())
    page = window.go("orders", patient_id=pid)
    settle(window)
    focus(window)
    page.editor.add_line()  # a line added later still comes in its place
    first = page.editor.cell("ingredients.1.ingredient").input
    second = page.editor.cell("ingredients.2.ingredient").input
    daw = page.editor.cell("compound.daw").input
    page.editor.cell("prescriber.date_written").input.setFocus()
    seen = []
    for _ in range(40):
        w = press(qtbot, window, Key.Key_Tab)
        seen.append(w)
        if w is daw:
            break
    assert first in seen and second in seen and daw in seen
    assert seen.index(first) < seen.index(second) < seen.index(daw)
    assert page.editor.cell("compound.daw").input.accessibleName().startswith("Dispense as written")


def test_enter_in_the_patient_search_opens_the_first_match_and_down_moves_into_results(
        window, qtbot, ctx, settle):
    _patient(ctx, "Nguyễn Thị Mai", ())
    other = _patient(ctx, "Olga Petrova", ())
    page = window.go("patients")
    settle(window)
    focus(window)
    page.search.setFocus()
    qtbot.keyClicks(page.search, "olga")
    press(qtbot, window, Key.Key_Return)
    assert page.form.patient_id == other
    page.search.clear()
    page.search.setFocus()
    settle(window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    assert press(qtbot, window, Key.Key_Down) is page.table


def test_enter_in_the_order_picker_starts_the_order_for_the_first_match(window, qtbot, ctx, settle):
    pid = _patient(ctx, "Olga Petrova", ())
    page = window.go("orders")
    focus(window)
    page.picker.search.setFocus()
    qtbot.keyClicks(page.picker.search, "petrova")
    press(qtbot, window, Key.Key_Return)  # at once: no need to wait for the pause after typing
    settle(window)
    assert page.patient is not None and page.patient.id == pid


def test_ctrl_h_and_ctrl_o_start_from_the_selected_patient(window, qtbot, ctx, settle):
    _patient(ctx, "Bo Lindqvist", ())
    pid = _patient(ctx, "Olga Petrova", ())
    page = window.go("patients")
    settle(window)
    assert page.select_patient(pid)
    focus(window)
    press(qtbot, window, Key.Key_H, Mod.ControlModifier)
    settle(window)
    assert window.shown_page().key == "handout" and window.pages["handout"].patient.id == pid
    press(qtbot, window, Key.Key_O, Mod.ControlModifier)
    settle(window)
    assert window.shown_page().key == "orders" and window.pages["orders"].patient.id == pid
    # from the log: the chosen document's patient
    other = _patient(ctx, "Chen Wei", ())
    store_document(ctx, patient_id=other, title="Chen's handout")
    log = window.go("log")
    settle(window)
    assert log.select_document(max(r.id for r in [log.model.row(i) for i in range(log.model.rowCount())]))
    focus(window)
    press(qtbot, window, Key.Key_H, Mod.ControlModifier)
    settle(window)
    assert window.shown_page().key == "handout" and window.pages["handout"].patient.id == other


def test_order_keys_acknowledge_override_status_and_undo(window, qtbot, ctx, settle):
    from doc_helpers import mk7_order
    from k2desk.ui.widgets.pharmacist import AcknowledgementDialog
    from k2desk.ui.widgets.reason_dialog import ReasonDialog
    from window_fixtures import fill_order

    pid = _patient(ctx)  # on warfarin: a major interaction
    page = window.go("orders", patient_id=pid)
    settle(window)
    focus(window)
    page.editor.cell("patient.diagnosis").input.setFocus()
    press(qtbot, window, Key.Key_K, Mod.ControlModifier | Mod.ShiftModifier)
    # #12: the acknowledgement names the pharmacist (never pre-filled) and, for an order, how
    # the prescriber or clinic was reached; the service checks it before the dialog closes.
    [dlg] = [d for d in page.findChildren(AcknowledgementDialog) if d.isVisible()]
    assert dlg.name() == ""
    dlg.who.setEditText("test-rph")
    qtbot.keyClicks(dlg.reason, "INR checked by the clinic")
    dlg.contact.setCurrentIndex(1)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert page.ack is not None and page.ack.by == "test-rph"
    # An MK-7 line: an MK-4 line for a warfarin patient also needs #13's contraindication
    # override, which this keyboard test is not about.
    fill_order(page, mk7_order())
    write_input(page.editor.cell("prescriber.npi").input, "1234567890")  # fails the check digit
    page.run_check()
    settle(window)
    npi = page.editor.cell("prescriber.npi")
    qtbot.waitUntil(lambda: npi.override_button.isVisibleTo(page), timeout=3000)
    focus(window)  # back from the dialog
    page.editor.cell("prescriber.npi").input.setFocus()
    press(qtbot, window, Key.Key_O, Mod.ControlModifier | Mod.ShiftModifier)
    [ov] = [d for d in page.findChildren(ReasonDialog) if d.isVisible()]
    qtbot.keyClicks(ov.reason, "Checked with the prescriber's office")
    ov.accept()
    assert page.overrides["prescriber.npi"] == "Checked with the prescriber's office"
    # remove a line and bring it back with Ctrl+Shift+U
    page.editor.add_line({"ingredient": "Vitamin D3", "strength": "1000", "unit": "IU"})
    page.editor.remove_line(1)
    assert len(page.editor.line_cells) == 1
    focus(window)
    page.editor.cell("ingredients.1.strength").input.setFocus()
    press(qtbot, window, Key.Key_U, Mod.ControlModifier | Mod.ShiftModifier)
    assert page.editor.lines_values()[1]["ingredient"] == "Vitamin D3"
    page.editor.remove_line(1)
    page.save()
    settle(window)
    assert page.order is not None
    page.saved_orders.setFocus()
    press(qtbot, window, Key.Key_1, Mod.AltModifier)
    assert orders.get_order(ctx, page.order.id).status == "sent-for-signature"
    assert "sent for signature" in page.saved_orders.currentText()  # not "draft" any more


def test_small_things_banner_words_acknowledgement_names_who_and_why_save_folder(window, ctx, settle):
    from pathlib import Path

    from k2desk.ui.printing import save_folder_suggestion

    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    text = page.banner.label.text()
    assert "coumarin vka" not in text and "vitamin K antagonist, coumarin type" in text
    page.acknowledge("Dr. Ana Ruiz", "INR checked weekly by the clinic")
    text = page.banner.label.text()
    assert "Dr. Ana Ruiz" in text and "INR checked weekly by the clinic" in text
    assert Path(save_folder_suggestion("order-1.pdf")).parent != Path.cwd()
    window.statusBar().showMessage("Order 4 saved")
    window.go("library")
    assert window.statusBar().currentMessage() == ""  # no message carried over to another page


def test_settings_bring_the_first_wrong_field_into_view(window, settle):
    page = window.go("settings")
    settle(window)
    page.scroll.verticalScrollBar().setValue(page.scroll.verticalScrollBar().maximum())  # scrolled away
    npi = page.editors["pharmacy.npi"]
    npi.widget.setText("1234567890")  # fails the check digit
    page.save()
    assert "marked in red" in page.status.text() and npi.spec.label in page.status.text()
    assert npi.widget.hasFocus() or QApplication.focusWidget() is npi.widget or not window.isActiveWindow()
    top = npi.widget.mapTo(page.scroll.widget(), npi.widget.rect().topLeft()).y()
    shown_from = page.scroll.verticalScrollBar().value()
    assert shown_from <= top <= shown_from + page.scroll.viewport().height()


def test_the_date_of_birth_calendar_writes_a_us_date_that_is_stored_iso(window, qtbot, ctx):
    import datetime as dt

    from PySide6.QtCore import QDate

    page = window.go("patients")
    page.new_item()
    page.form.name.setText("Ana Reyes")
    page.form.dob.setText("03/14/1956")
    dlg = page.form.dob_picker.open_picker()
    assert dlg.date() == dt.date(1956, 3, 14)  # starts at what is typed
    dlg.calendar.setSelectedDate(QDate(1956, 3, 15))
    dlg.accept()
    assert page.form.dob.text() == "03/15/1956"
    page.form.nkda.setChecked(True)
    assert page.save()
    assert patients.get_patient(ctx, page.form.patient_id).dob == dt.date(1956, 3, 15)
    assert page.form.dob_picker.accessibleName().startswith("Choose the date of birth")


def test_the_handout_preview_opens_larger(window, qtbot, ctx, settle):
    pid = _patient(ctx, meds=())
    page = window.go("handout", patient_id=pid)
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    page.set_topics(["bone"])
    qtbot.waitUntil(lambda: page.previews > 0, timeout=20_000)
    settle(window)
    dlg = page.open_large_preview()
    assert dlg is not None and dlg.preview.page_count() > 0
    assert dlg.preview.pdf_bytes == page.preview.pdf_bytes  # the same bytes, larger
    assert dlg.width() > page.preview.width() * 1.5
    dlg.close()


def test_mnemonics_do_not_clash_on_a_page(window, settle):
    """Two controls on one page with the same Alt letter would make the key ambiguous."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    menus = {"f", "e", "g", "h"}  # File, Edit, Go, Help
    for key in ("patients", "handout", "orders", "log", "library", "settings"):
        page = window.go(key)
        settle(window)
        letters: dict[str, str] = {}
        for w in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
            text = w.text().replace("&&", "")
            if "&" not in text:
                continue
            letter = text[text.index("&") + 1].lower()
            assert letter not in menus, f"{key}: {text!r} takes a menu's Alt letter"
            assert letter not in letters, f"{key}: {text!r} and {letters[letter]!r} share Alt+{letter}"
            letters[letter] = text
        assert letters or key == "settings", f"{key} has no Alt letters"
