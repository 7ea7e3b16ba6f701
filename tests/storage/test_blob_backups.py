"""Issue 24: PDFs as files named by SHA-256 beside the database, incremental backups, rotation
that keeps every file a kept backup needs, restores that bring rows and files back together, and
SIGKILL during a backup -- each on a new data dir and on one migrated from the old layout (PDF
bytes inside ``pdf_blobs.data``, built here with the migrations before 0012)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from blob_files import pdf_file
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.log import verify_log
from k2desk.storage import audit
from k2desk.storage import documents as docs
from k2desk.storage.anchor import head_path
from k2desk.storage.backup import create_backup_result, database_problem, rotate_backups
from k2desk.storage.blobs import BLOB_DIRNAME, stored_files
from k2desk.storage.migrations import MIGRATIONS
from stored_documents import add_test_patient, make_pdf, store_document

BLOB_MIGRATION = "0012_i24_blob_store"
CHILD = str(Path(__file__).resolve().parents[1] / "services" / "recovery_process.py")


# -- an old-layout data dir --------------------------------------------------------------------

def _old_store_document(db, pdf: bytes, title: str) -> int:  # noqa: ANN001
    """What storage.documents.store_document did before issue 24: the bytes inside pdf_blobs."""
    digest = hashlib.sha256(pdf).hexdigest()
    db.execute("INSERT OR IGNORE INTO pdf_blobs (sha256, data) VALUES (?, ?)", [digest, pdf])
    cur = db.execute(
        "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size, pages,"
        " created_at, operator) VALUES ('handout', NULL, 'handouts', 0, ?, ?, ?, 1, ?, 'test-rph')",
        [title, digest, len(pdf), dt.datetime.now(dt.UTC).isoformat()])
    doc_id = int(cur.lastrowid or 0)
    audit.append(db, operator="test-rph", action="render", entity="document", entity_id=doc_id,
                 details={"kind": "handout", "sha256": digest, "size": len(pdf), "pages": 1,
                          "source": "handouts/0"})
    return doc_id


def build_old_data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch, n: int = 3) -> list[bytes]:
    """A data dir as main's migrations up to 0011 leave it, with ``n`` documents stored inline."""
    old = [m for m in MIGRATIONS._migrations if m.name != BLOB_MIGRATION]
    assert len(old) == len(MIGRATIONS._migrations) - 1
    pdfs = [make_pdf([f"Old document {i} " + "y" * 3000]) for i in range(n)]
    with monkeypatch.context() as m:
        m.setattr(MIGRATIONS, "_migrations", old)
        with AppContext(data_dir, "test-rph") as c:
            add_test_patient(c, "Old Layout")
            with c.store.write() as db:
                for i, pdf in enumerate(pdfs):
                    _old_store_document(db, pdf, f"Old {i}")
    conn = sqlite3.connect(db_path(data_dir))
    assert any(r[1] == "data" for r in conn.execute("PRAGMA table_info(pdf_blobs)"))
    conn.close()
    assert not (data_dir / BLOB_DIRNAME).exists()
    return pdfs


@pytest.fixture(params=["new", "migrated"])
def layout(request: pytest.FixtureRequest, data_dir: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppContext, list[bytes]]]:
    """A context on a new data dir, or on an old-layout one migrated by this open."""
    pdfs: list[bytes] = []
    if request.param == "migrated":
        pdfs = build_old_data_dir(data_dir, monkeypatch)
    with AppContext(data_dir, "test-rph") as c:
        _ = c.store
        yield c, pdfs


def _doc(ctx: AppContext, i: int) -> int:
    return store_document(ctx, patient_id=add_test_patient(ctx, f"Patient {i}"),
                          title=f"Handout {i}", pages=[f"Document {i} page {n} " + "x" * 1500
                                                       for n in range(3)])


def _pdf_bytes(ctx: AppContext) -> dict[int, bytes]:
    ids = [r[0] for r in ctx.store.conn.execute("SELECT id FROM documents ORDER BY id")]
    return {i: docs.get_pdf(ctx.store.db, i) for i in ids}


def _files_match_names(root: Path) -> list[Path]:
    files = list(stored_files(root))
    for f in files:
        assert hashlib.sha256(f.read_bytes()).hexdigest() == f.name, f"{f} is not what it is named"
    return files


# -- the layout ----------------------------------------------------------------------------------

def test_pdfs_are_private_files_named_by_sha256_and_not_in_the_database(layout):
    ctx, old_pdfs = layout
    doc = _doc(ctx, 1)
    pdf = docs.get_pdf(ctx.store.db, doc)
    sha = hashlib.sha256(pdf).hexdigest()
    path = pdf_file(ctx.data_dir, sha)
    assert path.read_bytes() == pdf
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, ctx.data_dir / BLOB_DIRNAME):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    cols = [r[1] for r in ctx.store.conn.execute("PRAGMA table_info(pdf_blobs)")]
    assert cols == ["sha256", "size"]
    ctx.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = db_path(ctx.data_dir).read_bytes()
    for body in [pdf, *old_pdfs]:
        assert body[200:400] not in raw, "PDF bytes left inside the database file"
    # Every document, the migrated ones too, reads back byte for byte (reprints stay identical).
    by_sha = {hashlib.sha256(p).hexdigest(): p for p in [pdf, *old_pdfs]}
    for i, data in _pdf_bytes(ctx).items():
        row_sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [i]).fetchone()[0]
        assert by_sha.get(row_sha, data) == data
    assert verify_log(ctx).ok


def test_migration_backs_up_first_shrinks_the_file_and_keeps_the_head_file(data_dir, monkeypatch):
    pdfs = build_old_data_dir(data_dir, monkeypatch, n=40)
    size_before = db_path(data_dir).stat().st_size
    with AppContext(data_dir, "test-rph") as c:
        assert BLOB_MIGRATION in c.store.schema_version()
        assert db_path(data_dir).stat().st_size < size_before - sum(len(p) for p in pdfs) // 2
        assert head_path(data_dir).is_file()
        report = verify_log(c)
        assert report.ok and report.documents == 40 and not report.extra_files, report.summary()
        assert sorted(_pdf_bytes(c).values()) == sorted(pdfs)
        pre = [p for p in backup_dir(data_dir).glob("*pre-migration*.sqlite3")]
        assert len(pre) == 1 and database_problem(pre[0]) is None
        # The old-layout copy restores (its bytes inline), and the next open migrates it again.
        _doc(c, 99)
        svc.restore_backup(c, pre[0])
        assert c.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 40
    with AppContext(data_dir, "test-rph") as c:
        assert [r[1] for r in c.store.conn.execute("PRAGMA table_info(pdf_blobs)")] == ["sha256", "size"]
        report = verify_log(c)
        assert report.ok, report.summary()
        assert len(report.extra_files) == 1  # document 99's file, which the older copy never had


# -- verify --------------------------------------------------------------------------------------

def test_verify_names_a_missing_a_changed_and_an_extra_file(layout):
    ctx, _ = layout
    a, b = _doc(ctx, 1), _doc(ctx, 2)
    assert verify_log(ctx).ok
    sha = {i: ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [i]).fetchone()[0]
           for i in (a, b)}
    extra = pdf_file(ctx.data_dir, "ee" * 32)
    extra.parent.mkdir(mode=0o700, exist_ok=True)
    extra.write_bytes(b"%PDF left by a stop before its row")
    report = verify_log(ctx)
    assert report.ok and report.extra_files == (str(extra.relative_to(ctx.data_dir)),)
    assert "ee" * 32 in report.summary() and "belong to no document" in report.summary()

    changed = bytearray(pdf_file(ctx.data_dir, sha[b]).read_bytes())
    changed[100] ^= 0x01
    pdf_file(ctx.data_dir, sha[b]).write_bytes(bytes(changed))
    report = verify_log(ctx)
    assert not report.ok and f"document {b}:" in report.problem and "SHA-256" in report.problem

    pdf_file(ctx.data_dir, sha[a]).unlink()
    report = verify_log(ctx)
    assert not report.ok and f"document {a}:" in report.problem and "missing" in report.problem
    assert sha[a] in report.problem


# -- backups ---------------------------------------------------------------------------------------

def test_a_daily_backup_copies_only_the_pdfs_added_since_the_last(layout):
    ctx, _ = layout
    for i in range(4):
        _doc(ctx, i)
    first = create_backup_result(ctx.store)
    n_docs = ctx.store.conn.execute("SELECT count(*) FROM pdf_blobs").fetchone()[0]
    assert first.pdfs_added == n_docs
    again = create_backup_result(ctx.store)
    assert (again.pdfs_added, again.pdf_bytes_added) == (0, 0)
    new = _doc(ctx, 10)
    pdf = docs.get_pdf(ctx.store.db, new)
    day = create_backup_result(ctx.store)
    assert (day.pdfs_added, day.pdf_bytes_added) == (1, len(pdf))
    root = backup_dir(ctx.data_dir) / BLOB_DIRNAME
    assert len(_files_match_names(root)) == n_docs + 1
    for f in stored_files(root):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    for b in (first, again, day):
        assert stat.S_IMODE(b.path.stat().st_mode) == 0o600
        assert database_problem(b.path) is None


def test_a_backup_refuses_to_hide_a_damaged_pdf(layout):
    ctx, _ = layout
    doc = _doc(ctx, 1)
    sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [doc]).fetchone()[0]
    pdf_file(ctx.data_dir, sha).write_bytes(b"%PDF damaged")
    before = sorted(backup_dir(ctx.data_dir).glob("*.sqlite3"))
    with pytest.raises(OperationFailed, match="does not match its SHA-256"):
        svc.make_backup(ctx)
    assert sorted(backup_dir(ctx.data_dir).glob("*.sqlite3")) == before


def _named(path: Path, when: dt.datetime) -> Path:
    dest = path.with_name(f"k2desk-{when:%Y%m%d-%H%M%S-%f}-auto.sqlite3")
    path.rename(dest)
    return dest


def test_rotation_keeps_every_file_a_kept_backup_needs(layout):
    ctx, _ = layout
    start = dt.datetime.now() - dt.timedelta(days=40)
    made = []
    for day in range(12):  # twelve daily backups over twelve weeks: some fall out of the policy
        _doc(ctx, day)
        made.append(_named(create_backup_result(ctx.store).path, start + dt.timedelta(days=day * 3)))
    root = backup_dir(ctx.data_dir) / BLOB_DIRNAME
    orphan = pdf_file(root.parent, "ab" * 32)
    orphan.parent.mkdir(mode=0o700, exist_ok=True)
    orphan.write_bytes(b"left by a killed backup")
    young = pdf_file(root.parent, "cd" * 32)
    young.parent.mkdir(mode=0o700, exist_ok=True)
    young.write_bytes(b"copied a moment ago by a backup still running")
    hour_ago = time.time() - 2 * 3600
    for f in stored_files(root):
        if f != young:
            os.utime(f, (hour_ago, hour_ago))
    removed = rotate_backups(ctx.data_dir)
    assert removed and all(not p.exists() for p in removed)
    kept = sorted(backup_dir(ctx.data_dir).glob("*.sqlite3"))
    assert kept and len(kept) < len(made)
    assert not orphan.exists() and young.exists()
    for k in kept:
        assert database_problem(k, deep=True) is None, k.name
    # From any kept backup, the oldest included, a restore is complete and verified.
    oldest = min(kept, key=lambda p: p.name)
    svc.restore_backup(ctx, oldest)
    assert verify_log(ctx).ok
    assert all(_pdf_bytes(ctx).values())


def test_rotation_lets_no_file_go_while_one_backup_cannot_be_read(layout):
    ctx, _ = layout
    _doc(ctx, 1)
    create_backup_result(ctx.store)
    root = backup_dir(ctx.data_dir) / BLOB_DIRNAME
    orphan = pdf_file(root.parent, "ab" * 32)
    orphan.parent.mkdir(mode=0o700, exist_ok=True)
    orphan.write_bytes(b"no backup names this")
    os.utime(orphan, (time.time() - 7200,) * 2)
    damaged = backup_dir(ctx.data_dir) / "k2desk-damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    rotate_backups(ctx.data_dir)
    assert orphan.exists()


# -- restore --------------------------------------------------------------------------------------

def test_a_full_restore_brings_rows_and_pdfs_back_after_the_store_is_lost(layout):
    ctx, _ = layout
    for i in range(3):
        _doc(ctx, i)
    before = _pdf_bytes(ctx)
    backup = svc.make_backup(ctx)
    ctx.close()
    shutil.rmtree(ctx.data_dir / BLOB_DIRNAME)  # the disk's PDFs lost
    with AppContext(ctx.data_dir, "test-rph") as c:
        assert not verify_log(c).ok
        svc.restore_backup(c, backup)
        report = verify_log(c)
        assert report.ok and not report.extra_files, report.summary()
        assert _pdf_bytes(c) == before


def test_a_restore_from_an_older_backup_keeps_what_it_replaced(layout):
    ctx, _ = layout
    _doc(ctx, 1)
    older = svc.make_backup(ctx)
    n_older = ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    later = _doc(ctx, 2)
    later_pdf = docs.get_pdf(ctx.store.db, later)
    kept = svc.restore_backup(ctx, older)
    assert kept is not None
    assert ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == n_older
    report = verify_log(ctx)
    assert report.ok and len(report.extra_files) == 1  # the later document's file stays
    # The replaced database is a whole backup too, its PDFs beside it: restoring it brings the
    # later document back byte for byte.
    assert database_problem(kept, deep=True) is None
    svc.restore_backup(ctx, kept)
    assert docs.get_pdf(ctx.store.db, later) == later_pdf
    assert verify_log(ctx).ok


def test_a_restore_is_refused_when_a_pdf_of_the_backup_is_missing_or_changed(layout):
    ctx, _ = layout
    doc = _doc(ctx, 1)
    backup = svc.make_backup(ctx)
    sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [doc]).fetchone()[0]
    f = pdf_file(backup.parent, sha)
    good = f.read_bytes()
    f.write_bytes(good[:-1] + b"X")
    with pytest.raises(OperationFailed, match=f"document {doc}.*SHA-256.*nothing was restored"):
        svc.restore_backup(ctx, backup)
    f.unlink()
    with pytest.raises(OperationFailed, match=f"document {doc}.*missing.*nothing was restored"):
        svc.restore_backup(ctx, backup)
    f.write_bytes(good)
    svc.restore_backup(ctx, backup)
    assert verify_log(ctx).ok


def test_a_backup_written_elsewhere_takes_its_pdfs_along(layout, tmp_path):
    ctx, _ = layout
    _doc(ctx, 1)
    dest = tmp_path / "usb" / "k2desk-copy.sqlite3"
    dest.parent.mkdir()
    svc.make_backup(ctx, dest)
    n = len(_files_match_names(dest.parent / BLOB_DIRNAME))
    assert n >= 1
    details = ctx.store.conn.execute("SELECT details FROM audit_events WHERE action='backup'"
                                     " ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert json.loads(details)["pdfs_added"] == n
    svc.restore_backup(ctx, dest)
    assert verify_log(ctx).ok


# -- SIGKILL during a backup ---------------------------------------------------------------------

def _kill_a_backup(data_dir: Path, rng: random.Random) -> None:
    proc = subprocess.Popen([sys.executable, CHILD, "backup", str(data_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        try:
            proc.wait(rng.uniform(0.0, 0.4))
        except subprocess.TimeoutExpired:
            pass
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream:
                stream.close()


@pytest.mark.slow
def test_sigkill_during_backups_never_leaves_a_backup_without_its_pdfs(layout):
    ctx, _ = layout
    rng = random.Random(24)
    for i in range(4):
        _doc(ctx, i)
    ctx.close()
    for round_ in range(20):
        _kill_a_backup(ctx.data_dir, rng)
        with AppContext(ctx.data_dir, "test-rph") as c:  # new PDFs for the next backup to copy
            for j in range(2):
                _doc(c, 100 + round_ * 2 + j)
    folder = backup_dir(ctx.data_dir)
    named = sorted(folder.glob("*.sqlite3"))
    assert named, "some backups completed"
    for p in named:
        assert database_problem(p, deep=True) is None, p.name
    # Every file under a PDF name is whole (a cut-off copy only ever has a temporary name).
    _files_match_names(folder / BLOB_DIRNAME)
    assert any(p.name.startswith(".k2desk-") for p in folder.rglob("*")), "no kill cut a backup off"
    with AppContext(ctx.data_dir, "test-rph") as c:
        assert verify_log(c).ok
        # Many backups finished (rotation kept the newest of the day), and kills cut some off.
        done = c.store.conn.execute("SELECT count(*) FROM audit_events WHERE action='backup'")
        assert done.fetchone()[0] >= 5
        before = _pdf_bytes(c)
        newest = max(named, key=lambda p: p.stat().st_mtime)
        n = sqlite3.connect(f"file:{newest}?mode=ro", uri=True)
        in_backup = n.execute("SELECT count(*) FROM documents").fetchone()[0]
        n.close()
        svc.restore_backup(c, newest)
        assert verify_log(c).ok
        after = _pdf_bytes(c)
        assert len(after) == in_backup and all(before[i] == after[i] for i in after)
