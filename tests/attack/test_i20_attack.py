"""Issue 20 attacked as a pharmacist on a keyboard-only counter shift: what the eye sees selected
is what Ctrl+P reprints (Tab into a table chooses nothing, Ctrl+Space takes the choice away), a
half-typed patient is asked about once and only when a row is really chosen, Ctrl+H after "Save"
starts the handout for the patient just saved, final steps are never taken by a stray Enter, and
dates typed the ways people type them get an answer that says what is wrong."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.domain.validation import parse_date, validate_dob
from k2desk.services import operators, patients
from k2desk.services.patients import PatientInput
from k2desk.ui.widgets.confirm import ConfirmDialog, UnsavedDialog
from stored_documents import store_document

Key = Qt.Key
Mod = Qt.KeyboardModifier


def _patient(ctx, name, meds=()):
    return patients.add_patient(ctx, PatientInput(name=name, dob="1956-03-14", medications=list(meds),
                                                  nkda=True))


def _focus(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _tab_to(qtbot, wanted, limit=40):
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Key.Key_Tab)
        QApplication.processEvents()
        if QApplication.focusWidget() is wanted:
            return True
    return False


def _shown(window, cls):
    QApplication.processEvents()
    return [d for d in window.findChildren(cls) if d.isVisible()]


def _log_with_two_documents(window, ctx, settle):
    a = _patient(ctx, "Ana Reyes", ["warfarin 5 mg"])
    b = _patient(ctx, "Bo Lindqvist")
    store_document(ctx, patient_id=a, title="Ana's handout")
    store_document(ctx, patient_id=b, title="Bo's handout")
    log = window.go("log")
    settle(window)
    return log


# -- what is selected is what acts ------------------------------------------------------------
def test_tab_into_the_log_table_chooses_no_document_and_ctrl_p_prints_nothing(window, qtbot, ctx, settle):
    log = _log_with_two_documents(window, ctx, settle)
    _focus(window, qtbot)
    log.search.setFocus()
    assert _tab_to(qtbot, log.table)
    settle(window)
    assert log.table.selectionModel().selectedIndexes() == []  # nothing shown selected ...
    assert log.current is None and not log.reprint_button.isEnabled()  # ... so nothing to reprint
    qtbot.keyClick(window, Key.Key_P, Mod.ControlModifier)
    assert "Choose a document" in window.statusBar().currentMessage()
    qtbot.keyClick(log.table, Key.Key_Down)  # an arrow does choose, and selects what it chose
    settle(window)
    [row] = {i.row() for i in log.table.selectionModel().selectedIndexes()}
    assert log.current is not None and log.current.id == log.model.row(row).id


def test_ctrl_space_takes_the_row_away_and_reprint_with_it(window, qtbot, ctx, settle):
    log = _log_with_two_documents(window, ctx, settle)
    _focus(window, qtbot)
    log.table.setFocus()
    log.table.selectRow(1)
    settle(window)
    assert log.reprint_button.isEnabled()
    qtbot.keyClick(log.table, Key.Key_Space, Mod.ControlModifier)  # deselects the row in Qt
    QApplication.processEvents()
    assert not log.table.selectionModel().hasSelection()
    assert log.current is None and not log.reprint_button.isEnabled() and not log.fax_button.isEnabled()
    assert log.doc_label.text() == ""


def test_tab_into_the_library_table_does_not_arm_vet_for_an_unselected_snippet(window, qtbot, settle):
    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded and page.model.rowCount() > 0, timeout=10_000)
    _focus(window, qtbot)
    page.table.clearSelection()
    page.topic.setFocus()
    assert _tab_to(qtbot, page.table)
    QApplication.processEvents()
    assert not page.table.selectionModel().hasSelection()
    assert page.current is None and not page.vet_button.isEnabled() and not page.retire_button.isEnabled()


def _half_typed(window, qtbot, settle):
    page = window.go("patients")
    settle(window)
    page.new_item()
    qtbot.keyClicks(page.form.name, "Jordan Lee")
    qtbot.keyClicks(page.form.dob, "03/14/1956")
    page.form.nkda.setChecked(True)
    qtbot.keyClicks(page.form.medications.entry, "warfarin 5 mg")
    qtbot.keyClick(page.form.medications.entry, Key.Key_Return)
    return page


def test_tab_into_the_patients_list_with_a_half_typed_patient_neither_asks_nor_opens_anyone(
        window, qtbot, ctx, settle):
    _patient(ctx, "Olga Petrova")
    page = _half_typed(window, qtbot, settle)
    _focus(window, qtbot)
    page.search.setFocus()
    assert _tab_to(qtbot, page.table)
    assert _shown(window, UnsavedDialog) == []
    assert page.form.patient_id is None and page.form.name.text() == "Jordan Lee"


def test_enter_in_the_search_with_a_half_typed_patient_asks_once(window, qtbot, ctx, settle):
    olga = _patient(ctx, "Olga Petrova")
    page = _half_typed(window, qtbot, settle)
    qtbot.keyClicks(page.search, "Olga")
    settle(window)
    qtbot.keyClick(page.search, Key.Key_Return)
    dialogs = _shown(window, UnsavedDialog)
    assert len(dialogs) == 1  # not one dialog on top of another
    dialogs[0].save_button.click()
    settle(window)
    assert page.form.patient_id == olga
    assert {p.name for p in patients.list_patients(ctx)} == {"Olga Petrova", "Jordan Lee"}


def test_ctrl_h_then_save_starts_the_handout_for_the_patient_just_saved(window, qtbot, ctx, settle):
    _half_typed(window, qtbot, settle)
    _focus(window, qtbot)
    qtbot.keyClick(window, Key.Key_H, Mod.ControlModifier)
    [dlg] = _shown(window, UnsavedDialog)
    dlg.save_button.click()
    settle(window)
    [jordan] = patients.list_patients(ctx)
    handout = window.shown_page()
    assert handout.key == "handout"
    assert handout.patient is not None and handout.patient.id == jordan.id


# -- final steps: Enter never takes them (held) ------------------------------------------------
def test_enter_on_remove_operator_goes_back(window, qtbot, ctx, settle):
    # A pharmacist needs a PIN, and once operators exist a pharmacist adds the next (#12).
    operators.add_operator(ctx, "Ana Ruiz", "AR", "1111")
    ctx.operator = "Ana Ruiz"
    operators.add_operator(ctx, "Bo Lindqvist", "BL", "2222")
    page = window.go("settings")
    settle(window)
    box = page.operators_box
    box.reload()
    row = next(r for r in range(box.table.rowCount()) if box.table.item(r, 0).text() == "Bo Lindqvist")
    box.table.selectRow(row)
    box.remove_selected()
    [dlg] = _shown(window, ConfirmDialog)
    assert "Bo Lindqvist" in dlg.label.text()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: dlg.back.hasFocus(), timeout=3000)
    qtbot.keyClick(dlg.back, Key.Key_Return)
    assert "Bo Lindqvist" in [o.name for o in operators.list_operators(ctx)]


# -- dates as typed at the counter ------------------------------------------------------------
@pytest.mark.parametrize(("typed", "iso"), [("03/14/1956", "1956-03-14"), ("3/4/1956", "1956-03-04"),
                                            ("1956-03-14", "1956-03-14"), (" 03/14/1956 ", "1956-03-14")])
def test_us_and_iso_dates_are_read_month_first(typed, iso):
    d, issues = validate_dob(typed)
    assert issues == [] and d is not None and d.isoformat() == iso


@pytest.mark.parametrize(("typed", "says"), [
    ("3/4/56", "short year (56: 1956 or 2056?)"),
    ("14/03/1956", "no month 14: this counter writes the month first"),
    ("02/30/1956", "February has no day 30"),
    ("1956-02-30", "February has no day 30"),
])
def test_a_refused_date_says_what_is_wrong(typed, says):
    d, [issue] = parse_date(typed, "dob", label="Date of birth")
    assert d is None and issue.code == "date_invalid"
    assert says in issue.message and "MM/DD/YYYY or YYYY-MM-DD" in issue.message


def test_the_window_shows_the_reason_under_the_date_of_birth_and_stores_nothing(window, qtbot, ctx, settle):
    page = window.go("patients")
    settle(window)
    for typed, says in [("14/03/1956", "no month 14"), ("3/4/56", "short year")]:
        page.new_item()
        page.form.name.setText("Jordan Lee")
        page.form.nkda.setChecked(True)
        qtbot.keyClicks(page.form.dob, typed)
        assert page.save() is False
        assert says in page.form.messages["dob"].text()
        page.discard_unsaved()
    assert patients.list_patients(ctx) == []


# -- readable at 1024x768 -----------------------------------------------------------------------
def test_the_log_date_boxes_show_their_whole_mm_dd_yyyy_hint_at_1024x768(window, qtbot, ctx, settle):
    _log_with_two_documents(window, ctx, settle)
    window.resize(1024, 768)
    log = window.go("log", patient_id=1)  # the patient filter label and button take room too
    settle(window)
    QApplication.processEvents()
    for box in (log.date_from, log.date_to):
        text = box.placeholderText()
        assert "MM/DD/YYYY" in text
        assert box.width() >= box.fontMetrics().horizontalAdvance(text) + 12, text
    assert window.width() == 1024 and log.minimumSizeHint().width() <= log.width()  # and still fits
    assert log.clear_patient.isVisible() and log.search.width() >= 180  # not squeezed to "Search b…"



def test_remove_operator_acts_only_on_the_row_shown_selected(window, qtbot, ctx, settle):
    # A pharmacist needs a PIN, and once operators exist a pharmacist adds the next (#12).
    operators.add_operator(ctx, "Ana Ruiz", "AR", "1111")
    ctx.operator = "Ana Ruiz"
    operators.add_operator(ctx, "Bo Lindqvist", "BL", "2222")
    page = window.go("settings")
    settle(window)
    box = page.operators_box
    box.reload()
    _focus(window, qtbot)
    box.table.clearSelection()
    box.table.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab does: Qt makes row 0 current only
    QApplication.processEvents()
    assert not box.table.selectionModel().hasSelection()
    box.remove_selected()
    assert _shown(window, ConfirmDialog) == []  # nobody shown selected: nobody offered for removal
    assert "Choose the operator" in window.statusBar().currentMessage()
    box.table.selectRow(1)
    qtbot.keyClick(box.table, Key.Key_Up, Mod.ControlModifier)  # moves current, keeps the selection
    QApplication.processEvents()
    shown_name = box.table.item(sorted({i.row() for i in box.table.selectedIndexes()})[0], 0).text()
    box.remove_selected()
    [dlg] = _shown(window, ConfirmDialog)
    assert shown_name in dlg.label.text()
    dlg.back.click()


@pytest.mark.parametrize("action", ["reject", "retire"])
def test_enter_after_typing_a_reason_does_not_reject_or_retire(window, qtbot, ctx, action):
    from k2desk.services import library

    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    page.status.setCurrentIndex(page.status.findData("vetted"))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    page.table.selectRow(0)
    sid = page.current.id
    dlg = page.ask_reason(action)
    dlg.activateWindow()
    dlg.reason.setFocus()
    qtbot.keyClicks(dlg.reason, "superseded by the 2025 review")
    qtbot.keyClick(dlg.reason, Key.Key_Return)  # the habit of ending a line
    QApplication.processEvents()
    assert next(v for v in library.list_snippets(ctx) if v.id == sid).state.label == "vetted"
    assert dlg.isVisible() and dlg.reason.text() == "superseded by the 2025 review"  # nothing lost
    ok = dlg.buttons.button(dlg.buttons.StandardButton.Ok)
    ok.click()  # only the named, red button does it
    assert next(v for v in library.list_snippets(ctx) if v.id == sid).state.label == f"{action}ed".replace(
        "eed", "ed")


# -- the idle lock and another operator ---------------------------------------------------------
def _lock_and_hand_over(window, qtbot, ctx, settle):
    # A pharmacist needs a PIN, and once operators exist a pharmacist adds the next (#12).
    operators.add_operator(ctx, "Ana Ruiz", "AR", "1111")
    ctx.operator = "Ana Ruiz"
    operators.add_operator(ctx, "Bo Lindqvist", "BL", "2222")
    page = _half_typed(window, qtbot, settle)
    window.lock()
    window.lock_screen.operator.setCurrentText("Bo Lindqvist")
    window.lock_screen.pin.setText("2222")
    window.lock_screen.unlock()
    assert not window.is_locked() and page.form.name.text() == ""
    return page


def test_quit_by_the_next_operator_asks_before_throwing_away_a_kept_patient(window, qtbot, ctx, settle):
    page = _lock_and_hand_over(window, qtbot, ctx, settle)
    window.close()
    [dlg] = _shown(window, ConfirmDialog)
    assert window.isVisible()
    assert "Ana Ruiz" in dlg.label.text() and "Jordan Lee" not in dlg.label.text()  # whose, not whom
    assert dlg.back.isDefault()
    dlg.back.click()
    assert window.isVisible()
    window.lock()  # Ana comes back: her patient, warfarin and all, is still there
    window.lock_screen.operator.setCurrentText("Ana Ruiz")
    window.lock_screen.pin.setText("1111")
    window.lock_screen.unlock()
    assert page.form.name.text() == "Jordan Lee" and page.form.medications.values() == ["warfarin 5 mg"]
    assert page.held_operators() == []


def test_quit_and_throw_away_closes_the_window(window, qtbot, ctx, settle):
    _lock_and_hand_over(window, qtbot, ctx, settle)
    window.close()
    [dlg] = _shown(window, ConfirmDialog)
    dlg.action.click()
    QApplication.processEvents()
    assert not window.isVisible()
    assert patients.list_patients(ctx) == []  # nothing was saved behind anyone's back


def test_enter_on_the_unsaved_question_never_discards(window, qtbot, ctx, settle):
    page = _half_typed(window, qtbot, settle)
    window.go("log")
    [dlg] = _shown(window, UnsavedDialog)
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is dlg, timeout=3000)
    focused = QApplication.focusWidget()
    assert focused is not dlg.discard_button
    qtbot.keyClick(focused, Key.Key_Return)
    settle(window)
    [stored] = patients.list_patients(ctx)  # Enter saved the patient; nothing was thrown away
    assert stored.name == "Jordan Lee" and [m.text for m in stored.medications] == ["warfarin 5 mg"]
    assert page.form.patient_id == stored.id or window.shown_page().key == "log"
