"""`order export` of a large order log (default 100,000 orders of 1-6 lines each, with their
status history) as CSV: time against `sqlite3 -csv` of the same joined rows (order columns,
line columns and the status dates) in the same run, and the export's peak memory (VmHWM of a
child process that does only the export).

    .venv/bin/python bench/bench_order_export.py [--orders N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import Result, verdict  # noqa: E402

from k2desk.paths import db_path  # noqa: E402
from k2desk.services.context import AppContext  # noqa: E402

CHUNK = 10_000


def fill(data_dir: str, n_orders: int) -> None:
    """A handful of real orders made through the services (with their history), then copies of
    them in bulk, back-dated over two years, oldest first."""
    from order_log_data import make_order_log

    with AppContext(data_dir, "bench") as ctx:
        log = make_order_log(ctx)
        db = ctx.store.db
        templates = []
        for oid in log["ids"]:
            o = db.execute("SELECT patient_id, prescriber_id, status, fields, interactions FROM orders"
                           " WHERE id=?", [oid]).fetchone()
            lines = db.execute("SELECT position, ingredient, strength, unit FROM order_lines"
                               " WHERE order_id=? ORDER BY position", [oid]).fetchall()
            hist = db.execute("SELECT status, operator, note FROM order_status_history"
                              " WHERE order_id=? ORDER BY id", [oid]).fetchall()
            templates.append((o, lines, hist))
    conn = sqlite3.connect(db_path(Path(data_dir)))
    start = time.time() - 730 * 86400
    step = 730 * 86400 / max(n_orders, 1)
    made = 0
    while made < n_orders:
        n = min(CHUNK, n_orders - made)
        with conn:
            for k in range(made, made + n):
                o, lines, hist = templates[k % len(templates)]
                at = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(start + step * k))
                cur = conn.execute(
                    "INSERT INTO orders (patient_id, prescriber_id, status, fields, interactions,"
                    " created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?)",
                    [o[0], o[1], o[2], o[3], o[4], at, at])
                oid = cur.lastrowid
                conn.executemany("INSERT INTO order_lines (order_id, position, ingredient, strength, unit)"
                                 " VALUES (?, ?, ?, ?, ?)", [(oid, *ln) for ln in lines])
                conn.executemany("INSERT INTO order_status_history (order_id, status, at, operator, note)"
                                 " VALUES (?, ?, ?, ?, ?)", [(oid, h[0], at, h[1], h[2]) for h in hist])
        made += n
    conn.close()


def _field(key: str) -> str:
    return f"json_extract(o.fields, '$.\"{key}\"')"


def _status(status: str, col: str) -> str:
    return (f"(SELECT {col} FROM order_status_history h WHERE h.order_id = o.id AND h.status = '{status}'"
            " ORDER BY h.id DESC LIMIT 1)")


# The same joined rows the export writes: order columns, one row per line, the status dates.
RAW_SQL = (
    "SELECT o.id, (SELECT group_concat(id, ' ') FROM documents d WHERE d.source_table='orders'"
    " AND d.source_id=o.id), o.created_at, o.created_by, o.patient_id, "
    + ", ".join(_field(k) for k in (
        "patient.name", "patient.dob", "prescriber.name", "prescriber.npi", "prescriber.dea",
        "prescriber.licence", "prescriber.phone", "prescriber.fax", "prescriber.date_written",
        "patient.diagnosis", "patient.icd10"))
    + ", l.position, l.ingredient, l.strength, l.unit, "
    + ", ".join(_field(k) for k in (
        "compound.base", "compound.dosage_form", "compound.quantity", "compound.quantity_unit",
        "compound.days_supply", "compound.sig", "compound.refills", "compound.daw"))
    + ", o.status, "
    + ", ".join(_status(s, c) for s in ("sent-for-signature", "signed-original-received", "compounded",
                                        "dispensed", "cancelled") for c in ("at", "operator", "note"))
    + ", " + _field("pharmacy_use.interaction_review")
    + " FROM orders o JOIN order_lines l ON l.order_id = o.id ORDER BY o.id, l.position;"
)

EXPORT = """
import sys
from k2desk.services.context import AppContext
from k2desk.services.order_export import export_orders
with AppContext(sys.argv[1], "bench") as ctx:
    r = export_orders(ctx, sys.argv[2], "csv")
print(r.orders, r.rows)
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(data_dir: str) -> list[Result]:
    """Both sides run as child processes; the verdict compares CPU time (user + system), which
    a machine shared with other work does not inflate the way it inflates wall time."""
    sqlite = shutil.which("sqlite3")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "orders.csv"
        c0 = _child_cpu()
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", EXPORT, data_dir, str(out)], capture_output=True,
                             text=True, check=True, timeout=3600,
                             env=dict(os.environ, K2DESK_DATA_DIR=data_dir)).stdout.split("\n")
        ours = time.perf_counter() - t0
        ours_cpu = _child_cpu() - c0
        orders, rows = (int(x) for x in res[0].split())
        peak_mb = int(res[1]) / 1024
        c0 = _child_cpu()
        t0 = time.perf_counter()
        if sqlite:
            with open(Path(tmp) / "raw.csv", "wb") as fh:
                subprocess.run([sqlite, "-csv", "-header", str(db_path(Path(data_dir))), RAW_SQL],
                               stdout=fh, check=True)
            base = "sqlite3 -csv"
        else:
            import csv

            conn = sqlite3.connect(db_path(Path(data_dir)))
            with open(Path(tmp) / "raw.csv", "w", newline="") as fh:
                csv.writer(fh).writerows(conn.execute(RAW_SQL))
            conn.close()
            base = "python csv (no sqlite3 shell)"
        raw = time.perf_counter() - t0
        raw_cpu = _child_cpu() - c0  # zero when the python fallback ran in this process
    ratio = ours_cpu / raw_cpu if raw_cpu else ours / raw
    return [
        Result(f"order export CSV of {orders:,} orders ({rows:,} line rows; process start included)",
               f"{ours_cpu:.1f} s CPU ({ours:.1f} s wall)",
               f"{raw_cpu:.1f} s CPU ({raw:.1f} s wall), {base} of the same joined rows",
               f"{ratio:.2f}× CPU ({ours / raw:.2f}× wall)", "≤ 2×", verdict(ratio <= 2)),
        Result("peak memory of the order export process", f"{peak_mb:.0f} MB", "—", "—", "≤ 200 MB",
               verdict(peak_mb <= 200)),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--data-dir", help="reuse a data dir already filled by this benchmark")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        if args.data_dir is None:
            t0 = time.perf_counter()
            print(f"building an order log of {args.orders:,} orders ...", file=sys.stderr)
            fill(data_dir, args.orders)
            print(f"  done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        for r in run(data_dir):
            print(json.dumps(r.__dict__, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
