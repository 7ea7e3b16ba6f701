"""Order drafts: what was typed in the order editor, kept until the order is created."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.storage import audit
from k2desk.storage.clock import now_iso


@dataclass(frozen=True, slots=True)
class OrderDraft:
    id: int
    patient_id: int
    data: dict[str, Any]
    overrides: dict[str, str]
    updated_at: str
    operator: str


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def save_draft(db: Database, draft_id: int | None, patient_id: int, data: dict[str, Any],
               overrides: dict[str, str], operator: str) -> int:
    """Insert or update a draft; call inside ``Store.write()``. Audited without its content."""
    now = now_iso()
    if draft_id is not None:
        cur = db.execute("UPDATE order_drafts SET patient_id=?, data=?, overrides=?, updated_at=?,"
                         " operator=? WHERE id=?",
                         [patient_id, _dumps(data), _dumps(overrides), now, operator, draft_id])
        if cur.rowcount:
            audit.append(db, operator=operator, action="draft.update", entity="order_draft",
                         entity_id=draft_id, details={"patient_id": patient_id})
            return draft_id
    cur = db.execute("INSERT INTO order_drafts (patient_id, data, overrides, created_at, updated_at,"
                     " operator) VALUES (?, ?, ?, ?, ?, ?)",
                     [patient_id, _dumps(data), _dumps(overrides), now, now, operator])
    new_id = int(cur.lastrowid or 0)
    audit.append(db, operator=operator, action="draft.create", entity="order_draft", entity_id=new_id,
                 details={"patient_id": patient_id})
    return new_id


def _row(r: tuple[Any, ...]) -> OrderDraft:
    return OrderDraft(id=int(r[0]), patient_id=int(r[1]), data=json.loads(r[2]),
                      overrides=json.loads(r[3]), updated_at=str(r[4]), operator=str(r[5]))


_COLS = "id, patient_id, data, overrides, updated_at, operator"


def get_draft(db: Database, draft_id: int) -> OrderDraft | None:
    r = db.execute(f"SELECT {_COLS} FROM order_drafts WHERE id=?", [draft_id]).fetchone()
    return None if r is None else _row(r)


def list_drafts(db: Database, patient_id: int | None = None) -> list[OrderDraft]:
    sql = f"SELECT {_COLS} FROM order_drafts"
    params: list[Any] = []
    if patient_id is not None:
        sql += " WHERE patient_id=?"
        params.append(patient_id)
    return [_row(r) for r in db.execute(sql + " ORDER BY updated_at DESC, id DESC", params)]


def delete_draft(db: Database, draft_id: int, operator: str, reason: str) -> None:
    if db.execute("DELETE FROM order_drafts WHERE id=?", [draft_id]).rowcount:
        audit.append(db, operator=operator, action="draft.delete", entity="order_draft",
                     entity_id=draft_id, details={"reason": reason})
