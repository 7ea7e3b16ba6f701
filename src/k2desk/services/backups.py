"""Backup use cases: create, list, restore (checked before anything is replaced)."""

from __future__ import annotations

from pathlib import Path

from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.storage import audit
from k2desk.storage.backup import (
    BackupError,
    BackupInfo,
    backup_to,
    check_backup_file,
    create_backup,
    list_backups,
    restore_file,
)


def make_backup(ctx: AppContext, dest: Path | None = None) -> Path:
    """Write a backup (to ``dest`` or the backups folder) and audit it."""
    try:
        path = backup_to(ctx.store, dest) if dest else create_backup(ctx.store)
    except BackupError as exc:
        raise OperationFailed(str(exc)) from exc
    with ctx.store.write() as db:
        audit.append(db, operator=ctx.operator, action="backup", entity="database",
                     details={"file": path.name})
    return path


def backups(ctx: AppContext) -> list[BackupInfo]:
    return list_backups(ctx.data_dir)


def restore_backup(ctx: AppContext, source: Path) -> Path:
    """Check ``source``, then replace the database with it; return where the old one was kept."""
    source = source.expanduser().resolve()
    try:
        check_backup_file(source)
    except BackupError as exc:
        raise OperationFailed(str(exc)) from exc
    ctx.close()
    try:
        kept = restore_file(ctx.data_dir, source)
    except (OSError, BackupError) as exc:
        raise OperationFailed(f"Restore failed, the database was not replaced: {exc}") from exc
    with ctx.store.write() as db:
        audit.append(db, operator=ctx.operator, action="restore", entity="database",
                     details={"from": source.name, "kept": kept.name})
    return kept
