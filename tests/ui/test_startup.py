"""Start-up (issue #23): the window shows before anything the first page does not need is loaded,
the database opens right after, and every page is still built when first visited."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt

from k2desk.paths import db_path
from k2desk.services import patients
from k2desk.services.context import AppContext
from k2desk.ui.main_window import PAGE_KEYS, PAGES

PAGE_MODULES = sorted({target.split(":")[0] for _k, _l, target in PAGES})
HEAVY = ("reportlab", "sqlite_utils", "phonenumbers")


def _loaded_after(code: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_the_window_entry_point_loads_no_page_reportlab_or_sqlite_utils():
    loaded = _loaded_after("""
import sys
import k2desk.ui.app
import k2desk.ui.main_window  # what run_window imports before it shows the window
print(" ".join(sorted(sys.modules)))
""")
    assert "k2desk.ui.main_window" in loaded  # the check looked at the right moment
    bad = [m for m in loaded if m in PAGE_MODULES or m.split(".")[0] in HEAVY]
    assert bad == []


def test_the_window_is_painted_before_pages_or_the_database_load(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:  # an existing database, as at the counter
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
    loaded = _loaded_after("""
import os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1])
seen = []

def later(w):
    # the first page and the database follow without anyone touching the window
    if w.shown_page() is None or w.shown_page().model.rowCount() == 0:
        QTimer.singleShot(20, lambda: later(w))
        return
    print("PAINTED", *seen[0]); print("LATER", w.shown_page().key, w.shown_page().model.rowCount())
    w.close()

class Probe(QObject):
    def eventFilter(self, obj, event):
        if (not seen and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and type(obj.window()).__name__ == "MainWindow"):
            seen.append(sorted(sys.modules))
            QTimer.singleShot(0, lambda: later(obj.window()))
        return False

probe = Probe(); app.installEventFilter(probe)
QTimer.singleShot(60_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
""", str(data_dir))
    painted = loaded[loaded.index("PAINTED") + 1:loaded.index("LATER")]
    assert "k2desk.ui.main_window" in painted
    bad = [m for m in painted if m in PAGE_MODULES or m.split(".")[0] in HEAVY]
    assert bad == []
    assert loaded[loaded.index("LATER") + 1:] == ["patients", "1"]


def test_a_file_that_is_not_a_database_is_a_message_after_the_window_shows(data_dir):
    path = db_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    junk = b"this is not a database\n" * 200
    path.write_bytes(junk)
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
    assert "message:" in done.stdout and str(path) in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == junk  # nothing was written over it


def test_every_page_is_built_on_first_visit_and_reachable_by_its_shortcut(window, qtbot):
    assert set(window.pages) <= {"patients"}  # only the page on screen was built
    for i, key in enumerate(PAGE_KEYS, 1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{i}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]


def test_the_interaction_table_and_fonts_load_once_in_the_background_and_are_shared(data_dir):
    out = _loaded_after("""
import sys, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from k2desk.services.context import AppContext
from k2desk.ui.main_window import MainWindow
from reportlab.pdfbase import pdfmetrics

app = QApplication(sys.argv[:1])
w = MainWindow(AppContext(sys.argv[1], "test-rph")); w.show()
end = time.monotonic() + 60
while not w.warmed.is_set() and time.monotonic() < end:
    QCoreApplication.processEvents(); time.sleep(0.01)
from k2desk.library.interactions import _default_table
from k2desk.services import interactions
print(w.warmed.is_set(), _default_table.cache_info().currsize,
      "K2Sans" in pdfmetrics.getRegisteredFontNames(), interactions.table() is interactions.table())
w.close()
""", str(data_dir))
    assert out == ["True", "1", "True", "True"]


def test_start_up_work_shows_progress_in_the_status_bar_and_hides_it_when_done(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
    out = _loaded_after("""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1])
seen = []

class Probe(QObject):
    def eventFilter(self, obj, event):
        if obj.objectName() == "work-progress" and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            seen.append(event.type().name)
            if event.type() == QEvent.Type.Hide and "Show" in seen:
                w = obj.window()
                print(*seen, w.work_label.text().replace(" ", "_"))
                QTimer.singleShot(0, w.close)
        return False

probe = Probe(); app.installEventFilter(probe)
QTimer.singleShot(60_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
""", str(data_dir))
    assert out[:2] == ["Show", "Hide"]  # shown while the database opened and was checked, then gone
    assert out[2] == "Opening_and_checking_the_database…"


def test_progress_reported_from_the_worker_thread_moves_the_bar(window, qtbot):
    import threading

    progress = window.begin_work("Exporting the log…")
    assert window.work_progress.isVisible() and window.work_progress.maximum() == 0  # moving, no total
    threading.Thread(target=lambda: progress(30, 120)).start()
    qtbot.waitUntil(lambda: (window.work_progress.value(), window.work_progress.maximum()) == (30, 120))
    window.end_work()
    assert not window.work_progress.isVisible() and not window.work_label.isVisible()


def test_the_integrity_check_reports_progress_with_no_total(data_dir, monkeypatch):
    from k2desk.services.startup import open_and_verify
    from k2desk.storage import db

    with AppContext(data_dir, "test-rph") as ctx:
        for i in range(50):
            patients.add_patient(ctx, patients.PatientInput(name=f"Patient {i}", dob="1950-01-01", nkda=True))
    monkeypatch.setattr(db, "PROGRESS_STEPS", 500)  # a small file: report often enough to see
    calls: list[tuple[int, int | None]] = []
    with AppContext(data_dir, "test-rph", defer_integrity_check=True) as ctx:
        open_and_verify(ctx, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, None) and len(calls) > 2
    assert [d for d, _t in calls] == sorted(d for d, _t in calls) and {t for _d, t in calls} == {None}
