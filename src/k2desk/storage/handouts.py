"""Handouts: which snippet versions, which language, which acknowledgements, and the full record
of what was printed (so a handout can be re-rendered exactly from what was saved)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from k2desk.domain.records import StoredHandout
from k2desk.storage import audit
from k2desk.storage.clock import now_iso
from k2desk.storage.orders import link_acknowledgements, linked_acknowledgements


def insert_handout(db: Database, *, patient_id: int, snippets: Sequence[tuple[str, int]],
                   language: str, acknowledgement_ids: Sequence[int], record: Mapping[str, Any],
                   operator: str) -> int:
    """Store a handout and audit 'create'; call inside ``Store.write()``."""
    cur = db.execute(
        "INSERT INTO handouts (patient_id, snippets, language, acknowledgement_id, record,"
        " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [patient_id, json.dumps([[s, v] for s, v in snippets]), language,
         acknowledgement_ids[0] if acknowledgement_ids else None,
         json.dumps(dict(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
         now_iso(), operator])
    hid = int(cur.lastrowid or 0)
    link_acknowledgements(db, "handout", hid, acknowledgement_ids)
    audit.append(db, operator=operator, action="create", entity="handout", entity_id=hid,
                 details={"patient_id": patient_id, "language": language,
                          "snippets": [f"{s}@{v}" for s, v in snippets],
                          "acknowledgements": list(acknowledgement_ids)})
    return hid


def get_handout(db: Database, handout_id: int) -> StoredHandout | None:
    r = db.execute("SELECT id, patient_id, snippets, language, record, created_at, created_by"
                   " FROM handouts WHERE id=?", [handout_id]).fetchone()
    if r is None:
        return None
    return StoredHandout(
        id=int(r[0]), patient_id=int(r[1]),
        snippets=tuple((str(s), int(v)) for s, v in json.loads(r[2])), language=r[3],
        acknowledgement_ids=linked_acknowledgements(db, "handout", int(r[0])),
        record=dict(json.loads(r[4])), created_at=r[5], created_by=r[6])
