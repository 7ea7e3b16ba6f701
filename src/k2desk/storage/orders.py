"""Compound orders: the fields as JSON, one row per ingredient line, overrides and
acknowledgement links. Every function that writes is called inside ``Store.write()``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from k2desk.domain.documents import InteractionNotice, OrderLine
from k2desk.domain.models import Prescriber
from k2desk.domain.records import Override, StatusChange, StoredOrder
from k2desk.storage import audit
from k2desk.storage.clock import now_iso


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def add_overrides(db: Database, *, entity: str, entity_id: int, overrides: Mapping[str, str],
                  operator: str, login: str = "") -> list[int]:
    """Record each overridden warning with its reason, and audit an 'override' event per field.

    The reason stays in the overrides table only (it may name people); the audit event names
    the field and the override row.
    """
    ids: list[int] = []
    at = now_iso()
    for field, reason in sorted(overrides.items()):
        cur = db.execute(
            "INSERT INTO overrides (entity, entity_id, field, reason, operator, at)"
            " VALUES (?, ?, ?, ?, ?, ?)", [entity, entity_id, field, reason.strip(), operator, at])
        oid = int(cur.lastrowid or 0)
        ids.append(oid)
        audit.append(db, operator=operator, action="override", entity=entity, entity_id=entity_id,
                     details={"field": field, "override_id": oid,
                              **({"login": login} if login else {})})
    return ids


def get_overrides(db: Database, entity: str, entity_id: int) -> tuple[Override, ...]:
    return tuple(
        Override(field=r[0], reason=r[1], operator=r[2], at=r[3])
        for r in db.execute("SELECT field, reason, operator, at FROM overrides"
                            " WHERE entity=? AND entity_id=? ORDER BY id", [entity, entity_id]))


def link_acknowledgements(db: Database, entity: str, entity_id: int, ack_ids: Sequence[int]) -> None:
    db.conn.executemany(
        "INSERT INTO acknowledgement_links (entity, entity_id, acknowledgement_id) VALUES (?, ?, ?)",
        [(entity, entity_id, a) for a in ack_ids])


def linked_acknowledgements(db: Database, entity: str, entity_id: int) -> tuple[int, ...]:
    return tuple(int(r[0]) for r in db.execute(
        "SELECT acknowledgement_id FROM acknowledgement_links WHERE entity=? AND entity_id=?"
        " ORDER BY id", [entity, entity_id]))


def notices_to_json(notices: Sequence[InteractionNotice]) -> list[dict[str, str]]:
    return [asdict(n) for n in notices]


def notices_from_json(data: Any) -> tuple[InteractionNotice, ...]:
    return tuple(InteractionNotice(**{k: str(v) for k, v in d.items()}) for d in data)


def find_or_add_prescriber(db: Database, p: Prescriber, operator: str) -> int:
    """The id of a prescriber row with exactly these details, adding one if there is none.

    Orders keep their own copy of the prescriber fields; this row lets the fax outbox find
    the prescriber's fax number for an order.
    """
    r = db.execute(
        "SELECT id FROM prescribers WHERE name=? AND npi=? AND dea=? AND licence=?"
        " AND coalesce(phone, '')=? AND coalesce(fax, '')=? AND address=? ORDER BY id LIMIT 1",
        [p.name, p.npi, p.dea, p.licence, p.phone or "", p.fax or "", p.address]).fetchone()
    if r is not None:
        return int(r[0])
    cur = db.execute(
        "INSERT INTO prescribers (name, npi, dea, licence, phone, fax, address, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [p.name, p.npi, p.dea, p.licence, p.phone, p.fax, p.address, now_iso()])
    pid = int(cur.lastrowid or 0)
    audit.append(db, operator=operator, action="create", entity="prescriber", entity_id=pid)
    return pid


def insert_order(db: Database, *, patient_id: int, values: Mapping[str, str],
                 lines: Sequence[OrderLine], status: str, interactions: Sequence[InteractionNotice],
                 acknowledgement_ids: Sequence[int], operator: str,
                 prescriber_id: int | None = None) -> int:
    """Store an order with its lines and acknowledgement links, and audit 'create'."""
    now = now_iso()
    cur = db.execute(
        "INSERT INTO orders (patient_id, prescriber_id, status, fields, acknowledgement_id,"
        " interactions, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [patient_id, prescriber_id, status, _dumps(dict(values)),
         acknowledgement_ids[0] if acknowledgement_ids else None,
         _dumps(notices_to_json(interactions)), now, operator, now])
    oid = int(cur.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, position, ingredient, strength, unit) VALUES (?, ?, ?, ?, ?)",
        [(oid, n, ln.ingredient, ln.strength, ln.unit) for n, ln in enumerate(lines, 1)])
    link_acknowledgements(db, "order", oid, acknowledgement_ids)
    event = audit.append(db, operator=operator, action="create", entity="order", entity_id=oid,
                         details={"patient_id": patient_id, "lines": len(lines), "status": status,
                                  "acknowledgements": list(acknowledgement_ids)})
    _add_history(db, oid, status=status, operator=operator, note="", audit_event_id=event)
    return oid


def _add_history(db: Database, order_id: int, *, status: str, operator: str, note: str,
                 audit_event_id: int) -> None:
    # The move's time is its audit event's time, so the history and the trail agree exactly.
    db.execute("INSERT INTO order_status_history (order_id, status, at, operator, note, audit_event_id)"
               " SELECT ?, ?, at, ?, ?, id FROM audit_events WHERE id=?",
               [order_id, status, operator, note, audit_event_id])


def status_history(db: Database, order_id: int) -> tuple[StatusChange, ...]:
    """Every status the order entered, oldest first (the first is its creation as a draft)."""
    return tuple(StatusChange(status=r[0], at=r[1], operator=r[2], note=r[3]) for r in db.execute(
        "SELECT status, at, operator, note FROM order_status_history WHERE order_id=? ORDER BY id",
        [order_id]))


def get_order(db: Database, order_id: int) -> StoredOrder | None:
    r = db.execute(
        "SELECT id, patient_id, status, fields, interactions, created_at, created_by, updated_at"
        " FROM orders WHERE id=?", [order_id]).fetchone()
    if r is None:
        return None
    lines = tuple(OrderLine(ingredient=x[0], strength=x[1], unit=x[2]) for x in db.execute(
        "SELECT ingredient, strength, unit FROM order_lines WHERE order_id=? ORDER BY position",
        [order_id]))
    return StoredOrder(
        id=int(r[0]), patient_id=int(r[1]), status=r[2], values=dict(json.loads(r[3])), lines=lines,
        interactions=notices_from_json(json.loads(r[4])),
        overrides=get_overrides(db, "order", order_id),
        acknowledgement_ids=linked_acknowledgements(db, "order", order_id),
        created_at=r[5], created_by=r[6], updated_at=r[7])


def list_orders(db: Database, *, patient_id: int | None = None, limit: int = 1000,
                offset: int = 0) -> list[StoredOrder]:
    """Newest first."""
    if patient_id is None:
        ids = db.execute("SELECT id FROM orders ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset])
    else:
        ids = db.execute("SELECT id FROM orders WHERE patient_id=? ORDER BY id DESC LIMIT ? OFFSET ?",
                         [patient_id, limit, offset])
    out = []
    for (oid,) in ids.fetchall():
        o = get_order(db, int(oid))
        if o is not None:
            out.append(o)
    return out


def set_status(db: Database, order_id: int, *, old: str, new: str, operator: str,
               field_changes: Mapping[str, str] | None = None, note: str = "", login: str = "") -> None:
    """Move an order to ``new`` (the caller has checked the transition), add the move to its
    status history with ``note``, and audit 'status'.

    The audit event carries the note's SHA-256, not the note (it may name people), so the
    history row is covered by the hash chain without copying its text into the trail.

    ``field_changes`` updates the pharmacy-use fields, e.g. how the signed original came in.
    The UPDATE is guarded by the old status so two counters cannot both move the same order.
    """
    row = db.execute("SELECT fields FROM orders WHERE id=?", [order_id]).fetchone()
    values = dict(json.loads(row[0])) if row else {}
    values.update(field_changes or {})
    values["pharmacy_use.status"] = new
    cur = db.execute("UPDATE orders SET status=?, fields=?, updated_at=? WHERE id=? AND status=?",
                     [new, _dumps(values), now_iso(), order_id, old])
    if cur.rowcount != 1:
        raise OrderChanged(f"order {order_id} is no longer {old!r}; it was changed meanwhile")
    event = audit.append(db, operator=operator, action="status", entity="order", entity_id=order_id,
                         details={"from": old, "to": new,
                                  "note_sha256": hashlib.sha256(note.encode("utf-8")).hexdigest(),
                                  **({"login": login} if login else {})})
    _add_history(db, order_id, status=new, operator=operator, note=note, audit_event_id=event)


class OrderChanged(Exception):
    """The order's status changed between reading it and writing the new one."""

