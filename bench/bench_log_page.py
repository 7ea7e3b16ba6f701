"""The Log page on a 1,000,000-row log: time to first rows shown, one more page on scroll, and
the scroll bar dragged to row 900,000 (the whole log, and the log filtered by dates), against
raw queries on the same file in the same run.

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
    jumps: dict[str, list[float]] = {"": [], "dates": []}
    target_row = min(900_000, n - 1)
    for _ in range(repeat):
        with AppContext(data_dir, "bench") as ctx:
            w = MainWindow(ctx)
            w.resize(1280, 800)
            w.show()
            QCoreApplication.processEvents()
            t0 = time.perf_counter()
            page = w.go("log")
            # The first page is read off the GUI thread. (Not a processEvents() busy loop: on
            # Python 3.11 each call of PySide6's processEvents drops a reference to None too
            # many, and a few million calls crash the interpreter: "none_dealloc".)
            while page.model.rowCount() == 0:
                page.env.worker.wait()
                QCoreApplication.processEvents()
            QCoreApplication.processEvents()  # and painted
            first.append(time.perf_counter() - t0)
            page.env.worker.wait()
            t0 = time.perf_counter()
            page.table.verticalScrollBar().setValue(200)  # the next page down
            QCoreApplication.processEvents()
            more.append(time.perf_counter() - t0)
            for name in jumps:
                if name == "dates":  # the log but its oldest three weeks
                    oldest = ctx.store.db.execute("SELECT min(created_at) FROM documents").fetchone()[0]
                    page.date_from.setText(_days_after(oldest, 21))
                    page.date_to.setText(_days_after(oldest, 800))
                    page.apply_filter()
                    page.env.worker.wait()
                    QCoreApplication.processEvents()
                total = page.model.rowCount()
                assert page.model.seeking and total > target_row, (name, total)
                page.table.verticalScrollBar().setValue(0)
                QCoreApplication.processEvents()
                t0 = time.perf_counter()
                page.table.verticalScrollBar().setValue(target_row)  # the thumb dragged there
                QCoreApplication.processEvents()
                page.table.viewport().repaint()  # and the rows painted
                jumps[name].append(time.perf_counter() - t0)
                top = page.table.rowAt(0)
                assert abs(top - target_row) < 50, (top, target_row)
                assert page.model.data(page.model.index(top, 0)) is not None
            w.close()
            total_all = ctx.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn = sqlite3.connect(os.path.join(data_dir, "k2desk.sqlite3"))
    raw, raw_jump = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conn.execute("SELECT * FROM documents ORDER BY created_at DESC, id DESC LIMIT 200").fetchall()
        raw.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        # The floor: the same 200 rows read by OFFSET alone, with no window and no seek.
        conn.execute("SELECT created_at, id FROM documents ORDER BY created_at DESC, id DESC"
                     " LIMIT 200 OFFSET ?", [target_row]).fetchall()
        raw_jump.append(time.perf_counter() - t0)
    conn.close()
    if tmp is not None:
        tmp.cleanup()
    f, m, r, rj = median(first), median(more), median(raw), median(raw_jump)
    out = [Result(f"log page, first rows shown ({total_all:,} rows)", ms(f), f"{ms(r)} (raw query)",
                  f"{f / r:.0f}×" if r else "—", "≤ 200 ms", verdict(f <= 0.2)),
           Result("log page, next page on scroll", ms(m), "—", "—", "smooth (≤ 50 ms)", verdict(m <= 0.05))]
    for name, times in jumps.items():
        j = median(times)
        what = f"log page, scroll bar dragged to row {target_row:,}" + (
            " (filtered by dates)" if name else "")
        out.append(Result(what, f"{ms(j)} (p95 {ms(max(times))})",
                          f"{ms(rj)} (raw OFFSET walk, whole log)", f"{j / rj:.1f}×" if rj else "—",
                          "≤ 200 ms", verdict(j <= 0.2)))
    return out


def _days_after(stamp: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(stamp[:10]) + dt.timedelta(days=days)).isoformat()


if __name__ == "__main__":
    for res in run(sys.argv[1] if len(sys.argv) > 1 else None):
        print(f"{res.what}: {res.value} (baseline {res.baseline}, {res.ratio}); target {res.target}: "
              f"{res.verdict}")
