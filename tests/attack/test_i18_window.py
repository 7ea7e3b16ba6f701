"""Issue 18 in the window: the same patient twice asks Save anyway / Cancel (keyboard only), the
session fax password is forgotten when the window locks, and wrong PINs back off at the lock
screen and in the pharmacist's confirmation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.services import operators, patients
from k2desk.services.patients import PatientInput

Key = Qt.Key
Mod = Qt.KeyboardModifier


def _type_patient(qtbot, page, name: str, dob: str) -> None:
    page.new_item()
    page.form.name.setFocus()
    qtbot.keyClicks(page.form.name, name)
    page.form.dob.setFocus()
    qtbot.keyClicks(page.form.dob, dob)
    page.form.nkda.setFocus()
    qtbot.keyClick(page.form.nkda, Key.Key_Space)
    assert page.form.nkda.isChecked()


def _names(ctx) -> list[str]:
    return [p.name for p in patients.list_patients(ctx)]


def test_same_name_and_birth_date_asks_and_cancel_is_the_default(window, qtbot, ctx, settle):
    patients.add_patient(ctx, PatientInput("Ana Reyes", "1956-03-14", nkda=True))
    page = window.go("patients")
    _type_patient(qtbot, page, "ana  REYES", "03/14/1956")  # same person, typed differently
    qtbot.keyClick(page.form.name, Key.Key_S, Mod.ControlModifier)  # the window's Save
    qtbot.waitUntil(lambda: page.duplicate_dialog is not None and page.duplicate_dialog.isVisible(),
                    timeout=5000)
    dlg = page.duplicate_dialog
    text = dlg.label.text()
    assert "Ana Reyes born 1956-03-14 is already recorded (patient 1)" in text
    assert "--" not in text  # no command-line flags in the window
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().objectName() == "duplicate-cancel", timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), Key.Key_Return)  # Enter = Cancel
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=3000)
    settle(window)
    assert _names(ctx) == ["Ana Reyes"]  # nothing was written

    # Asked again, Tab to "Save anyway" and press Space: a second record, on purpose.
    window.activateWindow()  # a desktop's window manager does this when the dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    assert QApplication.focusWidget() is page.form.name  # Cancel went back to the name
    qtbot.keyClick(page.form.name, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: page.duplicate_dialog is not None and page.duplicate_dialog.isVisible()
                    and page.duplicate_dialog is not dlg, timeout=5000)
    dlg2 = page.duplicate_dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().objectName() == "duplicate-cancel", timeout=3000)
    for _ in range(4):
        if QApplication.focusWidget().objectName() == "duplicate-save-anyway":
            break
        qtbot.keyClick(QApplication.focusWidget(), Key.Key_Backtab, Mod.ShiftModifier)
    assert QApplication.focusWidget().objectName() == "duplicate-save-anyway"
    qtbot.keyClick(QApplication.focusWidget(), Key.Key_Space)
    qtbot.waitUntil(lambda: len(_names(ctx)) == 2, timeout=5000)
    assert not dlg2.isVisible()
    assert sorted(_names(ctx)) == ["Ana Reyes", "ana  REYES"]


def test_the_session_fax_password_is_forgotten_when_the_window_locks(window, ctx):
    page = window.go("log")
    page.fax_sender.passwords["fax-user"] = "s3cret"
    window.lock()
    assert page.fax_sender.passwords == {}


def test_wrong_pins_at_the_lock_screen_back_off_and_are_audited(window, qtbot, ctx):
    operators.add_operator(ctx, "Pat Rx", "PR", "2468")
    window.lock()
    screen = window.lock_screen
    screen.operator.setCurrentText("Pat Rx")
    for _n in range(1, 6):
        screen.pin.setText("0000")
        screen.unlock()
        assert window.is_locked()
    shown = screen.message.text()
    assert "Wrong 5 times in a row: the next try waits 30 seconds" in shown, shown
    screen.pin.setText("2468")  # the right PIN, but too soon
    screen.unlock()
    assert window.is_locked()
    assert "Too many wrong PINs for Pat Rx in a row: wait" in screen.message.text()
    rows = ctx.store.conn.execute("SELECT operator, details FROM audit_events WHERE "
                                  "action = 'operator.pin_wrong' ORDER BY id").fetchall()
    assert len(rows) == 5 and all(r[0] == "Pat Rx" for r in rows)
    # The wait over (moved back in the stored row), the right PIN opens and clears the count.
    with ctx.store.write() as db:
        db.execute("UPDATE pin_attempts SET locked_until = '2000-01-01T00:00:00+00:00'")
    screen.pin.setText("2468")
    screen.unlock()
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=5000)
    assert ctx.store.conn.execute("SELECT count(*) FROM pin_attempts").fetchone()[0] == 0


def test_wrong_pins_in_the_pharmacist_confirmation_back_off(window, qtbot, ctx):
    from k2desk.ui.widgets.pharmacist import confirm_pharmacist

    operators.add_operator(ctx, "Pat Rx", "PR", "2468")
    operators.add_operator(ctx, "Tim Tech", "TT", "", "technician", by="Pat Rx", by_pin="2468")
    window.lock()
    window.lock_screen.operator.setCurrentText("Tim Tech")
    window.lock_screen.unlock()
    assert ctx.operator == "Tim Tech" and ctx.trust_login is False
    done: list[tuple[str | None, str | None]] = []
    dlg = confirm_pharmacist(window, window.env, "mark an order dispensed",
                             lambda by, pin: done.append((by, pin)))
    assert dlg is not None
    dlg.who.setCurrentText("Pat Rx")
    for _n in range(5):
        dlg.pin.setFocus()
        qtbot.keyClicks(dlg.pin, "1111")
        qtbot.keyClick(dlg.pin, Key.Key_Return)
        assert dlg.isVisible() and done == []
    assert "the next try waits 30 seconds" in dlg.messages["pin"].text()
    dlg.pin.setFocus()
    qtbot.keyClicks(dlg.pin, "2468")  # right, but too soon
    qtbot.keyClick(dlg.pin, Key.Key_Return)
    assert dlg.isVisible() and done == []
    assert "Too many wrong PINs for Pat Rx in a row: wait" in dlg.messages["pin"].text()
    assert ctx.store.conn.execute("SELECT failures FROM pin_attempts WHERE operator = 'Pat Rx'"
                                  ).fetchone()[0] == 5
