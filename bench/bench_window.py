"""Window actions a pharmacist waits for, driven offscreen, each against a same-run baseline.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_window.py

- handout preview, first topic ticked: from ticking the first topic (patient chosen, library
  listed) to the preview showing the rendered handout; baseline: a bare QPdfView showing the
  same PDF bytes (the least Qt work that shows that handout).
- Library page, first open: from Ctrl+5 in a running window to its rows on screen; baseline: a
  bare QTableWidget filled with the same rows' text.
- save a patient: from Ctrl+S on a filled-in new patient on warfarin to the banner showing the
  saved patient and the interaction warning; baseline: the raw SQL insert of the same patient and
  medication into an SQLite file with k2desk's pragmas (WAL, synchronous=FULL), committed.

Each is timed once the window has finished starting (its background warm-up of the interaction
table and the PDF fonts done). "First" means first in that process: every repeat is a fresh
process (page modules imported and first renders done as a pharmacist's first use does them), on
a data dir made once beforehand (so the database exists, as at the counter). Not a test:
nothing asserts.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

from common import Result, child_env, median, ms, verdict

_CACHE = os.path.join(tempfile.gettempdir(), "k2desk-bench-pycache")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SETUP = """
import os, sys, time
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from k2desk.services.context import AppContext
from k2desk.ui.main_window import MainWindow

app = QApplication([])
ctx = AppContext(sys.argv[1], "bench")

def spin(until, limit=60.0):
    end = time.monotonic() + limit
    while not until():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        QCoreApplication.processEvents()
        time.sleep(0.0005)

w = MainWindow(ctx); w.resize(1280, 800); w.show()
# As a pharmacist at the counter: the window has finished its start-up (the page shown, the
# interaction table and fonts loaded in the background, seconds after the window shows).
spin(lambda: w._first_paint_done and w.warmed.is_set() and not w.worker.busy())
"""

PREVIEW = _SETUP + """
page = w.go("handout", patient_id=int(sys.argv[2]))
spin(lambda: page.loaded and page.patient is not None and not w.worker.busy())
item = page.topics.item(0)
t0 = time.perf_counter()
item.setCheckState(Qt.CheckState.Checked)
spin(lambda: page.previews >= 1)
QCoreApplication.processEvents()
elapsed = time.perf_counter() - t0
import json
print(json.dumps({"t": elapsed, "pdf": page.preview.pdf_bytes.hex()}))
os._exit(0)
"""

LIBRARY = _SETUP + """
t0 = time.perf_counter()
QTest.keyClick(w, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
page = w.pages["library"]
spin(lambda: page.loaded and page.model.rowCount() > 0)
QCoreApplication.processEvents()
elapsed = time.perf_counter() - t0
m = page.model
rows = [[str(m.data(m.index(r, c)) or "") for c in range(m.columnCount())] for r in range(m.rowCount())]
import json
print(json.dumps({"t": elapsed, "rows": rows}))
os._exit(0)
"""

SAVE = _SETUP + """
page = w.go("patients")
spin(lambda: not w.worker.busy())
page.new_item()
page.form.name.setText("Bench Patient " + sys.argv[2])
page.form.dob.setText("1950-01-01")
page.form.medications.entry.setText("Coumadin 5 mg daily")
page.form.medications.add_from_entry()
page.form.nkda.setChecked(True)
spin(lambda: not w.worker.busy())
QCoreApplication.processEvents()
t0 = time.perf_counter()
QTest.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
pid = page.form.patient_id
spin(lambda: page.patient_banner.patient is not None and page.patient_banner.patient.id == pid
     and page.banner.has_major())
QCoreApplication.processEvents()
elapsed = time.perf_counter() - t0
print('{"t": %f}' % elapsed)
os._exit(0)
"""

BARE_PDF = """
import os, sys, time
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QApplication
app = QApplication([])
data = bytes.fromhex(open(sys.argv[1]).read())
view = QPdfView(); view.resize(700, 800); view.show(); QCoreApplication.processEvents()
t0 = time.perf_counter()
buf = QBuffer(); buf.setData(QByteArray(data)); buf.open(QIODevice.OpenModeFlag.ReadOnly)
doc = QPdfDocument(view); doc.load(buf); view.setDocument(doc)
QCoreApplication.processEvents()
print('{"t": %f}' % (time.perf_counter() - t0))
os._exit(0)
"""

BARE_TABLE = """
import json, os, sys, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
app = QApplication([])
rows = json.load(open(sys.argv[1]))
t0 = time.perf_counter()
table = QTableWidget(len(rows), len(rows[0]) if rows else 0)
for r, row in enumerate(rows):
    for c, text in enumerate(row):
        table.setItem(r, c, QTableWidgetItem(text))
table.resize(1100, 700); table.show(); QCoreApplication.processEvents()
print('{"t": %f}' % (time.perf_counter() - t0))
os._exit(0)
"""


def _run(code: str, *args: str) -> dict:
    if args and os.path.isdir(args[0]):
        # Every run starts on the Patients page, as on a first start (the window remembers the
        # page it was closed on).
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(args[0], "window.ini"))
    env = child_env(_CACHE)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare(data_dir: str) -> int:
    """A patient on warfarin to make the handout for; the window opened once (first-run work)."""
    from k2desk.services import patients
    from k2desk.services.context import AppContext

    with AppContext(data_dir, "bench") as ctx:
        pid = patients.add_patient(ctx, patients.PatientInput(
            name="Marta Gómez", dob="1949-03-12", medications=["Coumadin 5 mg daily"], nkda=True))
    _run(LIBRARY, data_dir)  # a first start (creates, migrates, grades): not what is timed
    _run(PREVIEW, data_dir, str(pid))  # and every module the timed runs use compiled once
    _run(SAVE, data_dir, "warm-up")
    return pid


def _raw_save(tmp: str, repeat: int) -> list[float]:
    conn = sqlite3.connect(os.path.join(tmp, "raw.sqlite3"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT, dob TEXT, nkda INTEGER)")
    conn.execute("CREATE TABLE medications (id INTEGER PRIMARY KEY, patient_id INTEGER, text TEXT)")
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        pid = conn.execute("INSERT INTO patients (name, dob, nkda) VALUES (?, ?, 1)",
                           (f"Bench Patient {i}", "1950-01-01")).lastrowid
        conn.execute("INSERT INTO medications (patient_id, text) VALUES (?, ?)", (pid, "Coumadin 5 mg daily"))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    conn.close()
    return times


def run(repeat: int = 5) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        pid = _prepare(data)
        preview, bare_pdf, library, bare_table, save = [], [], [], [], []
        for i in range(repeat):  # interleaved so each side sees the same machine state
            got = _run(PREVIEW, data, str(pid))
            preview.append(got["t"])
            pdf_file = os.path.join(tmp, "preview.hex")
            with open(pdf_file, "w") as fh:
                fh.write(got["pdf"])
            bare_pdf.append(_run(BARE_PDF, pdf_file)["t"])
            got = _run(LIBRARY, data)
            library.append(got["t"])
            rows_file = os.path.join(tmp, "rows.json")
            with open(rows_file, "w") as fh:
                json.dump(got["rows"], fh)
            bare_table.append(_run(BARE_TABLE, rows_file)["t"])
            save.append(_run(SAVE, data, str(i))["t"])
        raw = _raw_save(tmp, repeat * 3)
    p, bp = median(preview), median(bare_pdf)
    lib, bt = median(library), median(bare_table)
    s, r = median(save), median(raw)
    return [
        Result("handout preview, first topic ticked", ms(p), f"{ms(bp)} (bare QPdfView, same PDF)",
               f"{p / bp:.0f}×", "≤ 300 ms", verdict(p <= 0.3)),
        Result("Library page, first open", ms(lib), f"{ms(bt)} (bare QTableWidget, same rows)",
               f"{lib / bt:.0f}×", "≤ 300 ms", verdict(lib <= 0.3)),
        Result("save a patient (Ctrl+S → banner)", ms(s), f"{ms(r)} (raw SQL insert, committed)",
               f"{s / r:.0f}×", "≤ 100 ms", verdict(s <= 0.1)),
    ]


if __name__ == "__main__":
    for res in run(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        print(f"{res.what}: {res.value} (baseline {res.baseline}, {res.ratio}); target {res.target}: "
              f"{res.verdict}")
