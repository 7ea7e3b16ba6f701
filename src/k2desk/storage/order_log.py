"""The order log as rows for export: orders chosen by the filters, oldest first, read in
batches (each batch's lines, history, overrides, acknowledgements and documents in a few
queries) so any number of orders streams in bounded memory."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.domain.documents import OrderLine
from k2desk.domain.order_log import AckEntry, OrderLogEntry
from k2desk.domain.records import Override, StatusChange, StoredOrder
from k2desk.domain.roles import contact_sentence
from k2desk.storage import acknowledgements as ack_repo
from k2desk.storage.log_view import Where
from k2desk.storage.orders import notices_from_json

BATCH = 500


@dataclass(frozen=True, slots=True)
class OrderLogQuery:
    """Filters as stored values: ``since`` inclusive and ``until`` exclusive UTC timestamps;
    ``patient_id`` or ``patient_name`` (a case-insensitive part of the name); ``prescriber_npi``
    or ``prescriber_name`` (part of it); ``ingredient`` (part of an ingredient line or the base)."""

    since: str | None = None
    until: str | None = None
    status: str | None = None
    patient_id: int | None = None
    patient_name: str | None = None
    prescriber_npi: str | None = None
    prescriber_name: str | None = None
    ingredient: str | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(q: OrderLogQuery) -> tuple[str, list[Any]]:
    # The same builder as the document log's filters (storage.log_view).
    w = Where().between("o.created_at", q.since, q.until).equal("o.status", q.status)
    w.equal("o.patient_id", q.patient_id)
    if q.patient_name:
        # The name printed on the order, or the patient's record as it is today.
        w.add("(json_extract(o.fields, '$.\"patient.name\"') LIKE ? ESCAPE '\\'"
              " OR EXISTS (SELECT 1 FROM patients p WHERE p.id = o.patient_id"
              " AND p.name LIKE ? ESCAPE '\\'))", *[_like(q.patient_name)] * 2)
    if q.prescriber_npi:
        w.add("json_extract(o.fields, '$.\"prescriber.npi\"') = ?", q.prescriber_npi)
    if q.prescriber_name:
        w.add("json_extract(o.fields, '$.\"prescriber.name\"') LIKE ? ESCAPE '\\'",
              _like(q.prescriber_name))
    if q.ingredient:
        w.add("(EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id"
              " AND l.ingredient LIKE ? ESCAPE '\\')"
              " OR json_extract(o.fields, '$.\"compound.base\"') LIKE ? ESCAPE '\\')",
              *[_like(q.ingredient)] * 2)
    return w.sql(), w.params


def count_orders(db: Database, q: OrderLogQuery) -> int:
    where, params = _where(q)
    return int(db.execute(f"SELECT count(*) FROM orders o{where}", params).fetchone()[0])


def count_lines(db: Database, q: OrderLogQuery) -> int:
    """Rows of the one-row-per-line export (an order without lines still counts one)."""
    where, params = _where(q)
    return int(db.execute(
        f"SELECT coalesce(sum(max(1, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id))), 0)"
        f" FROM orders o{where}", params).fetchone()[0])


def _grouped(db: Database, sql: str, ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    marks = ",".join("?" * len(ids))
    for r in db.execute(sql.format(ids=marks), ids):
        out[int(r[0])].append(tuple(r[1:]))
    return out


def _acks(db: Database, ack_ids: list[int]) -> tuple[AckEntry, ...]:
    out = []
    for aid in ack_ids:
        a = ack_repo.get_acknowledgement(db, aid)
        if a is not None:
            out.append(AckEntry(id=a.id, finding=a.finding, acknowledged_by=a.operator, reason=a.reason,
                                at=a.at, contact=contact_sentence(a.contact_method, a.contact_note)))
    return tuple(out)


def _batch(db: Database, ids: list[int]) -> Iterator[OrderLogEntry]:
    marks = ",".join("?" * len(ids))
    orders = db.execute(
        "SELECT id, patient_id, status, fields, interactions, created_at, created_by, updated_at"
        f" FROM orders WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
    lines = _grouped(db, "SELECT order_id, ingredient, strength, unit FROM order_lines"
                         " WHERE order_id IN ({ids}) ORDER BY order_id, position", ids)
    history = _grouped(db, "SELECT order_id, status, at, operator, note FROM order_status_history"
                           " WHERE order_id IN ({ids}) ORDER BY order_id, id", ids)
    overrides = _grouped(db, "SELECT entity_id, field, reason, operator, at FROM overrides"
                             " WHERE entity='order' AND entity_id IN ({ids}) ORDER BY entity_id, id", ids)
    links = _grouped(db, "SELECT entity_id, acknowledgement_id FROM acknowledgement_links"
                         " WHERE entity='order' AND entity_id IN ({ids}) ORDER BY entity_id, id", ids)
    docs = _grouped(db, "SELECT source_id, id FROM documents WHERE source_table='orders'"
                        " AND source_id IN ({ids}) ORDER BY source_id, id DESC", ids)
    for r in orders:
        oid = int(r[0])
        ack_ids = [int(x[0]) for x in links.get(oid, [])]
        order = StoredOrder(
            id=oid, patient_id=int(r[1]), status=r[2], values=dict(json.loads(r[3])),
            lines=tuple(OrderLine(ingredient=x[0], strength=x[1], unit=x[2]) for x in lines.get(oid, [])),
            interactions=notices_from_json(json.loads(r[4])),
            overrides=tuple(Override(field=x[0], reason=x[1], operator=x[2], at=x[3])
                            for x in overrides.get(oid, [])),
            acknowledgement_ids=tuple(ack_ids), created_at=r[5], created_by=r[6], updated_at=r[7])
        yield OrderLogEntry(
            order=order, documents=tuple(int(x[0]) for x in docs.get(oid, [])),
            history=tuple(StatusChange(status=x[0], at=x[1], operator=x[2], note=x[3])
                          for x in history.get(oid, [])),
            acknowledgements=_acks(db, ack_ids) if ack_ids else ())


def iter_orders(db: Database, q: OrderLogQuery, batch: int = BATCH) -> Iterator[OrderLogEntry]:
    """Every order the filters choose, oldest first, with everything the export prints."""
    where, params = _where(q)
    cur = db.execute(f"SELECT o.id FROM orders o{where} ORDER BY o.id", params)
    while True:
        ids = [int(r[0]) for r in cur.fetchmany(batch)]
        if not ids:
            return
        yield from _batch(db, ids)


def get_entry(db: Database, order_id: int) -> OrderLogEntry | None:
    """One order as the order log holds it (what ``order show --json`` prints)."""
    found = list(_batch(db, [order_id]))
    return found[0] if found else None
