"""The audit chain's anchor outside the database (issue 17).

After every commit the chain's head — how many events and the newest event's hash — is written
to ``k2desk.sqlite3.head`` beside the database (0600, written to a temporary name, synced, then
renamed over the old one, so it is always whole). Every backup holds its own chain, so its head
is read from the backup itself. A chain that is shorter than a head it once had (events cut off,
WAL frames lost) or that does not pass through that head's hash (events rewritten) is refused
with a message that says so.

If the head file is missing, nothing recreates it silently: ``doctor`` and ``log verify`` say so
and ``k2desk log reanchor`` (an audited command) writes a new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from k2desk.paths import db_path
from k2desk.storage.files import fsync_dir, sound_backups


@dataclass(frozen=True, slots=True)
class Head:
    events: int
    hash: str
    # When the history was last set on purpose (a restore, or `log reanchor`): backups taken
    # before it belong to the history set aside and are not compared.
    since: str | None = None
    # The newest event's id when ``events`` was counted: the next head is this one moved on by
    # the ids appended since (see ``head_after_commit``), without counting the trail again.
    last_id: int | None = None


def head_path(data_dir: Path) -> Path:
    return Path(f"{db_path(data_dir)}.head")


def _has_trail(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table'"
                        " AND name = 'audit_events'").fetchone() is not None


def chain_head(conn: sqlite3.Connection) -> Head:
    if not _has_trail(conn):
        return Head(0, "")  # the trail's table dropped: as short as a trail can be
    row = conn.execute("SELECT count(*), (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1),"
                       " (SELECT max(id) FROM audit_events) FROM audit_events").fetchone()
    return Head(int(row[0]), str(row[1] or ""), None, None if row[2] is None else int(row[2]))


def head_after_commit(conn: sqlite3.Connection, data_dir: Path) -> Head:
    """The head to write after a commit, without counting the trail (a count over a million
    events took 0.14 s on every save): the head file's count moved on by the ids appended since
    its newest event. Events are only ever appended (INTEGER PRIMARY KEY, max + 1, never given
    an id), so ids are dense and the two agree; where they could not — no head file yet, one
    without ``last_id``, a newest id at or below the recorded one (events cut off while this
    program ran) or a different hash at the recorded id — the trail is counted as before.
    Events removed from the middle behind the program's back leave this count higher than the
    real one, which the next open refuses ("events were removed"): stricter, never weaker."""
    if not _has_trail(conn):
        return Head(0, "")
    try:
        old = read_head(data_dir)
    except ValueError:
        old = None
    if old is not None and old.last_id is not None:
        row = conn.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None and int(row[0]) > old.last_id:
            at_old = conn.execute("SELECT hash FROM audit_events WHERE id = ?",
                                  [old.last_id]).fetchone()
            if at_old is not None and at_old[0] == old.hash:
                return Head(old.events + int(row[0]) - old.last_id, str(row[1]), old.since,
                            int(row[0]))
        elif row is not None and int(row[0]) == old.last_id and row[1] == old.hash:
            return old
    counted = chain_head(conn)
    return Head(counted.events, counted.hash, old.since if old else None, counted.last_id)


def _hash_at(conn: sqlite3.Connection, n: int) -> str | None:
    if n <= 0:
        return ""
    if not _has_trail(conn):
        return None
    row = conn.execute("SELECT hash FROM audit_events ORDER BY id LIMIT 1 OFFSET ?", [n - 1]).fetchone()
    return None if row is None else str(row[0])


def read_head(data_dir: Path) -> Head | None:
    """The head file's head; None when there is no head file. Raises ValueError when unreadable."""
    path = head_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"the chain's head file {path} cannot be read ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events"), int) \
            or not isinstance(data.get("hash"), str):
        raise ValueError(f"the chain's head file {path} is not in k2desk's form")
    since, last_id = data.get("since"), data.get("last_id")
    return Head(data["events"], data["hash"], since if isinstance(since, str) else None,
                last_id if isinstance(last_id, int) and not isinstance(last_id, bool) else None)


def write_head(data_dir: Path, head: Head) -> None:
    """Write the head file atomically (temporary file, fsync, rename), 0600. A head without
    ``since`` keeps the one already in the file."""
    path = head_path(data_dir)
    if head.since is None:
        with contextlib.suppress(ValueError):
            old = read_head(data_dir)
            if old is not None and old.since is not None:
                head = Head(head.events, head.hash, old.since, head.last_id)
    # A name of this process's own: two programs saving at once each write their own temporary
    # file (a shared one was truncated and renamed away under the other).
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"events": head.events, "hash": head.hash, "since": head.since,
                       "last_id": head.last_id}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)


def extends(conn: sqlite3.Connection, head: Head, *, what: str) -> str | None:
    """None when the chain in ``conn`` passes through ``head``; else why not, in plain words."""
    have = chain_head(conn).events
    if have < head.events:
        return (f"the audit trail has {have} events but {what} recorded {head.events}: "
                "events were removed or lost (for example committed work dropped from the "
                "write-ahead file)")
    if _hash_at(conn, head.events) != head.hash:
        return (f"the audit trail's event {head.events} is not the one {what} recorded: the "
                "trail was rewritten")
    return None


def check(conn: sqlite3.Connection, data_dir: Path) -> tuple[str | None, bool]:
    """Compare the chain with the head file. Returns (problem, head file missing)."""
    try:
        head = read_head(data_dir)
    except ValueError as exc:
        return str(exc), False
    if head is None:
        return None, True
    return extends(conn, head, what="the head file beside the database"), False


def backup_head(path: Path) -> Head | None:
    """The chain head a backup holds (None when it cannot be read)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        return chain_head(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _utc(text: str) -> str | None:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


def check_backups(conn: sqlite3.Connection, data_dir: Path, *, trust_since: bool = False) -> str | None:
    """Every whole backup's chain must be a beginning of the live chain. After a restore (or a
    re-anchoring) on purpose, only backups taken since the latest one are compared: backups
    taken before it belong to the history the restore set aside."""
    try:
        head = read_head(data_dir)
    except ValueError:
        head = None
    since = head.since if head is not None else None
    if since is not None and not trust_since:
        # The head file's word alone does not set history aside: a restore or a re-anchoring
        # recorded in the trail must back it (else editing the head file hid every backup).
        # ``trust_since``: only the restore itself, before it appends its own event.
        row = conn.execute("SELECT max(at) FROM audit_events WHERE action IN ('restore', 'reanchor')"
                           ).fetchone()
        recorded = _utc(row[0]) if row is not None and row[0] else None
        since = None if recorded is None else min(since, recorded)
    for path in sound_backups(data_dir):
        if "replaced-by-restore" in path.name:
            continue  # the database a restore set aside, by definition not this history
        if since is not None:
            try:
                mtime = path.stat().st_mtime
                taken = dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="microseconds")
            except OSError:
                continue
            if taken < since:
                continue
        head = backup_head(path)
        if head is None or head.events == 0:
            continue
        problem = extends(conn, head, what=f"the backup {path.name}")
        if problem:
            return problem
    return None
