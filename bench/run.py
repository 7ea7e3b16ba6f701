"""All k2desk benchmarks in one command; each against a raw baseline measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/run.py [--documents N] [--data-dir DIR]

Builds a synthetic log of N documents (default 1,000,000) with `k2desk demo`, then prints a
Markdown table (median, p95 where it fits, ratio to the baseline). Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_backup  # noqa: E402 - after the path and Qt platform are set
import bench_import  # noqa: E402
import bench_log_data  # noqa: E402
import bench_log_page  # noqa: E402
import bench_order_export  # noqa: E402
import bench_render  # noqa: E402
import bench_startup  # noqa: E402
import bench_verify  # noqa: E402
import bench_window  # noqa: E402
from common import Result  # noqa: E402


def _table(results: list[Result]) -> str:
    lines = ["| what | k2desk | baseline (same run) | ratio | target | verdict |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.what} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.verdict} |"
              for r in results]
    return "\n".join(lines)


def _order_export(n_orders: int) -> list[Result]:
    # Its own data dir: the order log is built with its history, apart from the document log.
    with tempfile.TemporaryDirectory() as tmp:
        bench_order_export.fill(tmp, n_orders)
        return bench_order_export.run(tmp)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--documents", type=int, default=1_000_000)
    ap.add_argument("--patients", type=int, default=100_000, help="rows for the bulk import")
    ap.add_argument("--orders", type=int, default=100_000, help="orders for the order-log export")
    ap.add_argument("--backup-documents", type=int, default=200_000, help="distinct PDFs for the backup")
    ap.add_argument("--data-dir", help="reuse a data dir already filled with demo data")
    args = ap.parse_args()
    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory()
        data_dir = tmp.name
        t0 = time.perf_counter()
        print(f"building a demo log of {args.documents:,} documents ...", file=sys.stderr)
        bench_log_page._fill(data_dir, args.documents)
        print(f"  done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    results: list[Result] = []
    steps = [
        ("cold start", lambda: bench_startup.run(data_dir)),
        ("window actions", bench_window.run),
        ("handout render", bench_render.run),
        ("log search", lambda: bench_log_data.search(data_dir)),
        ("log page", lambda: bench_log_page.run(data_dir, args.documents)),
        ("csv export", lambda: bench_log_data.export_csv(data_dir)),
        ("bulk import", lambda: bench_import.run(args.patients)),
        ("peak memory", lambda: bench_log_data.peak_memory(data_dir)),
        ("log verify", lambda: bench_verify.run(data_dir)),
        ("order export", lambda: _order_export(args.orders)),
        ("daily backup", lambda: bench_backup.measure(args.backup_documents)),
    ]
    for name, step in steps:
        print(f"measuring {name} ...", file=sys.stderr)
        try:
            results += step()
        except Exception as exc:  # noqa: BLE001 - a failed measurement is reported as a row
            results.append(Result(name, f"not measured: {type(exc).__name__}: {exc}"))
    db_file = Path(data_dir) / "k2desk.sqlite3"
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{dt.date.today().isoformat()}; log of {args.documents:,} documents, "
          f"database {db_file.stat().st_size / 1e6:.0f} MB\n")
    print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
