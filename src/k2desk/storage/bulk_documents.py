"""Many log rows at once (demo data, benchmarks): copies of PDFs already stored, each audited.

One ``executemany`` per chunk for the rows and one for their audit events, the hash chain
computed here exactly as ``audit.append`` would, so ``k2desk log verify`` still passes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from k2desk.storage.audit import GENESIS, event_hash
from k2desk.storage.clock import now_iso


@dataclass(frozen=True, slots=True)
class DocumentCopy:
    kind: str
    patient_id: int | None
    source_table: str
    source_id: int
    title: str
    sha256: str  # must already be in pdf_blobs
    size: int
    pages: int
    created_at: str


def insert_copies(db: Database, copies: Sequence[DocumentCopy], operator: str) -> list[int]:
    """Insert ``copies`` as documents with a 'render' audit event each; call inside ``Store.write()``."""
    if not copies:
        return []
    first = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()[0])
    ids = list(range(first, first + len(copies)))
    db.conn.executemany(
        "INSERT INTO documents (id, kind, patient_id, source_table, source_id, title, sha256, size, pages,"
        " created_at, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, c.kind, c.patient_id, c.source_table, c.source_id, c.title, c.sha256, c.size, c.pages,
          c.created_at, operator) for i, c in zip(ids, copies, strict=True)])
    row = db.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev = str(row[0]) if row else GENESIS
    at = now_iso()  # when the rows went in (their created_at may be back-dated demo dates)
    events = []
    for i, c in zip(ids, copies, strict=True):
        details = json.dumps({"kind": c.kind, "sha256": c.sha256, "size": c.size, "pages": c.pages,
                              "source": f"{c.source_table}/{c.source_id}"},
                             ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        h = event_hash(prev, at, operator, "render", "document", str(i), details)
        events.append((at, operator, "render", "document", str(i), details, prev, h))
        prev = h
    db.conn.executemany(
        "INSERT INTO audit_events (at, operator, action, entity, entity_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", events)
    return ids


def document_templates(db: Database) -> list[DocumentCopy]:
    """The stored documents to copy from (one per distinct PDF)."""
    rows = db.execute("SELECT kind, patient_id, source_table, source_id, title, sha256, size, pages,"
                      " created_at FROM documents WHERE id IN (SELECT min(id) FROM documents GROUP BY sha256)"
                      " ORDER BY id").fetchall()
    return [DocumentCopy(r[0], r[1], r[2], int(r[3]), r[4], r[5], int(r[6]), int(r[7]), r[8]) for r in rows]
