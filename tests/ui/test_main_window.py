"""The main window: pages, shortcuts, remembered geometry and page, operator, lock."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from k2desk.domain.issues import error
from k2desk.services import operators
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.ui.main_window import PAGE_KEYS, MainWindow
from k2desk.ui.messages import describe


def test_every_page_opens_from_the_side_bar(window, qtbot):
    for row, key in enumerate(PAGE_KEYS):
        window.sidebar.setCurrentRow(row)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]


def test_operator_is_shown_in_the_status_bar(window):
    assert window.operator_label.text() == "Operator: test-rph"


def test_shortcuts_dialog_lists_the_frequent_actions(window, qtbot):
    dlg = window.show_shortcuts()
    qtbot.addWidget(dlg)
    rows = {dlg.table.item(r, 0).text(): dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())}
    assert rows["New patient"] == "Ctrl+N"
    assert rows["New handout"] == "Ctrl+H"
    assert rows["New order"] == "Ctrl+O"
    assert rows["Find"] == "Ctrl+F"
    assert rows["Print"] == "Ctrl+P"
    dlg.close()


def test_ctrl_n_opens_a_blank_patient_form(window, qtbot):
    window.go("settings")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "patients"
    assert window.pages["patients"].form.heading.text() == "New patient"


def test_geometry_and_last_page_are_remembered_in_the_data_dir(qtbot, ctx, data_dir):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.resize(790, 560)
    w.go("log")
    w.close()
    ini = data_dir / "window.ini"
    assert ini.exists()
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/last_page") == "log"
    w2 = MainWindow(ctx)
    qtbot.addWidget(w2)
    assert w2.current_key() == "log"
    assert (w2.width(), w2.height()) == (790, 560)
    w2.close()


def test_lock_hides_patient_data_until_the_pin_is_given(window, qtbot, ctx):
    operators.add_operator(ctx, "Ana Ruiz", "AR", "4321")
    window.lock()
    assert window.is_locked()
    assert not window.stack.isVisible()  # every page (and so every patient detail) is hidden
    assert not window.act_new_patient.isEnabled()
    ls = window.lock_screen
    ls.operator.setCurrentText("Ana Ruiz")
    ls.pin.setText("1111")
    ls.unlock()
    assert window.is_locked()
    assert "PIN is not right" in ls.message.text()
    ls.pin.setText("4321")
    ls.unlock()
    assert not window.is_locked()
    assert ctx.operator == "Ana Ruiz"
    assert window.operator_label.text() == "Operator: Ana Ruiz"


def test_idle_time_locks_the_window(window, qtbot):
    window.idle.set_timeout(200)
    qtbot.waitUntil(window.is_locked, timeout=3000)


def test_messages_are_plain_text_never_tracebacks():
    refused = InputRefused([error("dob", "required", "Date of birth is required (YYYY-MM-DD).")])
    assert describe(refused) == "Please correct the following:\n• Date of birth is required (YYYY-MM-DD)."
    assert describe(NotFound("There is no patient with id 9.")) == "There is no patient with id 9."
    assert describe(OperationFailed("Disk full.")) == "Disk full."
    assert "Traceback" not in describe(RuntimeError("boom"))


def test_worker_reports_failures_through_the_bridge(window, qtbot, settle):
    def fail():
        raise NotFound("There is no document with id 42.")

    window.worker.run(fail)
    settle(window)
    assert window.bridge.last_error == "There is no document with id 42."


def test_pin_is_stored_only_as_a_salted_hash(ctx):
    operators.add_operator(ctx, "Ben", "BK", "2468")
    operators.add_operator(ctx, "Cy", "CY", "2468", by="Ben")
    stored = [r[0] for r in ctx.store.db.execute("SELECT pin_hash FROM operators ORDER BY name")]
    assert all(s.startswith("scrypt$") and "2468" not in s for s in stored)
    assert stored[0] != stored[1]  # different salts
    assert operators.pin_matches("2468", stored[0])
    assert not operators.pin_matches("2469", stored[0])


def test_run_window_opens_the_window_and_returns_the_exit_code(data_dir):
    # In a child process: QApplication.exec() returning marks the application as closing, which
    # would upset every later test in this process.
    import subprocess
    import sys

    code = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from k2desk.ui.app import run_window
from k2desk.ui.main_window import MainWindow

def look_then_quit():
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    print(len(shown), shown[0].ctx.operator if shown else "")
    for w in shown:
        w.close()
    QApplication.quit()

app = QApplication(sys.argv[:1])
QTimer.singleShot(300, look_then_quit)
sys.exit(run_window(sys.argv[1], "test-rph"))
"""
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "test-rph"]


def test_lock_closes_open_dialogs(window, qtbot):
    dlg = window.show_shortcuts()
    assert dlg.isVisible()
    window.lock()
    assert not dlg.isVisible()


def test_a_database_damaged_past_its_first_page_is_caught_after_the_window_opens(data_dir):
    # The integrity check runs in the background once the window shows (it takes seconds on a
    # large log); a failure is a message naming the file, and the program exits 1 having
    # written nothing.
    import subprocess
    import sys

    from k2desk.paths import db_path
    from k2desk.services import patients
    from k2desk.services.context import AppContext

    with AppContext(data_dir, "test-rph") as ctx:
        for i in range(300):
            patients.add_patient(ctx, patients.PatientInput(name=f"Patient {i} " + "x" * 200,
                                                            dob="1950-01-01", nkda=True))
    path = db_path(data_dir)
    raw = bytearray(path.read_bytes())
    page = 4096
    raw[-page * 6:-page * 2] = b"\xa5" * (page * 4)  # wreck table pages, keep page 1 (schema)
    path.write_bytes(bytes(raw))

    code = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from k2desk.ui.app import run_window

def dismiss():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            print("message:", w.text().replace("\\n", " "))
            w.close()

app = QApplication(sys.argv[:1])
timer = QTimer(); timer.timeout.connect(dismiss); timer.start(100)
QTimer.singleShot(60_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
"""
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "integrity check" in done.stdout or "damaged" in done.stdout
    assert str(path) in done.stderr and "Traceback" not in done.stderr
    assert path.read_bytes() == bytes(raw)
