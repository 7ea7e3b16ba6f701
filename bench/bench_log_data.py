"""Log search as you type and CSV export on a large log, against raw SQLite in the same run;
peak memory of the window with the log open."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Result, ms, p95, verdict

from k2desk.paths import db_path
from k2desk.services import log as log_svc
from k2desk.services.context import AppContext
from k2desk.services.export import export_log
from k2desk.storage.log import _SELECT
from k2desk.storage.patients import fts_query


def _typed_queries(ctx: AppContext, n: int = 200) -> list[str]:
    """What a pharmacist types, letter by letter: prefixes of real patient names."""
    names = [r[0] for r in ctx.store.conn.execute("SELECT name FROM patients ORDER BY id LIMIT 400")]
    rng = random.Random(3)
    queries: list[str] = []
    while len(queries) < n:
        word = rng.choice(rng.choice(names).split())
        for k in range(2, len(word) + 1):
            queries.append(word[:k])
    return queries[:n]


def search(data_dir: str) -> list[Result]:
    with AppContext(data_dir, "bench") as ctx:
        queries = _typed_queries(ctx)
        ours = []
        for q in queries:
            t0 = time.perf_counter()
            log_svc.search_log(ctx, q, limit=100)
            ours.append(time.perf_counter() - t0)
    raw_conn = sqlite3.connect(db_path(Path(data_dir)))
    sql = (f"{_SELECT} WHERE d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
           " ORDER BY rowid DESC LIMIT 100) ORDER BY d.id DESC")
    raw = []
    for q in queries:
        match = fts_query(q)
        t0 = time.perf_counter()
        raw_conn.execute(sql, [match]).fetchall()
        raw.append(time.perf_counter() - t0)
    raw_conn.close()
    o, r = p95(ours), p95(raw)
    return [Result("log search as you type (p95 of 200 queries)", ms(o), f"{ms(r)} (raw FTS5 query)",
                   f"{o / r:.2f}×", "≤ 50 ms, ≤ 1.5×", verdict(o <= 0.050 and o / r <= 1.5))]


def export_csv(data_dir: str) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "log.csv"
        with AppContext(data_dir, "bench") as ctx:
            t0 = time.perf_counter()
            res = export_log(ctx, out, "csv")
            ours = time.perf_counter() - t0
        sqlite = shutil.which("sqlite3")
        sql = f"{_SELECT} ORDER BY d.created_at, d.id;"
        t0 = time.perf_counter()
        if sqlite:
            with open(Path(tmp) / "raw.csv", "wb") as fh:
                subprocess.run([sqlite, "-csv", "-header", str(db_path(Path(data_dir))), sql],
                               stdout=fh, check=True)
            base_name = "sqlite3 -csv"
        else:  # the sqlite3 shell is Debian's 'sqlite3' package; fall back to Python's csv module
            import csv

            conn = sqlite3.connect(db_path(Path(data_dir)))
            with open(Path(tmp) / "raw.csv", "w", newline="") as fh:
                csv.writer(fh).writerows(conn.execute(sql))
            conn.close()
            base_name = "python csv (no sqlite3 shell)"
        raw = time.perf_counter() - t0
    return [Result(f"CSV export of {res.rows:,} rows", f"{ours:.1f} s", f"{raw:.1f} s ({base_name})",
                   f"{ours / raw:.2f}×", "≤ 1.5×", verdict(ours / raw <= 1.5))]


# VmHWM (the peak of this address space), not ru_maxrss: on Linux ru_maxrss survives fork and
# exec, so a child would report the benchmark parent's own peak.
PEAK = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from k2desk.services.context import AppContext
from k2desk.ui.main_window import MainWindow
app = QApplication([])
ctx = AppContext(sys.argv[1], "bench")
w = MainWindow(ctx); w.show(); QCoreApplication.processEvents()
page = w.go("log"); QCoreApplication.processEvents()
for _ in range(20):
    page.table.scrollToBottom(); QCoreApplication.processEvents()
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


def peak_memory(data_dir: str) -> list[Result]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", PEAK, data_dir], capture_output=True, text=True,
                         env=env, check=True, timeout=600).stdout
    mb = int(out.strip().splitlines()[-1]) / 1024
    return [Result("peak memory, log open and scrolled 20 pages", f"{mb:.0f} MB", "—", "—",
                   "≤ 300 MB", verdict(mb <= 300))]
