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


# -- names whose coverage the cmap check gets wrong compared with the real PDF --------------------

def _add(data_dir: Path, name: str, dob: str = "1950-01-01") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "k2desk", "--data-dir", str(data_dir), "--operator",
                           "test-rph", "patient", "add", "--name", name, "--dob", dob, "--nkda"],
                          capture_output=True, text=True, timeout=120)


def test_an_invisible_direction_mark_pasted_with_a_name_is_refused_not_printed_as_a_symbol(data_dir):
    # U+200F (often pasted with an Arabic or Hebrew name from a phone's contacts) is invisible on
    # screen, but the body font draws it as a visible arrow-like symbol in the PDF.
    for mark in ("\u200f", "\u200e", "\u034f", "\u206c"):
        done = _add(data_dir, f"Omar \u0639\u0645\u0631{mark}")
        assert done.returncode != 0, (mark, done.stdout)
        assert f"U+{ord(mark):04X}" in done.stderr and "Traceback" not in done.stderr
    with AppContext(data_dir, "test-rph") as ctx:
        assert patients.list_patients(ctx) == []  # nothing written


def test_a_name_of_separate_korean_jamo_is_refused_since_it_would_print_apart(data_dir):
    # U+1100 U+1161 U+11A8 shows as one syllable on screen (각) but the PDF draws three separate
    # letters (ㄱㅏㄱ): the printed name would not be the name typed.
    done = _add(data_dir, "Kim \u1100\u1161\u11a8")
    assert done.returncode != 0, done.stdout
    assert "Korean" in done.stderr and "Traceback" not in done.stderr
    with AppContext(data_dir, "test-rph") as ctx:
        assert patients.list_patients(ctx) == []


def test_names_that_print_exactly_are_still_accepted_and_printed(data_dir, tmp_path):
    # Withstood: a Tamil conjunct, a precomposed Hangul syllable, a lone jamo, Vietnamese and an
    # Arabic name print as typed (checked in the PDF's text).
    from pypdf import PdfReader

    names = ["\u0b95\u0bcd\u0bb7 Tamil", "\ud55c Han", "\u1100 Kim", "Nguy\u1ec5n Th\u1ecb",
             "Omar \u0639\u0645\u0631"]
    for i, name in enumerate(names, 1):
        done = _add(data_dir, name, f"1950-01-0{i}")
        assert done.returncode == 0, (name, done.stderr)
        out = tmp_path / f"h{i}.pdf"
        made = subprocess.run([sys.executable, "-m", "k2desk", "--data-dir", str(data_dir),
                               "--operator", "test-rph", "handout", "create", "--patient", str(i),
                               "--topic", "what-is-k2", "-o", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        text = PdfReader(out).pages[0].extract_text()
        assert name.split()[0] in text or name.split()[-1] in text


GRADING_BLOCKS = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1])
st = {"checked": False, "worst": 0.0, "start": None}

def poll():
    for w in QApplication.topLevelWidgets():
        if type(w).__name__ != "MainWindow" or not w.pages:
            continue
        if not st["checked"]:
            if w.work_progress.isVisible():
                st["checked"] = True  # the start-up check is queued; grading follows it
            continue
        if w.work_progress.isVisible():
            continue
        if st["start"] is None:
            st["start"] = time.monotonic()
        # What a page's quick read on the GUI thread waits (Settings, a vet, a save's check).
        t = time.monotonic()
        w.worker.call(lambda: None)
        st["worst"] = max(st["worst"], time.monotonic() - t)
        if not w.worker.busy() and time.monotonic() - st["start"] > 1:
            print("WORST", round(st["worst"], 2), "TOTAL", round(time.monotonic() - st["start"], 2))
            w.close()

timer = QTimer(); timer.timeout.connect(poll); timer.start(5)
QTimer.singleShot(90_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
"""


def test_grading_the_library_after_start_up_does_not_freeze_the_window(data_dir):
    # The window grades every snippet right after the start-up check; the grading loads a
    # pronouncing dictionary (seconds on a busy machine). It ran holding the store lock, so any
    # quick read on the GUI thread (Ctrl+6 Settings took 5.9 s) froze the window meanwhile.
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
    done = _run_window_script(GRADING_BLOCKS, str(data_dir))
    assert done.returncode == 0, (done.stdout, done.stderr)
    out = done.stdout.split()
    worst = float(out[out.index("WORST") + 1])
    assert worst < 0.5, done.stdout
    with sqlite3.connect(db_path(data_dir)) as c:  # and the grades were stored all the same
        assert c.execute("SELECT count(*) FROM reading_grades").fetchone()[0] > 0
    c.close()


WARFARIN_AT_ONCE = """
import re, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1])
st = {"chosen": False, "seen": []}

def poll():
    for w in QApplication.topLevelWidgets():
        if type(w).__name__ != "MainWindow" or "patients" not in w.pages:
            continue
        page = w.pages["patients"]
        if not st["chosen"]:
            if page.model.rowCount() == 2:
                st["chosen"] = True  # the first moment the list is there: choose the warfarin patient
                st["warm"] = w.warmed.is_set()
                row = [i for i in range(2) if page.model.patient(i).name == "Bea Warf"][0]
                page.table.selectRow(row)
            continue
        shown = (page.form.name.text(), re.sub("<[^>]+>", "", page.banner.label.text())[:40])
        if not st["seen"] or st["seen"][-1] != shown:
            st["seen"].append(shown)
        if "MAJOR" in shown[1] or len(st["seen"]) > 50:
            for name, banner in st["seen"]:
                print("SHOWN", repr(name), repr(banner))
            w.close()

timer = QTimer(); timer.timeout.connect(poll); timer.start(1)
QTimer.singleShot(90_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
"""


def test_a_warfarin_patient_chosen_the_moment_the_list_appears_never_shows_a_clean_banner(data_dir):
    # Withstood: the interaction table may still be loading in the background; the banner for
    # the chosen warfarin patient is never "no interaction" (nor the other patient's) meanwhile.
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
        patients.add_patient(ctx, patients.PatientInput(name="Bea Warf", dob="1951-01-01", nkda=True,
                                                        medications=["warfarin 5 mg daily"]))
    done = _run_window_script(WARFARIN_AT_ONCE, str(data_dir))
    assert done.returncode == 0, (done.stdout, done.stderr)
    shown = [line for line in done.stdout.splitlines() if line.startswith("SHOWN")]
    assert shown and "MAJOR" in shown[-1] and "Bea Warf" in shown[-1]
    for line in shown:
        if "Bea Warf" in line:
            assert "No interaction" not in line, shown


TWO_AT_ONCE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from k2desk.ui.app import run_window

app = QApplication(sys.argv[:1]); t0 = time.monotonic()

def poll():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            print("MSG", w.text().replace("\\n", " ")); w.close()
        if (type(w).__name__ == "MainWindow" and time.monotonic() - t0 > 4 and w.pages
                and not w.worker.busy() and w.pages["patients"].model.rowCount() == 1):
            print("OK"); w.close()

timer = QTimer(); timer.timeout.connect(poll); timer.start(20)
QTimer.singleShot(90_000, lambda: QApplication.exit(9))
sys.exit(run_window(sys.argv[1], "test-rph"))
"""


def test_two_windows_started_at_the_same_moment_both_open_and_the_log_verifies(data_dir):
    # Withstood: both windows open the store, check it and grade the library at once.
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Ana Ruiz", dob="1950-01-01", nkda=True))
    procs = [subprocess.Popen([sys.executable, "-c", TWO_AT_ONCE, str(data_dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and "OK" in out and "MSG" not in out, (out, err)
        assert "Traceback" not in err
    verify = subprocess.run([sys.executable, "-m", "k2desk", "--data-dir", str(data_dir), "log",
                             "verify"], capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
    with sqlite3.connect(db_path(data_dir)) as c:
        assert c.execute("SELECT count(*) FROM reading_grades").fetchone()[0] > 0
    c.close()
