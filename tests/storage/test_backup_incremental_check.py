"""The daily backup checks what changed since the previous kept backup (storage.backup_check),
the full check still runs weekly and on every restore, and each backup's audit event says which
check its copy passed."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from backup_helpers import add_day, backup_checks, kept_backups
from k2desk.paths import db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.storage.audit import GENESIS, event_hash
from k2desk.storage.backup import BackupError, database_problem, restore_file


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    return conn


def test_the_first_backup_is_fully_checked_and_the_next_ones_incrementally(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 2)
    svc.make_backup(ctx, reason="auto")
    assert backup_checks(ctx) == ["full", "incremental", "incremental"]
    for p in kept_backups(ctx):  # and each of them passes the full check too
        assert database_problem(p) is None


def test_a_week_after_the_last_full_check_the_backup_gets_the_full_check_again(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto", now=dt.datetime.now() + dt.timedelta(days=6))
    add_day(ctx, 2)
    svc.make_backup(ctx, reason="auto", now=dt.datetime.now() + dt.timedelta(days=7, hours=1))
    assert backup_checks(ctx) == ["full", "incremental", "full"]


def test_with_no_readable_previous_backup_the_copy_gets_the_full_check(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    (only,) = kept_backups(ctx)
    only.write_bytes(b"not a database at all" * 100)
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto")
    assert backup_checks(ctx) == ["full", "full"]


def test_the_incremental_check_refuses_a_copy_that_does_not_extend_the_previous_head(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto")
    # The trail rewritten from its second event on, every hash recomputed: a consistent chain,
    # but not the one the previous backup holds.
    conn = _raw(db_path(ctx.data_dir))
    rows = conn.execute("SELECT id, at, operator, action, entity, entity_id, details FROM"
                        " audit_events ORDER BY id").fetchall()
    prev = GENESIS
    for n, (eid, at, op, action, entity, entity_id, details) in enumerate(rows):
        if n == 1:
            op = "someone else"
        h = event_hash(prev, at, op, action, entity, entity_id, details)
        conn.execute("UPDATE audit_events SET operator = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     [op, prev, h, eid])
        prev = h
    conn.close()
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match="is not the one the previous backup .* recorded"):
        svc.make_backup(ctx, reason="auto")
    assert kept_backups(ctx) == before


def test_the_incremental_check_refuses_a_copy_whose_trail_was_cut_back(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    svc.make_backup(ctx, reason="auto")
    conn = _raw(db_path(ctx.data_dir))
    # The last two events: the previous backup's own event and the last one its copy holds.
    cut = conn.execute("SELECT id FROM audit_events ORDER BY id DESC LIMIT 1 OFFSET 1").fetchone()[0]
    conn.execute("DELETE FROM audit_events WHERE id >= ?", [cut])
    conn.close()
    with pytest.raises(OperationFailed, match="events were removed or lost"):
        svc.make_backup(ctx, reason="auto")


def test_the_incremental_check_still_catches_what_changed_since_the_previous_backup(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)  # after the previous backup, so within what the incremental check reads
    newest = ctx.store.conn.execute("SELECT max(id) FROM patients").fetchone()[0]
    conn = _raw(db_path(ctx.data_dir))
    conn.execute("UPDATE patients SET name = 'Changed' WHERE id = ?", [newest])
    conn.close()
    with pytest.raises(OperationFailed, match="was changed"):
        svc.make_backup(ctx, reason="auto")


def test_an_old_row_changed_behind_k2desks_back_is_caught_by_the_weekly_check_and_by_restore(
        ctx, data_dir):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    oldest = ctx.store.conn.execute("SELECT min(id) FROM patients").fetchone()[0]
    conn = _raw(db_path(ctx.data_dir))
    conn.execute("UPDATE patients SET name = 'Changed' WHERE id = ?", [oldest])
    conn.close()
    # What the incremental check does not read (sealed before the previous backup) it lets by...
    svc.make_backup(ctx, reason="auto")
    assert backup_checks(ctx)[-1] == "incremental"
    changed_copy = kept_backups(ctx)[-1]
    # ...but the full check of that very copy names it,
    assert "was changed" in (database_problem(changed_copy) or "")
    # the weekly full check refuses the next copy,
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match="was changed"):
        svc.make_backup(ctx, reason="auto", now=dt.datetime.now() + dt.timedelta(days=8))
    assert kept_backups(ctx) == before
    # and a restore of the copy is refused (restore always runs the full check).
    ctx.close()
    with pytest.raises(BackupError, match="was changed"):
        restore_file(data_dir, changed_copy)


def test_after_a_restore_the_backups_of_the_history_set_aside_are_not_built_on(data_dir):
    with AppContext(data_dir, "test-rph") as c:
        add_day(c, 0)
        svc.make_backup(c, reason="auto")  # full: its event is in the next backups
        add_day(c, 1)
        made = svc.make_backup(c, reason="auto")
        # Kept aside with its PDFs (rotation keeps one backup a day).
        first = data_dir.parent / "aside" / made.name
        shutil.copytree(made.parent, first.parent)
        add_day(c, 2)
        svc.make_backup(c, reason="auto")  # newer than the history the restore goes back to
    with AppContext(data_dir, "test-rph") as c:
        svc.restore_backup(c, first)
    with AppContext(data_dir, "test-rph") as c:
        add_day(c, 3)
        svc.make_backup(c, reason="auto")  # not refused: the newer backup is set aside
        add_day(c, 4)
        svc.make_backup(c, reason="auto")
        assert backup_checks(c)[-2:] == ["full", "incremental"]


def test_a_new_document_changed_with_its_row_is_caught_by_the_incremental_check(ctx):
    add_day(ctx, 0)
    svc.make_backup(ctx, reason="auto")
    add_day(ctx, 1)
    conn = _raw(db_path(ctx.data_dir))
    doc, sha = conn.execute("SELECT id, sha256 FROM documents ORDER BY id DESC LIMIT 1").fetchone()
    other = conn.execute("SELECT sha256 FROM documents WHERE id < ? LIMIT 1", [doc]).fetchone()[0]
    # Pointed at another stored PDF (its row seal and its creation event both disagree).
    conn.execute("UPDATE documents SET sha256 = ? WHERE id = ?", [other, doc])
    conn.close()
    before = kept_backups(ctx)
    with pytest.raises(OperationFailed, match=f"document {doc}|documents row {doc} was changed"):
        svc.make_backup(ctx, reason="auto")
    assert kept_backups(ctx) == before
