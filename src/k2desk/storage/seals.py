"""Every row that matters, under the audit chain (issue 17).

One place for all tables: each write transaction (``Store.write``) ends by *sealing* the rows it
inserted, changed or deleted. A seal is the SHA-256 of the row's whole content (every column,
in table order) kept in ``row_seals``; the transaction's seals are covered by one audit event
(action ``seal``) whose details hold how many rows and the SHA-256 of the sorted seal set, so the
chain's hash covers every row's new content. A bulk import is one transaction, so one event
covers all its rows.

Which rows changed is noted by temporary triggers (``install_tracking``), created on k2desk's own
connection only: they exist in no file, so an edit made with another program is not noted, is
never sealed, and ``verify_rows`` names it (changed, missing or added).

Tables are covered generically: every ordinary table except the audit trail itself, the seals,
the PDF bytes (each is checked against its document's SHA-256, which is sealed) and SQLite's and
the full-text index's own tables. A table another issue adds is covered with no change here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from k2desk.storage import audit

SEAL_ACTION = "seal"
BASELINE_ACTION = "baseline"
_NOT_COVERED = frozenset({"audit_events", "row_seals", "pdf_blobs", "_sqlite_migrations"})
# The shadow tables an FTS5 index keeps: only these names, so a virtual table made by another
# program (say one called "pin") cannot hide a real table ("pin_attempts") from the check.
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
# verify names at most this many rows, then says how many more
MAX_NAMED = 50


def covered_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables whose rows are sealed, in name order."""
    rows = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    out = []
    for name, sql in rows:
        if name in _NOT_COVERED or name.startswith("sqlite_") or name in virtual:
            continue
        if any(name == v + suffix for v in virtual for suffix in _FTS_SHADOWS):
            continue  # a full-text index's shadow tables (rebuilt from the rows they index)
        if "WITHOUT ROWID" in (sql or "").upper():
            continue  # none in k2desk; sealed by rowid, so such a table could not be followed
        out.append(name)
    return sorted(out)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plain(v: Any) -> Any:
    # json calls this only for what it cannot write itself: the BLOB columns.
    if isinstance(v, bytes | bytearray | memoryview):
        return {"hex": bytes(v).hex()}
    raise TypeError(f"a column of type {type(v).__name__} cannot be sealed")


# One encoder for every row (json.dumps with options builds a new one per call: at a bulk
# import's hundreds of thousands of rows that was a third of the sealing time).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain).encode


def row_digest(values: tuple[Any, ...] | list[Any]) -> str:
    """SHA-256 of one row's columns (table order) in a fixed JSON form."""
    return hashlib.sha256(_ENCODE(list(values)).encode("utf-8")).hexdigest()


def _set_digest(seals: list[tuple[str, int, str | None]]) -> str:
    h = hashlib.sha256()
    for tbl, rid, digest in sorted(seals, key=lambda s: (s[0], s[1])):
        h.update(f"{tbl}\t{rid}\t{digest or '-'}\n".encode())
    return h.hexdigest()


def install_tracking(conn: sqlite3.Connection) -> None:
    """(Re)create the temporary triggers that note every changed row on this connection."""
    # No unique key: a trigger's OR IGNORE gives way to the outer statement's conflict clause
    # (an upsert's), so duplicates are allowed here and read with DISTINCT.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS k2_changed (tbl TEXT NOT NULL, rid INTEGER NOT NULL)")
    if not _has_seal_table(conn):
        return  # before the migration that creates row_seals: nothing is sealed yet
    for name in covered_tables(conn):
        lit = "'" + name.replace("'", "''") + "'"
        for op, ref in (("INSERT", "NEW.rowid"), ("UPDATE", "NEW.rowid"), ("DELETE", "OLD.rowid")):
            trig = _q(f"k2_track_{op.lower()}_{name}")
            extra = (f"; INSERT INTO k2_changed SELECT {lit}, OLD.rowid WHERE OLD.rowid IS NOT NEW.rowid"
                     if op == "UPDATE" else "")
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {trig} AFTER {op} ON main.{_q(name)}"
                         f" BEGIN INSERT INTO k2_changed VALUES ({lit}, {ref}){extra}; END")


def _has_seal_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM main.sqlite_master WHERE type='table' AND name='row_seals'"
                        ).fetchone() is not None


def _digests(conn: sqlite3.Connection, table: str, rowids_sql: str | None = None,
             params: list[Any] | None = None) -> Iterator[tuple[int, str]]:
    where = f" WHERE rowid IN ({rowids_sql})" if rowids_sql else ""
    cur = conn.execute(f"SELECT rowid, * FROM main.{_q(table)}{where} ORDER BY rowid", params or [])
    for r in cur:
        yield int(r[0]), row_digest(r[1:])


Seal = tuple[str, int, str | None]


def summary(seals: list[Seal]) -> dict[str, Any]:
    """What an audit event's details record of its seals (the event's hash covers this)."""
    per_table: dict[str, int] = {}
    for tbl, _, _ in seals:
        per_table[tbl] = per_table.get(tbl, 0) + 1
    return {"rows": len(seals), "tables": per_table, "sha256": _set_digest(seals)}


def store(db: Database, event_id: int, seals: list[Seal]) -> None:
    db.conn.executemany("INSERT INTO row_seals (event_id, tbl, rid, digest) VALUES (?, ?, ?, ?)",
                        ((event_id, t, r, d) for t, r, d in seals))


def collect(db: Database) -> list[Seal]:
    """The seals of the rows changed since the last event on this connection (noted by the
    tracking triggers), which the event about to be appended will cover; clears the notes."""
    conn = db.conn
    try:
        tables = [r[0] for r in conn.execute("SELECT DISTINCT tbl FROM temp.k2_changed")]
    except sqlite3.OperationalError:
        return []  # tracking not installed on this connection
    if not tables:
        return []
    seals: list[Seal] = []
    encode, sha256 = _ENCODE, hashlib.sha256
    for tbl in tables:
        # One pass a table: each noted rowid with its row as it is now (no row: deleted), hashed
        # in this loop rather than through row_digest (the same JSON form and SHA-256; a bulk
        # import seals a row per patient and per medicine, issue 23).
        cur = conn.execute(
            f"SELECT c.rid, t.rowid IS NULL, t.* FROM (SELECT DISTINCT rid FROM temp.k2_changed"
            f" WHERE tbl = ?) c LEFT JOIN main.{_q(tbl)} t ON t.rowid = c.rid ORDER BY c.rid", [tbl])
        seals += [(tbl, int(r[0]), None if r[1] else sha256(encode(r[2:]).encode("utf-8")).hexdigest())
                  for r in cur]
    conn.execute("DELETE FROM temp.k2_changed")
    return seals


def seal_changes(db: Database, operator: str = "k2desk") -> int:
    """At commit: seal rows changed after the transaction's last audit event (usually none:
    ``audit.append`` seals what changed before it) with one ``seal`` event; return how many."""
    pending = collect(db)
    if pending:
        audit.append(db, operator=operator, action=SEAL_ACTION, entity="rows", sealed=pending)
    return len(pending)


def _latest_seals(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, str | None]]:
    # SQLite returns the bare column of the row holding max(): each row's newest seal.
    cur = conn.execute("SELECT rid, digest, max(event_id) FROM row_seals WHERE tbl = ?"
                       " GROUP BY rid ORDER BY rid", [table])
    for rid, digest, _ in cur:
        yield int(rid), digest


def baseline(db: Database, *, operator: str, reason: str) -> int:
    """Trust the rows as they are now: seal every row whose newest seal differs (or is missing),
    and every sealed row that is gone. One audit event; returns how many rows were sealed."""
    conn = db.conn
    seals: list[Seal] = []
    for tbl in covered_tables(conn):
        sealed = dict(_latest_seals(conn, tbl))
        for rid, digest in _digests(conn, tbl):
            if sealed.pop(rid, None) != digest:
                seals.append((tbl, rid, digest))
        seals.extend((tbl, rid, None) for rid, d in sealed.items() if d is not None)
    with contextlib.suppress(sqlite3.OperationalError):  # tracking not installed yet
        conn.execute("DELETE FROM temp.k2_changed")
    if seals:
        audit.append(db, operator=operator, action=BASELINE_ACTION, entity="rows",
                     details={"reason": reason}, sealed=seals)
    return len(seals)


@dataclass
class RowReport:
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, text: str) -> None:
        if len(self.problems) < MAX_NAMED:
            self.problems.append(text)
        else:
            self.more += 1

    def summary(self) -> str | None:
        if not self.problems:
            return None
        text = "; ".join(self.problems)
        if self.more:
            text += f"; and {self.more} more"
        return text


def _row_name(conn: sqlite3.Connection, table: str, rid: int) -> str:
    pk = [r[1] for r in conn.execute(f"PRAGMA main.table_info({_q(table)})") if r[5]]
    if len(pk) == 1 and table == "settings":
        row = conn.execute(f"SELECT {_q(pk[0])} FROM main.{_q(table)} WHERE rowid = ?", [rid]).fetchone()
        if row is not None:
            return f"{table} '{row[0]}'"
    return f"{table} row {rid}"


def verify_seal_events(db: Database) -> str | None:
    """Each seal event's rows in ``row_seals`` are exactly the ones its (chained) hash covers."""
    conn = db.conn
    if not _has_seal_table(conn):
        # Before the migration that adds the seals there are no sealed events; after it, a
        # missing table of seals means it was dropped (and with it every row's check).
        sealed = conn.execute("SELECT min(id) FROM audit_events WHERE json_valid(details)"
                              " AND json_extract(details, '$.sealed.rows') > 0").fetchone()
        if sealed is not None and sealed[0] is not None:
            return (f"the table of row seals (row_seals) was removed, though audit event "
                    f"{sealed[0]} and later ones sealed rows in it: no record can be checked")
        return None
    events = {int(i): json.loads(d) for i, d in conn.execute(
        "SELECT id, json_extract(details, '$.sealed') FROM audit_events"
        " WHERE json_valid(details) AND json_extract(details, '$.sealed') IS NOT NULL")}
    seen: set[int] = set()
    group: list[tuple[str, int, str | None]] = []
    current: int | None = None

    def check(eid: int) -> str | None:
        d = events.get(eid)
        if d is None:
            return (f"row seals under audit event {eid} belong to no recorded seal event "
                    "(added behind k2desk's back)")
        if d.get("sha256") != _set_digest(group) or d.get("rows") != len(group):
            return f"the row seals recorded by audit event {eid} were changed"
        return None

    for eid, tbl, rid, digest in conn.execute(
            "SELECT event_id, tbl, rid, digest FROM row_seals ORDER BY event_id"):
        if current is not None and eid != current:
            if (p := check(current)) is not None:
                return p
            seen.add(current)
            group = []
        current = int(eid)
        group.append((str(tbl), int(rid), digest))
    if current is not None:
        if (p := check(current)) is not None:
            return p
        seen.add(current)
    for eid, d in sorted(events.items()):
        if eid not in seen and d.get("rows"):
            return f"the row seals recorded by audit event {eid} were removed"
    return None


def verify_rows(db: Database) -> RowReport:
    """Compare every covered row with its newest seal: changed, missing and added rows, named."""
    conn = db.conn
    report = RowReport()
    if not _has_seal_table(conn):
        return report
    sealed_tables = {r[0] for r in conn.execute("SELECT DISTINCT tbl FROM row_seals")}
    tables = covered_tables(conn)
    for tbl in sorted(sealed_tables - set(tables)):
        report.add(f"table {tbl} was removed")
    for tbl in tables:
        seals = _latest_seals(conn, tbl)
        seal = next(seals, None)
        for rid, digest in _digests(conn, tbl):
            report.rows += 1
            while seal is not None and seal[0] < rid:
                if seal[1] is not None:
                    report.add(f"{_row_name(conn, tbl, seal[0])} was deleted")
                seal = next(seals, None)
            if seal is None or seal[0] != rid or seal[1] is None:
                report.add(f"{_row_name(conn, tbl, rid)} was added outside k2desk")
            elif seal[1] != digest:
                report.add(f"{_row_name(conn, tbl, rid)} was changed")
            if seal is not None and seal[0] == rid:
                seal = next(seals, None)
        while seal is not None:
            if seal[1] is not None:
                report.add(f"{_row_name(conn, tbl, seal[0])} was deleted")
            seal = next(seals, None)
    return report
