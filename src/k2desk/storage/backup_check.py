"""The daily backup's check of its copy, costing what changed since the previous backup (#24).

A backup's full check (``backup.database_problem``) re-reads the whole copy: ``integrity_check``,
the whole audit chain, every row seal, every document against its creation event. At 200,000
documents that is almost all of a daily backup's time, though a day adds a few hundred rows.

The incremental check relies on the previous kept backup in the same folder, which was itself
checked when it was made:

- The copy's chain must *extend* that backup's head exactly (the same hash at the same count);
  the events after it, and from the newest full check's own ``backup`` event on, are walked and
  re-hashed. So a rewritten or shortened trail is refused, and the record of when the last full
  check ran cannot be edited without the walk noticing.
- Seal events after that point must match their row seals, and every row sealed after it must
  match its newest seal; every document created after it must match its creation event.
- ``PRAGMA quick_check`` instead of ``integrity_check``. The online-backup API copies the live
  database page by page; ``quick_check`` still reads every page and checks each b-tree's
  structure, free list and record formats, so a page damaged in the copy is caught. What it
  skips is that every index agrees with its table (and UNIQUE constraints over them): such a
  mismatch would have to be in the live file already (copied page for page), where it is not
  caught by this check but by the weekly full check (and by every restore, which always runs
  the full check).

What the incremental check does not see: a row or event from before the previous backup changed
behind k2desk's back since then. That is what the full check, at least once every
``FULL_CHECK_EVERY``, and the full check of every restore are for.

Falls back to the full check (returns None from ``plan``) when there is no previous backup, it
cannot be read, the copy has no record of a full check within ``FULL_CHECK_EVERY``, or the copy
is of an older form (PDF bytes inline, no row seals).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from k2desk.storage import seals
from k2desk.storage.anchor import Head, backup_head, chain_head, extends
from k2desk.storage.audit import GENESIS, event_hash
from k2desk.storage.blobs import has_inline_bytes
from k2desk.storage.files import TEMP_PREFIX, header_problem

FULL_CHECK_EVERY = dt.timedelta(days=7)
FULL = "full"
INCREMENTAL = "incremental"


@dataclass(frozen=True, slots=True)
class Plan:
    """Check incrementally from event position ``start`` (events 1..start are trusted): the
    previous backup ``base`` recorded ``head``."""
    base: Path
    head: Head
    start: int


def _utc(text: str | None) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


def _previous_backup(folder: Path, exclude: Path, since: dt.datetime | None) -> Path | None:
    """The newest whole backup in ``folder`` taken after ``since`` (a restore or re-anchoring:
    backups before it belong to the history set aside, as in ``anchor.check_backups``)."""
    found = []
    for p in folder.glob("*.sqlite3"):
        if p == exclude or p.name.startswith(TEMP_PREFIX) or "replaced-by-restore" in p.name:
            continue
        try:
            if p.is_file() and header_problem(p) is None:
                mtime = p.stat().st_mtime
                if since is None or dt.datetime.fromtimestamp(mtime, dt.UTC) > since:
                    found.append((mtime, p.name, p))
        except OSError:
            continue
    return max(found)[2] if found else None


def _last_full_check(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(position in the chain, time) of the newest ``backup`` event that records a full check."""
    row = conn.execute(
        "SELECT id, at FROM audit_events WHERE action = 'backup' AND json_valid(details)"
        " AND json_extract(details, '$.check') = 'full' ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    pos = conn.execute("SELECT count(*) FROM audit_events WHERE id <= ?", [row[0]]).fetchone()[0]
    return int(pos), str(row[1])


def plan(copy: Path, folder: Path, *, now: dt.datetime | None = None,
         since: str | None = None) -> Plan | None:
    """How to check ``copy`` incrementally, or None when it must get the full check. ``since``:
    the head file's time of the latest restore or re-anchoring (``anchor.Head.since``)."""
    try:
        conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        db = Database(conn)
        if has_inline_bytes(db) or not seals._has_seal_table(conn):
            return None
        full = _last_full_check(conn)
        reset = conn.execute("SELECT max(at) FROM audit_events WHERE action IN"
                             " ('restore', 'reanchor')").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if full is None:
        return None
    # The later of the two: either one only makes the full check more likely.
    resets = [t for t in (_utc(since), _utc(reset)) if t is not None]
    base = _previous_backup(folder, copy, max(resets) if resets else None)
    if base is None:
        return None
    head = backup_head(base)
    if head is None or head.events == 0:
        return None  # the previous backup cannot be read: full check
    try:
        at = dt.datetime.fromisoformat(full[1])
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    # A naive ``now`` is local time (as the automatic backup's clock is).
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    if now - at >= FULL_CHECK_EVERY or at > now + dt.timedelta(days=1):
        return None
    # Walk from the earlier of: the previous backup's head, the full check's own event (so the
    # record of when the full check ran is itself re-hashed).
    return Plan(base, head, max(0, min(head.events, full[0] - 1)))


def _chain_from(conn: sqlite3.Connection, start: int) -> str | None:
    """Re-hash every event after position ``start``, linked to the stored hash at ``start``."""
    if start > 0:
        row = conn.execute("SELECT id, hash FROM audit_events ORDER BY id LIMIT 1 OFFSET ?",
                           [start - 1]).fetchone()
        if row is None:
            return "the audit trail is shorter than the previous backup's"
        after, prev = int(row[0]), str(row[1])
    else:
        after, prev = -1, GENESIS
    for r in conn.execute("SELECT id, at, operator, action, entity, entity_id, details, prev_hash,"
                          " hash FROM audit_events WHERE id > ? ORDER BY id", [after]):
        eid, at, operator, action, entity, entity_id, raw, prev_hash, hash_ = r
        if prev_hash != prev:
            return f"audit event {eid} does not follow event before it (chain broken)"
        try:
            expect = event_hash(prev, at, operator, action, entity, entity_id, raw)
        except (TypeError, ValueError, AttributeError):
            expect = None
        if expect != hash_:
            return f"audit event {eid} ({action} {entity}) was altered"
        prev = hash_
    return None


def _seals_after(conn: sqlite3.Connection, after: int) -> str | None:
    """Seal events after event id ``after`` match their row seals; rows sealed after it match
    their newest seal (``seals.verify_seal_events``/``verify_rows``, for what changed)."""
    events = {int(i): json.loads(d) for i, d in conn.execute(
        "SELECT id, json_extract(details, '$.sealed') FROM audit_events WHERE id > ?"
        " AND json_valid(details) AND json_extract(details, '$.sealed') IS NOT NULL", [after])}
    groups: dict[int, list[tuple[str, int, str | None]]] = {}
    for eid, tbl, rid, digest in conn.execute(
            "SELECT event_id, tbl, rid, digest FROM row_seals WHERE event_id > ?", [after]):
        groups.setdefault(int(eid), []).append((str(tbl), int(rid), digest))
    for eid, group in sorted(groups.items()):
        d = events.get(eid)
        if d is None:
            return (f"row seals under audit event {eid} belong to no recorded seal event "
                    "(added behind k2desk's back)")
        if d.get("sha256") != seals._set_digest(group) or d.get("rows") != len(group):
            return f"the row seals recorded by audit event {eid} were changed"
    for eid, d in sorted(events.items()):
        if eid not in groups and d.get("rows"):
            return f"the row seals recorded by audit event {eid} were removed"
    covered = set(seals.covered_tables(conn))
    report = seals.RowReport()
    # A row added behind k2desk's back has no seal at all, so it is not among the rows sealed
    # after ``after``: every row above the highest one sealed by then must have a seal (an
    # index range on rowid, and one on row_seals, so it costs what was added).
    for tbl in sorted(covered):
        row = conn.execute("SELECT rid FROM row_seals WHERE tbl = ? AND event_id <= ?"
                           " ORDER BY rid DESC LIMIT 1", [tbl, after]).fetchone()
        floor = None if row is None else row[0]
        q = seals._q(tbl)
        for (rid,) in conn.execute(
                f"SELECT t.rowid FROM main.{q} AS t WHERE t.rowid > ? AND NOT EXISTS"
                " (SELECT 1 FROM row_seals s WHERE s.tbl = ? AND s.rid = t.rowid)"
                " ORDER BY t.rowid", [-1 if floor is None else int(floor), tbl]):
            report.add(f"{seals._row_name(conn, tbl, int(rid))} was added outside k2desk")
    touched: dict[str, list[int]] = {}
    for tbl, rid in conn.execute("SELECT DISTINCT tbl, rid FROM row_seals WHERE event_id > ?"
                                 " ORDER BY tbl, rid", [after]):
        touched.setdefault(str(tbl), []).append(int(rid))
    for tbl, rids in touched.items():
        if tbl not in covered:
            report.add(f"table {tbl} was removed")
            continue
        newest = {int(r): d for r, d, _ in conn.execute(
            "SELECT rid, digest, max(event_id) FROM row_seals WHERE tbl = ? AND rid IN"
            " (SELECT rid FROM row_seals WHERE tbl = ? AND event_id > ?) GROUP BY rid",
            [tbl, tbl, after])}
        live = dict(seals._digests(conn, tbl, "SELECT rid FROM row_seals WHERE tbl = ? AND event_id > ?",
                                   [tbl, after]))
        for rid in rids:
            want, have = newest.get(rid), live.get(rid)
            if want is None and have is not None:
                report.add(f"{seals._row_name(conn, tbl, rid)} was added outside k2desk")
            elif want is not None and have is None:
                report.add(f"{tbl} row {rid} was deleted")
            elif want != have:
                report.add(f"{seals._row_name(conn, tbl, rid)} was changed")
    return report.summary()


def _documents_after(conn: sqlite3.Connection, after: int) -> str | None:
    """Each document with a higher id than every document whose creation event is at or before
    event id ``after`` matches the SHA-256 its creation event recorded, and its PDF is catalogued
    (the files themselves were checked by ``copy_missing``). Documents created before are the
    full check's (``blobs.verify_documents``)."""
    row = conn.execute("SELECT max(CAST(entity_id AS INTEGER)) FROM audit_events WHERE id <= ?"
                       " AND entity = 'document' AND action = 'render'", [after]).fetchone()
    floor = int(row[0]) if row and row[0] is not None else 0
    # One pass over the events since (no index on entity_id: a query per document would scan
    # the whole trail each time). The first render event of a document is its creation.
    recorded: dict[int, str | None] = {}
    for doc_id, details in conn.execute(
            "SELECT CAST(entity_id AS INTEGER), details FROM audit_events WHERE id > ?"
            " AND entity = 'document' AND action = 'render' ORDER BY id", [after]):
        if doc_id is None or int(doc_id) in recorded:
            continue
        try:
            sha = json.loads(details).get("sha256")
        except (ValueError, AttributeError):
            sha = None
        recorded[int(doc_id)] = sha if isinstance(sha, str) else None
    cur = conn.execute("SELECT d.id, d.sha256, b.sha256 FROM documents d LEFT JOIN pdf_blobs b"
                       " ON b.sha256 = d.sha256 WHERE d.id > ? ORDER BY d.id", [floor])
    for doc_id, sha, catalogued in cur:
        if catalogued is None:
            return f"document {doc_id}: its stored PDF is missing"
        if int(doc_id) not in recorded:
            return (f"document {doc_id}: the audit trail has no event recording its creation "
                    "(events were removed, or the row was added behind k2desk's back)")
        if recorded[int(doc_id)] != sha:
            return (f"document {doc_id}: its SHA-256 differs from the one recorded in the audit "
                    "trail when it was created (the PDF and its row were changed)")
    return None


def _identity_problem(conn: sqlite3.Connection) -> str | None:
    # The same as the full check's: k2desk's file, of a schema this k2desk knows.
    from k2desk.storage.backup import _migration_names
    from k2desk.storage.files import APPLICATION_ID
    from k2desk.storage.migrations import MIGRATIONS

    if conn.execute("PRAGMA application_id").fetchone()[0] not in (0, APPLICATION_ID):
        return "it is another program's database, not k2desk's"
    names = _migration_names(conn)
    if not names:
        return "it is not a k2desk database (it has no k2desk schema records)"
    known = {m.name for m in MIGRATIONS._migrations}
    unknown = [n for n in names if n not in known]
    if unknown:
        return f"it was made by a newer k2desk (schema {', '.join(unknown)}); update k2desk first"
    return None


def incremental_problem(copy: Path, p: Plan) -> str | None:
    """Why ``copy`` fails the incremental check of plan ``p`` (see the module), or None."""
    try:
        conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                return f"it failed its integrity check ({result})"
            problem = _identity_problem(conn)
            if problem is not None:
                return problem
            problem = extends(conn, p.head, what=f"the previous backup {p.base.name}")
            if problem is None and chain_head(conn).events < p.start:
                problem = "the audit trail is shorter than the previous backup's"
            if problem is None:
                problem = _chain_from(conn, p.start)
            if problem is None:
                row = conn.execute("SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET ?",
                                   [p.start - 1]).fetchone() if p.start > 0 else None
                after = int(row[0]) if row is not None else -1
                problem = _seals_after(conn, after) or _documents_after(conn, after)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"it cannot be read as a database ({exc})"
    if problem:
        return f"it fails its audit check ({problem}); it may have been altered"
    return None
