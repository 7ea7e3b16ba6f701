"""Cold start to the first shown main window, against a bare PySide6 QMainWindow."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import Result, median, verdict

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1100, 750); w.show(); app.processEvents()
print(time.time())
"""

K2DESK = """
import sys, time
from PySide6.QtWidgets import QApplication
from k2desk.services.context import AppContext
from k2desk.ui.main_window import MainWindow
app = QApplication([])
# As k2desk.ui.app.run_window does: the integrity check runs in the background after show.
ctx = AppContext(sys.argv[1], "bench", defer_integrity_check=True)
w = MainWindow(ctx); w.show(); app.processEvents()
print(time.time())
"""


def _once(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True, timeout=120).stdout
    return float(out.strip().splitlines()[-1]) - t0


def run(data_dir: str | None = None, repeat: int = 7) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        data = data_dir or tmp
        _once(K2DESK, data)  # first start creates the database: not a cold start of a daily user
        bare, ours = [], []
        for _ in range(repeat):  # interleaved so both see the same machine state
            bare.append(_once(BARE))
            ours.append(_once(K2DESK, data))
    b, o = median(bare), median(ours)
    return [Result("cold start to main window shown", f"{o:.2f} s", f"{b:.2f} s (bare QMainWindow)",
                   f"{o / b:.2f}×", "≤ 1.0 s, ≤ 3×", verdict(o <= 1.0 and o / b <= 3))]
