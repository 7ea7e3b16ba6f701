"""The Log page on a 1,000,000-row log: time to first rows shown, and one more page on scroll,
against the raw keyset query on the same file.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_log_page.py [DATA_DIR]

Without DATA_DIR a temporary one is filled with `k2desk demo --documents 1000000` first (minutes).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time

from common import Result, median, ms, verdict

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _fill(data_dir: str, n: int) -> None:
    from k2desk.services import demo
    from k2desk.services.context import AppContext

    with AppContext(data_dir, "bench") as ctx:
        demo.fill_demo(ctx, 500, n)


def run(data_dir: str | None = None, n: int = 1_000_000, repeat: int = 5) -> list[Result]:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from k2desk.services.context import AppContext
    from k2desk.ui.main_window import MainWindow

    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory()
        data_dir = tmp.name
        _fill(data_dir, n)
    _app = QApplication.instance() or QApplication([])
    first, more = [], []
    for _ in range(repeat):
        with AppContext(data_dir, "bench") as ctx:
            w = MainWindow(ctx)
            w.show()
            QCoreApplication.processEvents()
            t0 = time.perf_counter()
            page = w.go("log")
            while page.model.rowCount() == 0:  # the first page is read off the GUI thread
                QCoreApplication.processEvents()
            QCoreApplication.processEvents()  # and painted
            first.append(time.perf_counter() - t0)
            rows = page.model.rowCount()
            t0 = time.perf_counter()
            page.table.scrollToBottom()  # the view asks for the next page
            QCoreApplication.processEvents()
            more.append(time.perf_counter() - t0)
            assert page.model.rowCount() > rows, "scrolling did not fetch more rows"
            w.close()
            total = ctx.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn = sqlite3.connect(os.path.join(data_dir, "k2desk.sqlite3"))
    raw = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conn.execute("SELECT * FROM documents ORDER BY id DESC LIMIT 200").fetchall()
        raw.append(time.perf_counter() - t0)
    conn.close()
    if tmp is not None:
        tmp.cleanup()
    f, m, r = median(first), median(more), median(raw)
    return [Result(f"log page, first rows shown ({total:,} rows)", ms(f), f"{ms(r)} (raw query)",
                   f"{f / r:.0f}×" if r else "—", "≤ 200 ms", verdict(f <= 0.2)),
            Result("log page, next page on scroll", ms(m), "—", "—", "smooth (≤ 50 ms)", verdict(m <= 0.05))]


if __name__ == "__main__":
    for res in run(sys.argv[1] if len(sys.argv) > 1 else None):
        print(f"{res.what}: {res.value} (baseline {res.baseline}, {res.ratio}); target {res.target}: "
              f"{res.verdict}")
