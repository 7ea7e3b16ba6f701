"""The document log as rows: list, full-text search, streamed export rows, and PDF hash checks.

The PDF bytes themselves stay in ``pdf_blobs``; the rows here never carry them, and the search
index (``documents_fts``, migration 0005_log_search) holds only the patient name, kind, title
and document id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.domain.document_ref import parse_document_ref
from k2desk.domain.spreadsheet import FORMULA_TRIGGERS, neutralise
from k2desk.storage.log_view import LogFilter, filter_sql
from k2desk.storage.patients import FTS_WORDS_MATCH, fts_query, needs_word_check


@dataclass(frozen=True, slots=True)
class LogQuery:
    """Bounds as stored timestamps (UTC ISO 8601): ``since`` inclusive, ``until`` exclusive."""

    since: str | None = None
    until: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    document_id: int
    created_at: str
    kind: str
    patient_id: int | None
    patient_name: str
    patient_dob: str
    title: str
    operator: str
    sha256: str
    size: int
    pages: int
    order_status: str | None


_SELECT = (
    "SELECT d.id, d.created_at, d.kind, d.patient_id, COALESCE(p.name, ''), COALESCE(p.dob, ''),"
    " d.title, d.operator, d.sha256, d.size, d.pages, o.status"
    " FROM documents d LEFT JOIN patients p ON p.id = d.patient_id"
    " LEFT JOIN orders o ON d.source_table = 'orders' AND o.id = d.source_id"
)


def _row(r: Any) -> LogEntry:
    return LogEntry(document_id=int(r[0]), created_at=str(r[1]), kind=str(r[2]),
                  patient_id=None if r[3] is None else int(r[3]), patient_name=str(r[4]),
                  patient_dob=str(r[5]), title=str(r[6]), operator=str(r[7]), sha256=str(r[8]),
                  size=int(r[9]), pages=int(r[10]), order_status=None if r[11] is None else str(r[11]))


def _where(f: LogQuery) -> tuple[str, list[Any]]:
    # The one builder of the log's filters (storage.log_view), as the window's pages use it.
    w = filter_sql(LogFilter(kind=f.kind, date_from=f.since, date_to=f.until))
    return w.sql(), w.params


def count_rows(db: Database, f: LogQuery) -> int:
    where, params = _where(f)
    return int(db.execute(f"SELECT count(*) FROM documents d{where}", params).fetchone()[0])


def iter_rows(db: Database, f: LogQuery) -> Iterator[LogEntry]:
    """Rows oldest first, read one at a time from the cursor (never all in memory)."""
    where, params = _where(f)
    cur = db.execute(f"{_SELECT}{where} ORDER BY d.created_at, d.id", params)
    for r in cur:
        yield _row(r)


# The export's columns (LogEntry order). Each row becomes one finished CSV line inside SQLite:
# at a million rows, Python's csv module spent five times what `sqlite3 -csv` needs. Only the
# columns people type into can hold a comma, a quote, a line break or a formula; the others are
# numbers, ISO dates, hex digests and fixed words, written as they are.
_CSV_SOURCE = (("d.id", False), ("d.created_at", False), ("d.kind", False), ("d.patient_id", False),
               ("p.name", True), ("p.dob", False), ("d.title", True), ("d.operator", True),
               ("d.sha256", False), ("d.size", False), ("d.pages", False), ("o.status", False))
_FROM = _SELECT[_SELECT.index(" FROM "):]


def _sql_literal(ch: str) -> str:
    return f"char({ord(ch)})" if not ch.isprintable() else "'" + ch.replace("'", "''") + "'"


def _csv_line_sql() -> str:
    triggers = ", ".join(_sql_literal(c) for c in sorted(FORMULA_TRIGGERS))
    cells = []
    for col, typed_by_people in _CSV_SOURCE:
        if not typed_by_people:
            cells.append(col)
            continue
        # The first-character test is cheap in SQL; the rule itself (numbers and E.164 numbers
        # stay usable) is domain.spreadsheet's, called only for cells that start with a trigger.
        # Quoting as Python's csv module does by default (QUOTE_MINIMAL).
        cells.append(
            f"(CASE WHEN substr({col}, 1, 1) IN ({triggers}) THEN k2desk_csv_cell({col})"
            f" WHEN {col} GLOB '*[,\"'||char(10)||char(13)||']*' THEN k2desk_csv_cell({col})"
            f" ELSE {col} END)")
    # One printf per line, not eleven ||s with a COALESCE each: SQLite builds the line in one
    # buffer (printf's %s writes NULL as nothing), which took the export from 7.5 s to 4.3 s at
    # a million rows.
    # As a BLOB: the line's UTF-8 bytes go straight to the file, never decoded into a Python
    # string and encoded back (a second of a million-row export, issue 23).
    return ("SELECT CAST(printf('" + ",".join(["%s"] * len(cells)) + "', " + ", ".join(cells)
            + ") AS BLOB)" + _FROM)


_CSV_LINE_SQL = _csv_line_sql()


def _csv_line_chunks(db: Database, f: LogQuery, size: int) -> Iterator[list[tuple[bytes]]]:
    db.conn.create_function("k2desk_csv_cell", 1, _csv_cell, deterministic=True)
    where, params = _where(f)
    cur = db.execute(f"{_CSV_LINE_SQL}{where} ORDER BY d.created_at, d.id", params)
    while chunk := cur.fetchmany(size):
        yield chunk


def iter_csv_blocks(db: Database, f: LogQuery, size: int = 5000) -> Iterator[tuple[int, bytes]]:
    """The export rows as finished CSV lines (formula cells neutralised), oldest first, in
    blocks: (how many lines, their UTF-8 bytes each ending in CRLF)."""
    for chunk in _csv_line_chunks(db, f, size):
        yield len(chunk), b"\r\n".join([r[0] for r in chunk]) + b"\r\n"


def iter_csv_lines(db: Database, f: LogQuery, size: int = 5000) -> Iterator[list[str]]:
    """The export rows as finished CSV lines (formula cells neutralised), oldest first."""
    for chunk in _csv_line_chunks(db, f, size):
        yield [r[0].decode("utf-8") for r in chunk]


def _csv_cell(value: str | int | float | None) -> str:
    """One cell that needs care, neutralised and quoted exactly as the csv module would."""
    text = neutralise(value) if isinstance(value, str) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def list_rows(db: Database, f: LogQuery, *, limit: int = 500, offset: int = 0) -> list[LogEntry]:
    """A page of rows, newest first."""
    where, params = _where(f)
    rows = db.execute(f"{_SELECT}{where} ORDER BY d.created_at DESC, d.id DESC LIMIT ? OFFSET ?",
                      [*params, limit, offset]).fetchall()
    return [_row(r) for r in rows]


def search_rows(db: Database, text: str, *, limit: int = 100) -> list[LogEntry]:
    """Full-text search over patient name, kind, title and document id (diacritics ignored),
    newest first. "D-123" (the footer and QR reference) finds that document alone; a number
    alone puts the document with that number first.

    FTS5 walks its rowids backwards and stops at ``limit``, so a one-letter query on a
    million-row log costs no more than a precise one (the prefix indexes of migration 0005
    make each typed prefix a single index lookup).
    """
    ref = parse_document_ref(text)
    if ref is not None:
        # "D-123" as printed in the footer and encoded in the QR code: that document only.
        return [_row(r) for r in db.execute(f"{_SELECT} WHERE d.id = ?", [ref]).fetchall()]
    number = parse_document_ref(text, bare_number=True)
    exact = ([] if number is None else
             [_row(r) for r in db.execute(f"{_SELECT} WHERE d.id = ?", [number]).fetchall()])
    q = fts_query(text)
    if q is None:
        return exact
    check, extra = (f" AND {FTS_WORDS_MATCH}", [text]) if needs_word_check(text) else ("", [])
    rows = db.execute(
        f"{_SELECT} WHERE d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
        f"{check} ORDER BY rowid DESC LIMIT ?) ORDER BY d.id DESC",
        [q, *extra, limit]).fetchall()
    # A number alone: the document with that number first, then whatever else mentions it.
    return (exact + [e for r in rows if (e := _row(r)).document_id != number])[:limit]


def _recorded_hashes(db: Database) -> Iterator[tuple[int, str | None]]:
    """(document id, SHA-256) from each document's creation event ('render'), by document id.

    The audit chain protects these values, so a PDF changed together with its documents row is
    still caught, and so is a document whose creation event was cut off the end of the chain.
    Streamed in id order (SQLite sorts on disk if it must), so a huge log needs no big dict."""
    cur = db.execute("SELECT CAST(entity_id AS INTEGER), details FROM audit_events"
                     " WHERE entity = 'document' AND action = 'render' ORDER BY 1, id")
    last: int | None = None
    for doc_id, details in cur:
        if doc_id is None or doc_id == last:
            continue
        last = int(doc_id)
        try:
            data = json.loads(details)
        except ValueError:
            data = None
        sha = data.get("sha256") if isinstance(data, dict) else None
        yield last, sha if isinstance(sha, str) else None
