"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from k2desk.domain.models import AuditEvent
from k2desk.storage.clock import now_iso

GENESIS = "0" * 64


def event_hash(prev_hash: str, at: str, operator: str, action: str, entity: str,
               entity_id: str | None, details_json: str) -> str:
    """SHA-256 over the previous hash and this event's fields, in a fixed canonical form."""
    payload = json.dumps(
        [prev_hash, at, operator, action, entity, entity_id, details_json],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(db: Database, *, operator: str, action: str, entity: str,
           entity_id: str | int | None = None, details: dict[str, Any] | None = None,
           sealed: list[tuple[str, int, str | None]] | None = None) -> int:
    """Append one event; call inside the write transaction that makes the change it records.

    The rows changed on this connection since the previous event are sealed by this one: their
    content SHA-256s go to ``row_seals`` and the event's details (``sealed``) hold their count
    and combined SHA-256, so the event's hash covers the rows' new content (storage.seals)."""
    from k2desk.storage import seals

    if sealed is None:
        sealed = seals.collect(db)
    if sealed:
        details = {**(details or {}), "sealed": seals.summary(sealed)}
    row = db.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at = now_iso()
    eid = None if entity_id is None else str(entity_id)
    details_json = json.dumps(details or {}, ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
    h = event_hash(prev, at, operator, action, entity, eid, details_json)
    cur = db.execute(
        "INSERT INTO audit_events (at, operator, action, entity, entity_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [at, operator, action, entity, eid, details_json, prev, h],
    )
    event_id = int(cur.lastrowid or 0)
    if sealed:
        seals.store(db, event_id, sealed)
    return event_id


def _row_to_event(r: tuple[Any, ...]) -> AuditEvent:
    return AuditEvent(id=r[0], at=r[1], operator=r[2], action=r[3], entity=r[4],
                      entity_id=r[5], details=json.loads(r[6]), prev_hash=r[7], hash=r[8])


def iter_events(db: Database) -> Iterator[tuple[AuditEvent, str]]:
    """Every event in order, with its raw details JSON (what the hash covers)."""
    cur = db.execute(
        "SELECT id, at, operator, action, entity, entity_id, details, prev_hash, hash"
        " FROM audit_events ORDER BY id"
    )
    for r in cur:
        yield _row_to_event(r), r[6]


def verify_chain(db: Database) -> tuple[int, str | None]:
    """Walk the chain; return (events checked, description of the first break or None)."""
    prev = GENESIS
    n = 0
    if db.conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table'"
                       " AND name = 'audit_events'").fetchone() is None:
        return 0, "the audit trail itself (table audit_events) was removed from the database"
    # Raw rows, not events: details edited into text that is not JSON is a broken hash, not a crash.
    for r in db.execute("SELECT id, at, operator, action, entity, entity_id, details, prev_hash,"
                        " hash FROM audit_events ORDER BY id"):
        eid, at, operator, action, entity, entity_id, raw, prev_hash, hash_ = r
        if prev_hash != prev:
            return n, f"audit event {eid} does not follow event before it (chain broken)"
        try:
            expect = event_hash(prev, at, operator, action, entity, entity_id, raw)
        except (TypeError, ValueError, AttributeError):
            expect = None
        if expect != hash_:
            return n, f"audit event {eid} ({action} {entity}) was altered"
        prev = hash_
        n += 1
    return n, None
