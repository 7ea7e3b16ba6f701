"""Issue #23 attacks (start-up and instant window actions): what the faster start may have
broken. Each test drives the real window (offscreen) or the real CLI on a data dir of its own."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from k2desk.paths import db_path
from k2desk.services import patients
from k2desk.services.context import AppContext


def _run_window_script(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)


def _damage_a_table_page(path: Path, table: str = "order_drafts") -> None:
    """Make one b-tree page of ``table`` claim cells that are not there: the file still opens
    (its schema is intact) but SQLite's quick_check reports it."""
    with sqlite3.connect(path) as c:
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
        pageno = c.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,)).fetchone()[0]
    c.close()
    data = bytearray(path.read_bytes())
    off = (pageno - 1) * page_size
    data[off:off + 8] = b"\x0d\x00\x00\x00\x05\x0f\xff\x00"
    path.write_bytes(bytes(data))
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    c.close()


SAVE_DURING_CHECK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1])
state = {"saved": False}

def poll():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            print("message:", w.text().replace("\\n", " "))
            w.close()
        if (type(w).__name__ == "MainWindow" and not state["saved"] and w.work_progress.isVisible()
                and "patients" in w.pages):
            # The pharmacist types a new patient and saves while the status bar still says the
            # database is being checked.
            state["saved"] = True
            page = w.pages["patients"]
            page.new_item()
            page.form.name.setText("Zed Quick")
            page.form.dob.setText("1950-02-02")
            page.form.nkda.setChecked(True)
            page.save()
            print("SAVE pressed")

timer = QTimer(); timer.timeout.connect(poll); timer.start(1)
QTimer.singleShot(60_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
"""


def test_a_patient_saved_while_the_start_up_check_runs_is_not_written_into_a_damaged_file(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
    path = db_path(data_dir)
    _damage_a_table_page(path)
    before = path.read_bytes()
    done = _run_window_script(SAVE_DURING_CHECK, str(data_dir))
    assert "SAVE pressed" in done.stdout, (done.stdout, done.stderr)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "failed its integrity check" in done.stdout and "left untouched" in done.stdout
    assert "Traceback" not in done.stderr
    # "left untouched" must be true: the save queued behind the check wrote nothing.
    assert path.read_bytes() == before
    with sqlite3.connect(path) as c:
        assert [n for (n,) in c.execute("SELECT name FROM patients")] == ["Ana Ruiz"]
    c.close()
