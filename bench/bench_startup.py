"""Cold start to the first shown main window, against a bare PySide6 QMainWindow."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import Result, child_env, median, verdict

_CACHE = os.path.join(tempfile.gettempdir(), "k2desk-bench-pycache")

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1100, 750); w.show(); app.processEvents()
print(time.time())
"""

# The real entry point (k2desk.ui.app.run_window), timed like the bare window: until the main
# window is first painted. The first page is built on a later turn of the event loop and the
# database opens in the background; the second time printed is when the first page is shown,
# for the row that says how long until there is something to use.
K2DESK = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from k2desk.ui.app import run_window

app = QApplication([])
times = []

def first_page(w):
    if w.shown_page() is None:
        QTimer.singleShot(1, lambda: first_page(w))
        return
    app.processEvents()
    print(times[0]); print(time.time(), flush=True)
    os._exit(0)  # nothing more to time; the database may still be opening in the background

class Painted(QObject):
    def eventFilter(self, obj, event):
        if (not times and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and type(obj.window()).__name__ == "MainWindow"):
            times.append(time.time())
            QTimer.singleShot(0, lambda: first_page(obj.window()))
        return False

probe = Painted(); app.installEventFilter(probe)
run_window(sys.argv[1], "bench")
"""


def _once(code: str, *args: str) -> list[float]:
    env = child_env(_CACHE)
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True, timeout=120).stdout
    return [float(line) - t0 for line in out.strip().splitlines()[-2:]]


def run(data_dir: str | None = None, repeat: int = 7) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        data = data_dir or tmp
        _once(K2DESK, data)  # first start creates the database: not a cold start of a daily user
        _once(BARE)  # and both sides' modules compiled once, as installed
        bare, ours, page = [], [], []
        for _ in range(repeat):  # interleaved so both see the same machine state
            bare.append(_once(BARE)[-1])
            shown, first = _once(K2DESK, data)
            ours.append(shown)
            page.append(first)
    b, o, p = median(bare), median(ours), median(page)
    return [Result("cold start to main window shown", f"{o:.2f} s", f"{b:.2f} s (bare QMainWindow)",
                   f"{o / b:.2f}×", "≤ 1.0 s, ≤ 3×", verdict(o <= 1.0 and o / b <= 3)),
            Result("cold start to first page shown (database opening behind it)", f"{p:.2f} s",
                   f"{b:.2f} s (bare QMainWindow)", f"{p / b:.2f}×", "—", "for information")]
