"""Browsing the document log page by page (what the Log page shows)."""

from __future__ import annotations

from dataclasses import replace

from k2desk.services.context import AppContext
from k2desk.services.export import log_query
from k2desk.storage import log_view
from k2desk.storage.log_view import PAGE_SIZE, LogFilter, LogRow

__all__ = ["LogFilter", "LogRow", "PAGE_SIZE", "log_page", "log_kinds"]


def log_page(ctx: AppContext, flt: LogFilter, *, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> list[LogRow]:
    """One page of the log, newest first: rows matching ``flt`` with ids below ``before_id``.

    ``flt.date_from`` and ``flt.date_to`` are the pharmacy's local calendar days (YYYY-MM-DD, both
    inclusive), the same rule as the export's --since/--until.
    """
    bounds = log_query(flt.date_from, flt.date_to)
    stored = replace(flt, date_from=bounds.since, date_to=bounds.until)
    return log_view.log_page(ctx.store.db, stored, before_id=before_id, limit=limit)


def log_kinds(ctx: AppContext) -> list[str]:
    """The document kinds present in the log (for the kind filter)."""
    return log_view.log_kinds(ctx.store.db)
