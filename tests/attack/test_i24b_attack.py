"""Attacks on the daily backup's incremental check (issue 24b, ``storage.backup_check``): a row
slipped into the live database after the last backup with no seal at all, a backup event's
``check`` forged to "full" with sqlite3, a foreign k2desk backup and a symlink in the backups
folder."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from backup_helpers import add_day, backup_checks, kept_backups
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                " AND name LIKE 'audit_events_%'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def _two_backups(ctx: AppContext) -> None:
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto")
    assert backup_checks(ctx) == ["full", "incremental"]


def test_a_patient_slipped_in_with_sqlite3_after_the_last_backup_is_not_kept(ctx):
    """HOLE: the incremental check only looked at rows with a seal after the previous backup; a
    row added behind k2desk's back has no seal at all, so only the weekly full check saw it."""
    _two_backups(ctx)
    conn = _raw(db_path(ctx.data_dir))
    conn.execute("CREATE TEMP TABLE t AS SELECT * FROM patients ORDER BY id DESC LIMIT 1")
    conn.execute("UPDATE t SET id = (SELECT max(id) + 1 FROM patients), name = 'Slipped In'")
    conn.execute("INSERT INTO patients SELECT * FROM t")
    conn.close()
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match="added outside k2desk"):
        svc.make_backup(ctx, reason="auto")
    assert kept_backups(ctx) == before


def test_a_backup_event_forged_to_full_with_sqlite3_is_refused(ctx):
    """Withstood: the newest backup event's ``check`` edited to "full" (so the weekly full check
    would never come); the walk re-hashes from that event and names it altered."""
    _two_backups(ctx)
    conn = _raw(db_path(ctx.data_dir))
    conn.execute("UPDATE audit_events SET details = json_set(details, '$.check', 'full')"
                 " WHERE id = (SELECT max(id) FROM audit_events WHERE action = 'backup')")
    conn.close()
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match="was altered"):
        svc.make_backup(ctx, reason="auto")
    assert kept_backups(ctx) == before


def test_a_foreign_k2desk_backup_in_the_folder_is_not_built_on(ctx, tmp_path):
    """Withstood: another pharmacy's k2desk backup, newest in the folder, is never the base an
    incremental check trusts (its head is not in this chain): the backup is not kept silently
    on its word."""
    with AppContext(tmp_path / "other", "test-rph") as other:
        add_day(other, 5)
        svc.make_backup(other, reason="auto")
        (theirs,) = kept_backups(other)
    _two_backups(ctx)
    add_day(ctx, 2)
    target = backup_dir(ctx.data_dir) / "k2desk-zzzz-foreign.sqlite3"
    target.symlink_to(theirs)
    later = time.time() + 60
    os.utime(theirs, (later, later))  # the newest file in the folder
    try:
        svc.make_backup(ctx, reason="auto")
    except OperationFailed:
        return  # refused: nothing trusted on the foreign file's word
    assert backup_checks(ctx)[-1] == "full"


def test_a_clock_moved_back_past_the_last_full_check_gets_the_full_check(ctx):
    """Withstood: a full check recorded in what is now the future (the clock set back two days)
    is not taken as recent; the copy gets the full check."""
    import datetime as dt

    _two_backups(ctx)
    add_day(ctx, 2)
    svc.make_backup(ctx, reason="auto", now=dt.datetime.now() - dt.timedelta(days=2))
    assert backup_checks(ctx)[-1] == "full"


def test_a_tail_event_deleted_and_re_appended_with_other_words_is_refused(ctx):
    """Withstood: the newest events deleted and appended again with sqlite3, the same count and
    the same stored hashes but one event's details changed: the walk re-hashes them."""
    _two_backups(ctx)
    add_day(ctx, 2)
    conn = _raw(db_path(ctx.data_dir))
    rows = conn.execute("SELECT * FROM audit_events ORDER BY id DESC LIMIT 2").fetchall()
    cols = [r[1] for r in conn.execute("PRAGMA table_info(audit_events)")]
    conn.execute("DELETE FROM audit_events WHERE id >= ?", [min(r[0] for r in rows)])
    for r in sorted(rows):
        row = dict(zip(cols, r, strict=True))
        row["operator"] = "someone else"
        conn.execute(f"INSERT INTO audit_events ({', '.join(cols)}) VALUES"
                     f" ({', '.join('?' * len(cols))})", [row[c] for c in cols])
    conn.close()
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match="was altered"):
        svc.make_backup(ctx, reason="auto")
    assert kept_backups(ctx) == before
