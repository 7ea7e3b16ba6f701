"""The log as the window lists it: every stored document, newest first, keyset-paged.

Keyset paging (``id < last id seen``) rather than OFFSET keeps every page as fast as the first,
so a million-row log scrolls as smoothly as a ten-row one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.domain.document_ref import parse_document_ref
from k2desk.storage.patients import FTS_WORDS_MATCH, fts_query, needs_word_check

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What the person narrowed the log to; empty fields mean "any"."""

    text: str = ""
    kind: str | None = None
    status: str | None = None  # an order status; documents that are not orders never match
    patient_id: int | None = None
    # Stored-time bounds (UTC ISO 8601): date_from inclusive, date_to exclusive. The service turns
    # the pharmacist's local calendar days into these (services.log_browse.log_page).
    date_from: str | None = None
    date_to: str | None = None


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    created_at: str
    kind: str
    title: str
    patient_id: int | None
    patient_name: str
    status: str
    operator: str
    pages: int
    size: int
    source_table: str
    source_id: int


_SELECT = (
    "SELECT d.id, d.created_at, d.kind, d.title, d.patient_id, coalesce(p.name, ''),"
    " coalesce(o.status, ''), d.operator, d.pages, d.size, d.source_table, d.source_id"
    " FROM documents d"
    " LEFT JOIN patients p ON p.id = d.patient_id"
    " LEFT JOIN orders o ON d.source_table = 'orders' AND o.id = d.source_id"
)


def _where(flt: LogFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.kind:
        where.append("d.kind = ?")
        params.append(flt.kind)
    if flt.status:
        where.append("o.status = ?")
        params.append(flt.status)
    if flt.patient_id is not None:
        where.append("d.patient_id = ?")
        params.append(flt.patient_id)
    if flt.date_from:
        where.append("d.created_at >= ?")
        params.append(flt.date_from)
    if flt.date_to:
        where.append("d.created_at < ?")
        params.append(flt.date_to)
    ref = parse_document_ref(flt.text)
    if ref is not None:
        # "D-123" as printed in the footer (or scanned from the QR code): that document only.
        where.append("d.id = ?")
        params.append(ref)
        return where, params
    number = parse_document_ref(flt.text, bare_number=True)
    q = fts_query(flt.text)
    if number is not None and q is not None:
        # A number alone: the document with that number, and whatever else mentions it.
        where.append("(d.id = ? OR d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?))")
        params += [number, q]
    elif q is not None:
        # The log's own full-text index (migration 0005): patient name, kind, title, document id.
        if needs_word_check(flt.text):
            where.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
                         f" AND {FTS_WORDS_MATCH})")
            params += [q, flt.text]
        else:
            where.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(q)
    return where, params


def log_page(db: Database, flt: LogFilter, *, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> list[LogRow]:
    """Up to ``limit`` rows matching ``flt``, newest first, with ids below ``before_id``."""
    where, params = _where(flt)
    if before_id is not None:
        where.append("d.id < ?")
        params.append(before_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id DESC LIMIT ?"
    return [LogRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8]), int(r[9]), r[10],
                   int(r[11]))
            for r in db.execute(sql, [*params, limit]).fetchall()]


def log_kinds(db: Database) -> list[str]:
    return [str(r[0]) for r in db.execute("SELECT DISTINCT kind FROM documents ORDER BY kind")]
