"""`log verify`'s throughput on a big log: stored PDFs hashed per second (documents and MB),
against reading and hashing the same PDF files (issue 24: beside the database) in the same run."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

from common import Result

from k2desk.paths import db_path
from k2desk.services.context import AppContext
from k2desk.services.log import verify_log
from k2desk.storage.blobs import BLOB_DIRNAME, blob_path


def run(data_dir: str) -> list[Result]:
    with AppContext(data_dir, "bench") as ctx:
        _ = ctx.store  # start-up (opening and checking the file) is not the verify
        t0 = time.perf_counter()
        report = verify_log(ctx)
        ours = time.perf_counter() - t0
    conn = sqlite3.connect(db_path(Path(data_dir)))
    t0 = time.perf_counter()
    n = size = 0
    root = Path(data_dir) / BLOB_DIRNAME
    for (sha,) in conn.execute("SELECT sha256 FROM documents ORDER BY id"):
        data = blob_path(root, sha).read_bytes()
        hashlib.sha256(data).hexdigest()
        n += 1
        size += len(data)
    raw = time.perf_counter() - t0
    conn.close()
    mb = size / 1e6
    state = "verified" if report.ok else f"FAILED: {report.problem}"
    return [Result(f"log verify, {report.documents:,} documents ({mb:,.0f} MB of PDF), {state}",
                   f"{ours:.1f} s: {report.documents / ours:,.0f} documents/s, {mb / ours:,.0f} MB/s",
                   f"{raw:.1f} s: {n / raw:,.0f} documents/s, {mb / raw:,.0f} MB/s (hashing alone)",
                   f"{ours / raw:.2f}×", "reported (the whole check: chain, head, rows, PDFs)", "—")]
