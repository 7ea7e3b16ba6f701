"""Recovery on real files and real processes: restore refused while another k2desk program holds
the store, restore from every kind of damaged live file, bad sources refused with the live file
byte-identical, interrupted backups never left under a backup name."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from k2desk.cli import main
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.log import verify_log
from k2desk.storage.backup import database_problem
from k2desk.storage.files import APPLICATION_ID
from stored_documents import add_test_patient, store_document

CHILD = str(Path(__file__).with_name("recovery_process.py"))


def _patients(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM patients ORDER BY id")]
    finally:
        conn.close()


def _snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file under the data dir (the open-programs notes aside), by relative path."""
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*"))
            if p.is_file() and "open-programs" not in p.parts}


@pytest.fixture
def with_backup(ctx: AppContext) -> Path:
    """A store with a patient and a document, a backup of it, then a second patient; closed."""
    store_document(ctx, patient_id=add_test_patient(ctx))
    backup = svc.make_backup(ctx)
    add_test_patient(ctx, "After Backup")
    ctx.close()
    return backup


def _start(mode: str, data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, CHILD, mode, str(data_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "ready\n", proc.stderr.read() if proc.stderr else line
    return proc


def test_restore_is_refused_while_another_k2desk_process_holds_the_store(ctx, with_backup, capsys):
    data_dir = ctx.data_dir
    holder = _start("hold", data_dir)
    try:
        code = main(["backup", "restore", str(with_backup), "--yes"])
        err = capsys.readouterr().err
        assert code == 1
        assert "open in the k2desk window, operator holder" in err and f"process {holder.pid}" in err
        assert "Nothing was restored" in err
        assert not list(backup_dir(data_dir).glob("*replaced-by-restore*"))
        # The holder goes on saving, with success, and what it saved is in the live file.
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("Saved During Restore\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip().isdigit()
    finally:
        if holder.stdin:
            holder.stdin.close()
        holder.wait(30)
    assert _patients(db_path(data_dir)) == ["Ann Lee", "After Backup", "Saved During Restore"]
    # Once it has closed, the restore goes ahead and keeps everything it saved.
    assert main(["backup", "restore", str(with_backup), "--yes"]) == 0
    (kept,) = backup_dir(data_dir).glob("*replaced-by-restore.sqlite3")
    assert _patients(kept) == ["Ann Lee", "After Backup", "Saved During Restore"]
    assert _patients(db_path(data_dir)) == ["Ann Lee"]
    capsys.readouterr()


def test_restore_is_refused_while_this_process_has_another_store_open(ctx, with_backup):
    other = AppContext(ctx.data_dir, "someone", who="the k2desk window")
    _ = other.store
    try:
        with pytest.raises(OperationFailed, match="open in the k2desk window"):
            svc.restore_backup(ctx, with_backup)
    finally:
        other.close()
    assert svc.restore_backup(ctx, with_backup) is not None


def _not_sqlite(raw: bytes) -> bytes:
    return b"this is not a database\n" * 200


def _flip_header_byte(raw: bytes) -> bytes:
    return raw[:16] + bytes([raw[16] ^ 0xFF]) + raw[17:]  # the page size


DAMAGE = {
    "not sqlite": _not_sqlite,
    "truncated to 50 bytes": lambda raw: raw[:50],
    "truncated to half": lambda raw: raw[: len(raw) // 2],
    "flipped header byte": _flip_header_byte,
    "empty": lambda raw: b"",
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_restore_works_whatever_state_the_live_file_is_in(ctx, with_backup, capsys, kind):
    data_dir = ctx.data_dir
    live = db_path(data_dir)
    damaged = DAMAGE[kind](live.read_bytes())
    live.write_bytes(damaged)
    # doctor names the newest good backup; nothing opens the damaged file as a new database.
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "BAD  database" in out and str(with_backup) in out
    assert live.read_bytes() == damaged

    assert main(["backup", "restore", str(with_backup), "--yes"]) == 0
    out = capsys.readouterr().out
    kept = list(backup_dir(data_dir).glob("*replaced-by-restore*"))
    if kind == "empty":
        assert kept == [] and "there was no database to keep" in out
    else:
        (k,) = kept
        assert k.read_bytes() == damaged, "the damaged file is kept byte for byte"
        assert str(k) in out
    assert _patients(live) == ["Ann Lee"]
    with AppContext(data_dir, "test-rph") as after:
        assert verify_log(after).ok
        assert after.store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    # No stub: every file under a backup name is a good backup or the kept live file.
    good = [p for p in backup_dir(data_dir).glob("*.sqlite3") if database_problem(p) is None]
    assert with_backup in good
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".k2desk-")]


def _foreign_with_k2desk_tables(path: Path, live: Path) -> None:
    """k2desk's table names and columns, but not a k2desk file: no migration records, no id."""
    src = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    schema = [r[0] for r in src.execute(
        "SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL "
        "AND name NOT LIKE '%sqlite%' AND name NOT LIKE '%fts%'")]
    src.close()
    conn = sqlite3.connect(path)
    for sql in schema:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _tampered_wal_beside(path: Path, backup: Path) -> None:
    """A whole, checked backup with a -wal beside it that rewrites the audit trail: SQLite reads
    the WAL when it opens the file, so the check must too."""
    shutil.copyfile(backup, path)
    # A backup is its database and the PDF files beside it (issue 24).
    shutil.copytree(backup.parent / "blobs", path.parent / "blobs", dirs_exist_ok=True)
    work = path.with_name("work.sqlite3")
    shutil.copyfile(backup, work)
    conn = sqlite3.connect(work)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET operator='mallory' WHERE id=1")
    conn.commit()
    shutil.copyfile(f"{work}-wal", f"{path}-wal")  # while open: the WAL is still there
    conn.close()
    assert database_problem(path) is None, "the file alone is a good backup"
    # Proof that SQLite reads the WAL: a copy of the pair shows the forged operator.
    probe = path.with_name("probe.sqlite3")
    shutil.copyfile(path, probe)
    shutil.copyfile(f"{path}-wal", f"{probe}-wal")
    seen = sqlite3.connect(probe)
    assert seen.execute("SELECT operator FROM audit_events WHERE id=1").fetchone()[0] == "mallory"
    seen.close()


BAD_SOURCES = ["foreign file with k2desk's tables", "tampered WAL beside it", "truncated", "text"]


@pytest.mark.parametrize("kind", BAD_SOURCES)
def test_a_bad_source_is_refused_and_the_live_file_stays_byte_identical(ctx, with_backup, tmp_path, kind):
    data_dir = ctx.data_dir
    source = tmp_path / "elsewhere" / "source.sqlite3"
    source.parent.mkdir()
    if kind == "foreign file with k2desk's tables":
        _foreign_with_k2desk_tables(source, db_path(data_dir))
        expected = "not a k2desk database"
    elif kind == "tampered WAL beside it":
        _tampered_wal_beside(source, with_backup)
        expected = "audit check"
    elif kind == "truncated":
        raw = with_backup.read_bytes()
        source.write_bytes(raw[: len(raw) // 2])
        expected = "cut short"
    else:
        source.write_text("patients, audit_events, documents\n" * 100)
        expected = "not an SQLite database"
    before = _snapshot(data_dir)
    with pytest.raises(OperationFailed, match=expected) as info:
        svc.restore_backup(ctx, source)
    assert "nothing was restored" in str(info.value)
    ctx.close()
    assert _snapshot(data_dir) == before


def test_a_source_of_another_program_is_refused(ctx, with_backup, tmp_path):
    source = tmp_path / "other-app.sqlite3"
    shutil.copyfile(with_backup, source)
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA application_id=1234")
    conn.commit()
    conn.close()
    with pytest.raises(OperationFailed, match="another program's database"):
        svc.restore_backup(ctx, source)


def test_an_old_backup_without_application_id_is_recognised_by_its_migration_records(ctx, with_backup):
    conn = sqlite3.connect(with_backup)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.execute("PRAGMA application_id=0")  # as files from before this release are
    conn.commit()
    conn.close()
    assert svc.restore_backup(ctx, with_backup) is not None
    assert ctx.store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@pytest.mark.slow
def test_a_killed_backup_never_leaves_a_file_under_a_backup_name(ctx):
    for i in range(6):
        store_document(ctx, patient_id=add_test_patient(ctx, f"Patient {i}"),
                       pages=[f"page {n} " + "x" * 2000 for n in range(8)])
    ctx.close()
    rng = random.Random(16)
    folder = backup_dir(ctx.data_dir)
    for _ in range(20):
        proc = _start("backup", ctx.data_dir)
        try:
            # First kills land early in a backup, later ones anywhere in the loop.
            try:
                proc.wait(rng.uniform(0.0, 0.25))
            except subprocess.TimeoutExpired:
                pass
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream:
                    stream.close()
    named = sorted(folder.glob("*.sqlite3"))
    assert named, "some backups completed"
    for p in named:
        assert database_problem(p) is None, f"{p.name}: {database_problem(p)}"
    # Whatever was cut off is a temporary file, never a backup name (and some kills did cut one off).
    # (The backups' shared PDF store, issue 24, is checked in tests/storage/test_blob_backups.py.)
    cut_off = [p for p in folder.iterdir() if p not in named and p.name != "blobs"]
    assert cut_off and all(p.name.startswith(".k2desk-") for p in cut_off)
    with AppContext(ctx.data_dir, "test-rph") as after:
        assert verify_log(after).ok
        assert len(_patients(db_path(ctx.data_dir))) == 6
