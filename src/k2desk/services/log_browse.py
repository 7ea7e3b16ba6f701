"""Browsing the document log page by page (what the Log page shows)."""

from __future__ import annotations

from k2desk.services.context import AppContext
from k2desk.storage import log_view
from k2desk.storage.log_view import PAGE_SIZE, LogFilter, LogRow

__all__ = ["LogFilter", "LogRow", "PAGE_SIZE", "log_page", "log_kinds"]


def log_page(ctx: AppContext, flt: LogFilter, *, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> list[LogRow]:
    """One page of the log, newest first: rows matching ``flt`` with ids below ``before_id``."""
    return log_view.log_page(ctx.store.db, flt, before_id=before_id, limit=limit)


def log_kinds(ctx: AppContext) -> list[str]:
    """The document kinds present in the log (for the kind filter)."""
    return log_view.log_kinds(ctx.store.db)
