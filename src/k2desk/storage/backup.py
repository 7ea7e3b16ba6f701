"""Online backups with SQLite's backup API, and restore after checks."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from k2desk.paths import backup_dir, db_path

if TYPE_CHECKING:
    from k2desk.storage.db import Store


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    modified: dt.datetime


class BackupError(Exception):
    """A backup could not be made, or a file is not fit to restore."""


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def backup_to(store: Store, dest: Path) -> Path:
    """Copy the live database to ``dest`` (created 0600) with the SQLite online-backup API."""
    dest = dest.expanduser()
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose another file name.")
    try:
        _private_dir(dest.parent)
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        target = sqlite3.connect(dest)
        try:
            store.conn.backup(target)
        finally:
            target.close()
    except (OSError, sqlite3.Error) as exc:
        dest.unlink(missing_ok=True)
        raise BackupError(f"Cannot write the backup {dest}: {exc}.") from exc
    return dest


def create_backup(store: Store, *, reason: str = "manual") -> Path:
    """A new backup in the data dir's backups/ folder, named by time and reason."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_to(store, backup_dir(store.data_dir) / f"k2desk-{stamp}-{reason}.sqlite3")


def list_backups(data_dir: Path) -> list[BackupInfo]:
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    infos = []
    for p in folder.glob("*.sqlite3"):
        st = p.stat()
        infos.append(BackupInfo(p, st.st_size, dt.datetime.fromtimestamp(st.st_mtime)))
    return sorted(infos, key=lambda b: (b.modified, b.path.name), reverse=True)


def check_backup_file(path: Path) -> None:
    """Refuse a file that is not an intact k2desk database."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not an SQLite database; nothing was restored.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as a database ({exc}); nothing was restored.") from exc
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check ({result}); nothing was restored.")
    if not {"patients", "audit_events", "documents"} <= tables:
        raise BackupError(f"{path} is not a k2desk database; nothing was restored.")


def restore_file(data_dir: Path, source: Path) -> Path:
    """Replace the database with ``source`` (already checked); keep the replaced file.

    The store must be closed. Returns where the replaced database was kept.
    """
    live = db_path(data_dir)
    folder = backup_dir(data_dir)
    _private_dir(folder)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = folder / f"k2desk-{stamp}-replaced-by-restore.sqlite3"
    tmp = live.with_name(live.name + ".restoring")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
    if live.exists():
        live_conn = sqlite3.connect(live)
        try:
            fd = os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            keep_conn = sqlite3.connect(kept)
            try:
                live_conn.backup(keep_conn)
            finally:
                keep_conn.close()
        finally:
            live_conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    os.replace(tmp, live)
    return kept
