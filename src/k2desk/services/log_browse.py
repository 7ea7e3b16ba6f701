"""Browsing the document log page by page (what the Log page shows)."""

from __future__ import annotations

from dataclasses import replace

from k2desk.services.context import AppContext
from k2desk.services.export import log_query
from k2desk.storage import log_view
from k2desk.storage.log_view import PAGE_SIZE, LogFilter, LogRow

__all__ = ["LogFilter", "LogRow", "PAGE_SIZE", "log_page", "log_kinds", "log_count", "log_rows_at",
           "log_position", "seekable", "pinned"]


def _stored(flt: LogFilter) -> LogFilter:
    """The filter with the pharmacist's local days turned into stored UTC bounds."""
    bounds = log_query(flt.date_from, flt.date_to)
    return replace(flt, date_from=bounds.since, date_to=bounds.until)


def seekable(flt: LogFilter) -> bool:
    """Whether the Log page can jump to any row of ``flt`` (counted and sought in the date
    index): everything but a text search, whose results page as they come, and a status filter:
    an order's status changes under the window (another workstation marks it dispensed), which
    would move every later row of a counted list (one shown twice, one never), so those rows
    page by key as before."""
    return not flt.text.strip() and not flt.status


def pinned(ctx: AppContext, flt: LogFilter) -> LogFilter:
    """``flt`` narrowed to the log as it stands now, so positions read later stay where they were
    counted even if another process stores a document meanwhile (the window re-reads after its
    own changes)."""
    return replace(flt, upto_id=log_view.latest_id(ctx.store.db))


def log_count(ctx: AppContext, flt: LogFilter) -> int:
    """How many rows the log holds under ``flt``."""
    return log_view.count(ctx.store.db, _stored(flt))


def log_rows_at(ctx: AppContext, flt: LogFilter, row: int, limit: int = PAGE_SIZE) -> list[LogRow]:
    """Up to ``limit`` rows from position ``row`` (0 = newest) under ``flt``: the row's key is
    found in the date index, then the rows are read from there."""
    stored = _stored(flt)
    key = log_view.seek(ctx.store.db, stored, row)
    return [] if key is None else log_view.rows_from(ctx.store.db, stored, key, limit=limit)


def log_position(ctx: AppContext, flt: LogFilter, doc_id: int) -> int | None:
    """The row of document ``doc_id`` under ``flt`` (0 = newest), or None if it is not there."""
    return log_view.position(ctx.store.db, _stored(flt), doc_id)


def log_page(ctx: AppContext, flt: LogFilter, *, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> list[LogRow]:
    """One page of the log, newest first: rows matching ``flt`` with ids below ``before_id``.

    ``flt.date_from`` and ``flt.date_to`` are the pharmacy's local calendar days (YYYY-MM-DD, both
    inclusive), the same rule as the export's --since/--until.
    """
    return log_view.log_page(ctx.store.db, _stored(flt), before_id=before_id, limit=limit)


def log_kinds(ctx: AppContext) -> list[str]:
    """The document kinds present in the log (for the kind filter)."""
    return log_view.log_kinds(ctx.store.db)
