"""Backup use cases: create (with rotation), the daily automatic backup, list, and restore
(the file's integrity and audit chain checked before anything is replaced)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.outputs import check_output_path
from k2desk.storage import audit
from k2desk.storage.backup import (
    BackupError,
    BackupInfo,
    Progress,
    backup_into,
    create_backup_result,
    list_backups,
    newest_backup_time,
    restore_file,
    rotate_backups,
)
from k2desk.storage.backup import (
    newest_good_backup as storage_newest_good_backup,
)

AUTO_BACKUP_AGE = dt.timedelta(days=1)


def make_backup(ctx: AppContext, dest: Path | None = None, *, reason: str = "manual",
                progress: Progress | None = None, now: dt.datetime | None = None) -> Path:
    """Write a backup (to ``dest`` or the backups folder, 0600), rotate the folder, audit both.
    ``progress(done, total)`` counts the database pages copied; ``now`` (default the clock)
    decides whether the copy's weekly full check is due (storage.backup_check)."""
    if dest is not None:
        dest = check_output_path(ctx.data_dir, dest, field="output")
    try:
        made = (backup_into(ctx.store, dest, progress=progress, now=now) if dest
                else create_backup_result(ctx.store, reason=reason, progress=progress, now=now))
        path = made.path
        removed = rotate_backups(ctx.data_dir)
    except (BackupError, OSError) as exc:
        raise OperationFailed(str(exc)) from exc
    with ctx.store.write() as db:
        audit.append(db, operator=ctx.operator, action="backup", entity="database",
                     details={"file": path.name, "reason": reason,
                              "rotated_out": [p.name for p in removed],
                              # What this backup copied beyond the database file (issue 24).
                              "pdfs_added": made.pdfs_added, "pdf_bytes_added": made.pdf_bytes_added,
                              # Which check the copy passed (storage.backup_check): "full", or
                              # "incremental" (what changed since the previous kept backup).
                              "check": made.check})
    return path


def backup_due(ctx: AppContext, *, now: dt.datetime | None = None) -> bool:
    """True when the database holds something and the newest automatic or manual backup is
    more than a day old (or there is none)."""
    has_data = ctx.store.conn.execute("SELECT 1 FROM audit_events LIMIT 1").fetchone() is not None
    if not has_data:
        return False  # a brand-new, empty database has nothing worth keeping yet
    newest = newest_backup_time(ctx.data_dir)
    return newest is None or (now or dt.datetime.now()) - newest > AUTO_BACKUP_AGE


def auto_backup_if_due(ctx: AppContext, *, now: dt.datetime | None = None) -> Path | None:
    """Take the daily automatic backup if one is due; return its path, or None if not due.

    Raises OperationFailed when the backup fails; callers at start-up turn that into a warning.
    """
    if not backup_due(ctx, now=now):
        return None
    return make_backup(ctx, reason="auto", now=now)


def backups(ctx: AppContext) -> list[BackupInfo]:
    return list_backups(ctx.data_dir)


def restore_backup(ctx: AppContext, source: Path, *, progress: Progress | None = None) -> Path | None:
    """Check ``source`` (with its ``-wal``) and replace the database with the checked copy; return
    where the old database was kept (None if it was empty or missing).

    Refused, naming the other program, while another k2desk program has the database open; works
    when the live file is damaged, cut short or empty. The restore is audited in the restored file.
    ``progress(done, total)`` counts the bytes of the backup copied in to be checked.
    """
    source = source.expanduser().resolve()
    if not source.is_file():
        raise OperationFailed(f"{source} does not exist or is not a file; nothing was restored.")
    ctx.close()  # this program's own hold; restore needs the database alone
    try:
        # Checks a private copy of the source (with its -wal) and restores exactly that copy.
        kept = restore_file(ctx.data_dir, source, progress=progress)
    except BackupError as exc:
        raise OperationFailed(str(exc)) from exc
    except OSError as exc:
        raise OperationFailed(f"Restore failed, the database was not replaced: "
                              f"{exc.strerror or exc}.") from exc
    # The head file this restore just wrote sets the older history aside; the restore event
    # appended next is what backs it from now on.
    # A backup from an earlier release is brought up to date as it opens (migrations compare
    # the trail with the backups too: only those taken since this restore count).
    store = ctx.open_restored()
    store.check_anchor(just_restored=True)
    with store.write() as db:
        audit.append(db, operator=ctx.operator, action="restore", entity="database",
                     details={"from": source.name, "kept": kept.name if kept else None})
    return kept


def newest_good_backup(ctx: AppContext) -> Path | None:
    """The newest backup that passes the full check (integrity, k2desk's file, audit chain)."""
    return storage_newest_good_backup(ctx.data_dir)
