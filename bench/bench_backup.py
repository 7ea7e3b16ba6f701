"""The daily backup after years of documents (issue 24): a log of N distinct PDFs (default
200,000 of 45 KB: 16 GB is ten years at 100 a day, docs/performance.md), its first backup (the
full copy: database and every PDF), then one day of 100 more documents stored the ordinary way
and the daily backup. Reports the daily backup's time and bytes against the full copy, and a raw
baseline (`cp` of the same day's new files plus the database) measured in the same run.

    .venv/bin/python bench/bench_backup.py [--documents N] [--pdf-kb K] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, verdict  # noqa: E402

from k2desk.paths import backup_dir, db_path  # noqa: E402
from k2desk.services.context import AppContext  # noqa: E402
from k2desk.storage import audit, backup_check, documents  # noqa: E402
from k2desk.storage.backup import create_backup_result, database_problem  # noqa: E402
from k2desk.storage.blobs import BLOB_DIRNAME, blob_path  # noqa: E402
from k2desk.storage.bulk_documents import DocumentCopy, insert_copies  # noqa: E402

CHUNK = 10_000
DAY = 100


def _pdf(i: int, size: int) -> bytes:
    """A distinct PDF-like body of ``size`` bytes (incompressible filler: the bytes, not their
    content, are what a backup copies)."""
    head = b"%%PDF-1.4\n%% k2desk bench document %d\n" % i
    return head + os.urandom(max(0, size - len(head) - 6)) + b"\n%%EOF"


def fill(data_dir: str, n: int, size: int) -> None:
    """``n`` distinct documents: files written straight into the store (one sync at the end,
    as a long-running counter would have them on disk), rows and audit events in bulk."""
    root = Path(data_dir) / BLOB_DIRNAME
    with AppContext(data_dir, "bench") as ctx:
        _ = ctx.store
        made = 0
        while made < n:
            k = min(CHUNK, n - made)
            copies = []
            rows = []
            for i in range(made, made + k):
                pdf = _pdf(i, size)
                sha = hashlib.sha256(pdf).hexdigest()
                p = blob_path(root, sha)
                p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pdf)
                rows.append((sha, len(pdf)))
                copies.append(DocumentCopy("handout", None, "handouts", 0, f"Bench {i}", sha,
                                           len(pdf), 1, "2020-01-01T00:00:00+00:00"))
            with ctx.store.write() as db:
                db.conn.executemany("INSERT INTO pdf_blobs (sha256, size) VALUES (?, ?)", rows)
                insert_copies(db, copies, "bench")
            made += k
    os.sync()


def _dir_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def run(data_dir: str, size: int) -> list[Result]:
    folder = backup_dir(Path(data_dir))
    shutil.rmtree(folder, ignore_errors=True)
    with AppContext(data_dir, "bench") as ctx:
        t0 = time.perf_counter()
        full = create_backup_result(ctx.store, reason="manual")
        full_s = time.perf_counter() - t0
        # Recorded as the service records it: the daily backup's check builds on this one's.
        with ctx.store.write() as db:
            audit.append(db, operator="bench", action="backup", entity="database",
                         details={"file": full.path.name, "reason": "manual", "check": full.check})
        full_bytes = full.db_bytes + full.pdf_bytes_added
        day_pdfs: list[Path] = []
        with ctx.store.write() as db:
            base = int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
        for i in range(DAY):  # one day's documents, each stored as the counter stores it
            pdf = _pdf(base + 1_000_000 + i, size)
            with ctx.store.write() as db:
                documents.store_document(db, kind="handout", patient_id=None, source_table="handouts",
                                         source_id=0, pdf=pdf, title=f"Day {i}", operator="bench")
            day_pdfs.append(blob_path(Path(data_dir) / BLOB_DIRNAME, hashlib.sha256(pdf).hexdigest()))
        day_bytes = sum(p.stat().st_size for p in day_pdfs)
        os.sync()
        t0 = time.perf_counter()
        daily = create_backup_result(ctx.store, reason="auto")
        daily_s = time.perf_counter() - t0
    # Of which: the check of the copy. The daily one is incremental (storage.backup_check: what
    # changed since the first backup); the weekly/restore full check (integrity, whole audit
    # chain, every row seal, every document against its creation event) timed too, on its own.
    assert daily.check == "incremental", daily.check
    plan = backup_check.plan(daily.path, daily.path.parent)
    assert plan is not None and plan.base == full.path
    t0 = time.perf_counter()
    assert backup_check.incremental_problem(daily.path, plan) is None
    check_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert database_problem(daily.path, files=False) is None
    full_check_s = time.perf_counter() - t0
    # Raw baseline, same run: copy the day's files and the database file with the OS alone.
    with tempfile.TemporaryDirectory(dir=data_dir) as raw:
        t0 = time.perf_counter()
        for p in day_pdfs:
            shutil.copyfile(p, Path(raw) / p.name)
        shutil.copyfile(db_path(Path(data_dir)), Path(raw) / "db")
        os.sync()
        raw_s = time.perf_counter() - t0
    daily_bytes = daily.db_bytes + daily.pdf_bytes_added
    mb = 1e6
    return [
        Result("daily backup: time (100 new documents)", f"{daily_s:.1f} s",
               f"full copy {full_s:.1f} s; raw cp of the same bytes {raw_s:.1f} s",
               f"{daily_s / full_s:.3f} of the full copy", "seconds", verdict(daily_s < 60)),
        Result("  of which: checking the copied database (incremental)", f"{check_s:.2f} s",
               f"full check {full_check_s:.1f} s (weekly, and every restore)",
               f"{check_s / daily_s:.2f} of the daily backup", "", ""),
        Result("daily backup: new PDF bytes copied", f"{daily.pdf_bytes_added / mb:.1f} MB "
               f"({daily.pdfs_added} files)", f"the day's PDFs {day_bytes / mb:.1f} MB",
               f"{daily.pdf_bytes_added / max(day_bytes, 1):.2f}", "the day's PDFs only",
               verdict(daily.pdfs_added == DAY and daily.pdf_bytes_added == day_bytes)),
        Result("daily backup: bytes written (database + new PDFs)", f"{daily_bytes / mb:.0f} MB",
               f"full copy {full_bytes / mb:.0f} MB", f"{daily_bytes / full_bytes:.3f}",
               "a small part of the full copy", verdict(daily_bytes < full_bytes / 5)),
        Result("backups folder after two backups", f"{_dir_bytes(folder) / mb:.0f} MB",
               f"two full copies {2 * full_bytes / mb:.0f} MB", "—", "", ""),
    ]


def measure(n: int, pdf_kb: int = 45) -> list[Result]:
    """For bench/run.py: its own data dir of ``n`` distinct PDFs, filled, measured, removed."""
    with tempfile.TemporaryDirectory() as tmp:
        fill(tmp, n, pdf_kb * 1000)
        return run(tmp, pdf_kb * 1000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--documents", type=int, default=200_000)
    ap.add_argument("--pdf-kb", type=int, default=45)
    ap.add_argument("--data-dir", help="reuse a data dir filled by an earlier run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        if not args.data_dir:
            t0 = time.perf_counter()
            fill(data_dir, args.documents, args.pdf_kb * 1000)
            print(f"filled {args.documents:,} documents in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        for r in run(data_dir, args.pdf_kb * 1000):
            print(f"| {r.what} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
