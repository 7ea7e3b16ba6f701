"""The database and its backups as files on disk: what a whole SQLite file looks like, private
temporary files, and which backups are sound. Below ``db`` and ``backup``, so both can use it."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import struct
from pathlib import Path

from k2desk.paths import backup_dir

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id (header offset 68): "K2DK". Set on every database k2desk opens from
# release 0.x on; older files are recognised by their migration records instead.
APPLICATION_ID = 0x4B32444B
# Temporary files k2desk writes beside a destination start with this; they never match a backup
# name, so an interrupted write never looks like a backup.
TEMP_PREFIX = ".k2desk-"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows; O_EXCL alone refuses an existing link


def exclusive_temp(folder: Path, suffix: str = ".part") -> tuple[int, Path]:
    """Create a new, empty file with a random name in ``folder`` (0600, O_EXCL, not following a
    link); return its open descriptor and path. Never reuses or truncates an existing file."""
    for _ in range(20):
        path = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{suffix}"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW
                         | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        return fd, path
    raise FileExistsError(f"no free temporary name in {folder}")


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish(tmp: Path, dest: Path) -> None:
    """Give the finished file ``tmp`` its final name ``dest``, never replacing an existing file.

    A hard link is the one rename that refuses an existing name atomically; where links are not
    supported, the existence check and rename are separate steps.
    """
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise
    except OSError:
        if dest.exists():
            raise FileExistsError(f"{dest} already exists") from None
        os.replace(tmp, dest)
    else:
        os.unlink(tmp)
    fsync_dir(dest.parent)


def header_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a whole SQLite database, judged from its header and size alone;
    None when it can. Cheap: reads 100 bytes."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "it is empty (0 bytes)"
    if head[:16] != SQLITE_HEADER:
        return "it is not an SQLite database"
    if len(head) < 100:
        return f"it is cut short ({size} bytes)"
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", head[24:32])
    valid_for = struct.unpack(">I", head[92:96])[0]
    if page_size < 512 or page_size & (page_size - 1):
        return "its header is damaged (page size)"
    if pages and change_counter == valid_for and size < pages * page_size:
        return f"it is cut short ({size} of {pages * page_size} bytes)"
    if size % page_size:
        return f"it is cut short ({size} bytes, not whole pages)"
    return None


def sound_backups(data_dir: Path) -> list[Path]:
    """The ``*.sqlite3`` files in the backups folder whose header and size are whole, newest
    first (by modification time). A full check (integrity, audit chain) is ``backup``'s."""
    folder = backup_dir(data_dir)
    found = []
    with contextlib.suppress(OSError):
        for p in folder.glob("*.sqlite3"):
            with contextlib.suppress(OSError):
                if p.is_file() and header_problem(p) is None:
                    found.append((p.stat().st_mtime, p.name, p))
    return [p for _, _, p in sorted(found, reverse=True)]


def pages_problem(path: Path) -> str | None:
    """Why the pages of ``path`` (whose header is whole) are damaged, or None: ``quick_check``
    reads every page, so a file damaged after it was written is caught."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"it cannot be read as a database ({exc})"
    return None if result == "ok" else f"it failed its integrity check ({result})"


def newest_backup_hint(data_dir: Path) -> str:
    """A sentence naming the newest backup whose pages are whole and how to restore it (or that
    there is none). Only said when something is wrong, so every candidate's pages are read."""
    for backup in sound_backups(data_dir):
        if pages_problem(backup) is None:
            return (f" The newest backup is {backup}; restore it with "
                    f"'k2desk backup restore {backup}'.")
    return f" No usable backup was found in {backup_dir(data_dir)}."
