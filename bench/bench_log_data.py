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
from k2desk.storage.log import _CSV_LINE_SQL, _SELECT, _csv_cell
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


def _sqlite3_csv(db: Path, sql: str, out: Path) -> float:
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        subprocess.run(["sqlite3", "-csv", "-header", str(db), sql], stdout=fh, check=True)
    return time.perf_counter() - t0


def _lines_in_sqlite(db: Path, bound: str | None) -> float:
    """The export's own query (each line built by SQLite's printf, formula cells neutralised)
    run to the end inside SQLite with nothing fetched into Python and nothing written: the
    least the export can take as it is built."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_function("k2desk_csv_cell", 1, _csv_cell, deterministic=True)
    where, params = (" WHERE d.created_at >= ?", [bound]) if bound else ("", [])
    sql = f"SELECT sum(length(line)) FROM ({_CSV_LINE_SQL.replace(' FROM ', ' AS line FROM ', 1)}" \
          f"{where} ORDER BY d.created_at, d.id)"
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchone()
        times.append(time.perf_counter() - t0)
    conn.close()
    return min(times)


def export_csv(data_dir: str, sizes: tuple[int, ...] = (20_000, 200_000, 1_000_000)) -> list[Result]:
    """CSV export of the newest N rows (a --since day chosen so about N rows fall after it) and
    of the whole log, against `sqlite3 -csv` running the same query; the sqlite3 shell's own
    start-up (``SELECT 1``) is subtracted from its time."""
    from k2desk.services.export import log_query

    if not shutil.which("sqlite3"):
        return [Result("CSV export", "not measured: no sqlite3 shell (Debian package 'sqlite3')")]
    db = db_path(Path(data_dir))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        startup = min(_sqlite3_csv(db, "SELECT 1;", Path(tmp) / "one.csv") for _ in range(3))
        total = sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0]
        for n in sizes:
            since = None
            if n < total:
                stamp = sqlite3.connect(db).execute(
                    "SELECT created_at FROM documents ORDER BY created_at DESC, id DESC LIMIT 1"
                    " OFFSET ?", [n]).fetchone()[0]
                since = stamp[:10]
            bound = log_query(since).since
            where = f" WHERE d.created_at >= '{bound}'" if bound else ""
            sql = f"{_SELECT}{where} ORDER BY d.created_at, d.id;"
            ours_t, raw_t, rows = [], [], 0
            for _ in range(2 if n < total else 1):
                out = Path(tmp) / "log.csv"
                out.unlink(missing_ok=True)
                with AppContext(data_dir, "bench") as ctx:
                    _ = ctx.store  # start-up (opening and checking the file) is not the export
                    t0 = time.perf_counter()
                    rows = export_log(ctx, out, "csv", since=since).rows
                    ours_t.append(time.perf_counter() - t0)
                raw_t.append(_sqlite3_csv(db, sql, Path(tmp) / "raw.csv") - startup)
            ours, raw = min(ours_t), min(raw_t)
            results.append(Result(f"CSV export of {rows:,} rows", f"{ours:.2f} s",
                                  f"{raw:.2f} s (sqlite3 -csv, start-up {startup * 1000:.0f} ms"
                                  " subtracted)", f"{ours / raw:.2f}×", "≤ 1.5×",
                                  verdict(ours / raw <= 1.5)))
            floor = _lines_in_sqlite(db, bound)
            results.append(Result(f"  floor: the same {rows:,} lines built in SQLite, no output",
                                  f"{floor:.2f} s", f"{raw:.2f} s (sqlite3 -csv)",
                                  f"{floor / raw:.2f}×", "(floor of the export)", ""))
            if n >= total:
                break
    return results


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
