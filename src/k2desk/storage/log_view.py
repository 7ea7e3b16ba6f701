"""The log as the window lists it: every stored document, newest first.

The one place the log's filters become SQL (``filter_sql``): the window's pages, the export
(storage.log) and the order log (storage.order_log) build their WHERE clauses with the same
``Where`` builder. The order is the ordering key ``(created_at, id)``, newest first, which the
date index (``documents_created``: created_at, then the rowid) holds as it is, so:

- ``log_page``: keyset paging (rows after the last key seen), every page as fast as the first;
- ``seek``: the key at row N, found by walking that index alone (no row is read), and
  ``log_page`` from there: the scroll bar can be dragged anywhere in a million rows;
- a date filter is a range of that same index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    # The log as it stood when the window counted it (documents up to this id): a document stored
    # meanwhile by the CLI or another workstation must not move the rows of a page the window
    # reads later (one row shown twice, the oldest one never). None: the log as it is now.
    upto_id: int | None = None


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


class Where:
    """A WHERE clause built a condition at a time, with its parameters in order."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> Where:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def equal(self, column: str, value: Any) -> Where:
        """``column = value`` unless value is None or empty (no filter)."""
        if value is not None and value != "":
            self.add(f"{column} = ?", value)
        return self

    def between(self, column: str, since: str | None, until: str | None) -> Where:
        """``since`` inclusive, ``until`` exclusive (stored UTC timestamps); None: open."""
        if since:
            self.add(f"{column} >= ?", since)
        if until:
            self.add(f"{column} < ?", until)
        return self

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def filter_sql(flt: LogFilter) -> Where:
    """The document log's filters as a WHERE clause over ``documents d`` (``o``: its order)."""
    w = Where().equal("d.kind", flt.kind).equal("o.status", flt.status)
    w.equal("d.patient_id", flt.patient_id).between("d.created_at", flt.date_from, flt.date_to)
    if flt.upto_id is not None:
        w.add("d.id <= ?", flt.upto_id)
    ref = parse_document_ref(flt.text)
    if ref is not None:
        # "D-123" as printed in the footer (or scanned from the QR code): that document only.
        return w.add("d.id = ?", ref)
    number = parse_document_ref(flt.text, bare_number=True)
    q = fts_query(flt.text)
    if number is not None and q is not None:
        # A number alone: the document with that number, and whatever else mentions it.
        w.add("(d.id = ? OR d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?))",
              number, q)
    elif q is not None:
        # The log's own full-text index (migration 0005): patient name, kind, title, document id.
        if needs_word_check(flt.text):
            w.add("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
                  f" AND {FTS_WORDS_MATCH})", q, flt.text)
        else:
            w.add("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", q)
    return w


# FROM for queries that need only the documents row (and the order's status when filtered by it).
def _from(flt: LogFilter) -> str:
    join = (" LEFT JOIN orders o ON d.source_table = 'orders' AND o.id = d.source_id"
            if flt.status else "")
    return " FROM documents d" + join


Key = tuple[str, int]  # (created_at, id): where a row stands in the log's order
_NEWEST_FIRST = " ORDER BY d.created_at DESC, d.id DESC"


def _rows(db: Database, sql: str, params: list[Any]) -> list[LogRow]:
    return [LogRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8]), int(r[9]), r[10],
                   int(r[11]))
            for r in db.execute(sql, params).fetchall()]


def count(db: Database, flt: LogFilter) -> int:
    """How many rows match ``flt`` (one walk of an index)."""
    w = filter_sql(flt)
    return int(db.execute(f"SELECT count(*){_from(flt)}{w.sql()}", w.params).fetchone()[0])


def seek(db: Database, flt: LogFilter, row: int) -> Key | None:
    """The key of the row at position ``row`` (0 = newest) among the rows matching ``flt``.

    SQLite still steps over the rows before it, but in the date index alone (created_at and
    rowid, no table page read). Only the upper date bound goes into the walk: a walk between
    two bounds compares every row with the far one, three times slower at a million rows. The
    row found is in the filter's dates exactly when it is not older than the lower bound, since
    every row stepped over is newer."""
    w = filter_sql(replace(flt, date_from=None))
    r = db.execute(f"SELECT d.created_at, d.id{_from(flt)}{w.sql()}{_NEWEST_FIRST} LIMIT 1 OFFSET ?",
                   [*w.params, max(row, 0)]).fetchone()
    if r is None or (flt.date_from and str(r[0]) < flt.date_from):
        return None
    return str(r[0]), int(r[1])


def rows_from(db: Database, flt: LogFilter, key: Key, *, limit: int = PAGE_SIZE) -> list[LogRow]:
    """Up to ``limit`` rows matching ``flt``, newest first, starting at ``key`` (included).

    The key's own time is the walk's upper bound (SQLite takes one upper bound for an index
    range, and the filter's end date would make it start at the newest row)."""
    w = filter_sql(replace(flt, date_to=None)).add("d.created_at <= ?", key[0])
    w.add("(d.created_at, d.id) <= (?, ?)", *key)
    return _rows(db, f"{_SELECT}{w.sql()}{_NEWEST_FIRST} LIMIT ?", [*w.params, limit])


def position(db: Database, flt: LogFilter, doc_id: int) -> int | None:
    """Where document ``doc_id`` stands among the rows matching ``flt`` (0 = newest), or None."""
    w = filter_sql(flt).add("d.id = ?", doc_id)
    found = db.execute(f"SELECT d.created_at{_from(flt)}{w.sql()}", w.params).fetchone()
    if found is None:
        return None
    w = filter_sql(flt).add("(d.created_at, d.id) > (?, ?)", found[0], doc_id)
    return int(db.execute(f"SELECT count(*){_from(flt)}{w.sql()}", w.params).fetchone()[0])


def log_page(db: Database, flt: LogFilter, *, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> list[LogRow]:
    """Up to ``limit`` rows matching ``flt``, newest first, after document ``before_id`` in that
    order (keyset paging: the rows after the last one shown)."""
    w = filter_sql(flt)
    if before_id is not None:
        w.add("(d.created_at, d.id) < (SELECT created_at, id FROM documents WHERE id = ?)", before_id)
    return _rows(db, f"{_SELECT}{w.sql()}{_NEWEST_FIRST} LIMIT ?", [*w.params, limit])


def latest_id(db: Database) -> int:
    """The newest document's id (0 for an empty log)."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0])


def log_kinds(db: Database) -> list[str]:
    return [str(r[0]) for r in db.execute("SELECT DISTINCT kind FROM documents ORDER BY kind")]
