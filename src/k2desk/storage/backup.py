"""Online backups with SQLite's backup API, and restore after checks."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from k2desk.domain.backup_policy import backups_to_keep, parse_backup_name
from k2desk.paths import backup_dir, db_path
from k2desk.storage.audit import verify_chain
from k2desk.storage.log import verify_documents

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
            # A backup is one self-contained file: without WAL, opening it to check or restore
            # leaves no -wal/-shm files beside it.
            target.execute("PRAGMA journal_mode=DELETE")
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
    problem = _trail_problem(path)
    if problem:
        raise BackupError(f"{path} fails its audit check ({problem}); it may have been altered, "
                          "so nothing was restored.")


def _trail_problem(path: Path) -> str | None:
    """The first break in the file's audit chain or stored PDF hashes, or None."""
    try:
        # immutable: a file being checked is not written by anyone, and no lock files appear.
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            db = Database(conn)
            _, problem = verify_chain(db)
            if problem is None:
                _, problem = verify_documents(db)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"it cannot be read ({exc})"
    return problem


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
                keep_conn.execute("PRAGMA journal_mode=DELETE")
            finally:
                keep_conn.close()
        finally:
            live_conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    os.replace(tmp, live)
    return kept


def backup_time(path: Path) -> dt.datetime | None:
    """When a backup in the backups folder was taken (from its name), for automatic and manual ones."""
    parsed = parse_backup_name(path.name)
    return parsed.taken_at if parsed is not None and parsed.rotated else None


def newest_backup_time(data_dir: Path) -> dt.datetime | None:
    """The time of the newest automatic or manual backup in the backups folder, or None."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return None
    times = [t for p in folder.glob("*.sqlite3") if (t := backup_time(p)) is not None]
    return max(times, default=None)


def rotate_backups(data_dir: Path) -> list[Path]:
    """Delete automatic and manual backups that the keep policy (7 daily, 4 weekly) lets go.

    Pre-migration copies, files a restore replaced and files not named by k2desk stay.
    Returns the deleted files.
    """
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    candidates = {p.name: (p, t) for p in folder.glob("*.sqlite3") if (t := backup_time(p)) is not None}
    keep = backups_to_keep((name, t) for name, (_, t) in candidates.items())
    removed = []
    for name, (p, _) in sorted(candidates.items()):
        if name not in keep:
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed
