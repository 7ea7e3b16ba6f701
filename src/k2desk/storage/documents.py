"""The document log: PDF bytes stored once by SHA-256 (files, ``storage.blobs``), one row per
printed document.

The id of a document is printed in its own footer and QR code, so it is known before the PDF
exists: ``next_document_id`` gives it inside the write transaction (which holds SQLite's write
lock, so no other writer can take the same id), and ``store_document`` inserts the row with it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

from k2desk.domain.records import StoredDocument
from k2desk.storage import audit
from k2desk.storage.blobs import add_blob, blob_root, read_blob
from k2desk.storage.clock import now_iso

_COLS = "id, kind, patient_id, source_table, source_id, title, sha256, size, pages, created_at, operator"


class DocumentStoreError(Exception):
    """The stored bytes do not match their recorded SHA-256, or a document is missing."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def next_document_id(db: Database) -> int:
    """The id the next stored document will get; call inside ``Store.write()``."""
    if not db.conn.in_transaction:
        raise DocumentStoreError("next_document_id must be called inside a write transaction")
    row = db.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()
    return int(row[0])


def store_document(db: Database, *, kind: str, patient_id: int | None, source_table: str,
                   source_id: int, pdf: bytes, title: str, operator: str, pages: int = 0,
                   document_id: int | None = None) -> int:
    """Store the PDF bytes (deduplicated by SHA-256) and one document row, and audit 'render'.

    Call inside ``Store.write()``. ``title`` must not hold a patient's name (it is listed in
    the log). ``document_id`` is the id reserved with ``next_document_id`` when the id was
    printed in the PDF.
    """
    # The file is on disk (fsynced) before the row naming it can commit (storage.blobs).
    digest = add_blob(db, pdf)
    cur = db.execute(
        "INSERT INTO documents (id, kind, patient_id, source_table, source_id, title, sha256, size,"
        " pages, created_at, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [document_id, kind, patient_id, source_table, source_id, title, digest, len(pdf), pages,
         now_iso(), operator],
    )
    doc_id = int(cur.lastrowid or 0)
    audit.append(db, operator=operator, action="render", entity="document", entity_id=doc_id,
                 details={"kind": kind, "sha256": digest, "size": len(pdf), "pages": pages,
                          "source": f"{source_table}/{source_id}"})
    return doc_id


def _row(r: tuple[Any, ...]) -> StoredDocument:
    return StoredDocument(id=int(r[0]), kind=r[1], patient_id=r[2], source_table=r[3],
                          source_id=int(r[4]), title=r[5], sha256=r[6], size=int(r[7]),
                          pages=int(r[8]), created_at=r[9], operator=r[10])


def get_document(db: Database, doc_id: int) -> StoredDocument | None:
    r = db.execute(f"SELECT {_COLS} FROM documents WHERE id=?", [doc_id]).fetchone()
    return None if r is None else _row(r)


def get_pdf(db: Database, doc_id: int) -> bytes:
    """The stored bytes of a document, checked against their SHA-256."""
    r = db.execute("SELECT sha256 FROM documents WHERE id=?", [doc_id]).fetchone()
    if r is None:
        raise DocumentStoreError(f"document {doc_id} has no stored PDF")
    data = read_blob(blob_root(db), str(r[0]))
    if data is None:
        raise DocumentStoreError(f"document {doc_id}: its stored PDF file is missing or unreadable "
                                 "(run 'k2desk log verify' and restore a backup)")
    if sha256_hex(data) != r[0]:
        raise DocumentStoreError(
            f"document {doc_id}: the stored PDF does not match its SHA-256 (the database was altered)")
    return data


def list_documents(db: Database, *, patient_id: int | None = None, kind: str | None = None,
                   source: tuple[str, int] | None = None, limit: int = 1000,
                   offset: int = 0) -> list[StoredDocument]:
    """Newest first; filter by patient, kind or source record."""
    where: list[str] = []
    params: list[Any] = []
    if patient_id is not None:
        where.append("patient_id=?")
        params.append(patient_id)
    if kind is not None:
        where.append("kind=?")
        params.append(kind)
    if source is not None:
        where.append("source_table=? AND source_id=?")
        params += [source[0], source[1]]
    sql = f"SELECT {_COLS} FROM documents"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    return [_row(r) for r in db.execute(sql, [*params, limit, offset]).fetchall()]


def count_documents(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])


def record_use(db: Database, doc_id: int, *, action: str, operator: str,
               details: dict[str, Any] | None = None) -> None:
    """Audit a reprint, save, fax image or cover sheet of a stored document."""
    audit.append(db, operator=operator, action=action, entity="document", entity_id=doc_id,
                 details=details or {})


def reprints(db: Database, doc_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(time, operator, details) of every reprint of ``doc_id`` recorded in the audit trail,
    oldest first (read only: the trail is written by ``record_use``)."""
    rows = db.execute("SELECT at, operator, details FROM audit_events WHERE entity = 'document'"
                      " AND entity_id = ? AND action = 'reprint' ORDER BY id", [str(doc_id)]).fetchall()
    out = []
    for at, operator, details in rows:
        try:
            data = json.loads(details)
        except ValueError:
            data = {}
        out.append((str(at), str(operator), data if isinstance(data, dict) else {}))
    return out
