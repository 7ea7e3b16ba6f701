"""The document log and its audit trail: list, search, and verify that nothing was changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from k2desk.services.context import AppContext
from k2desk.services.export import log_query
from k2desk.storage import log as repo
from k2desk.storage.audit import verify_chain
from k2desk.storage.log import LogEntry


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events: int
    documents: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return f"{self.events} events, {self.documents} documents verified"
        return self.problem or ""


def verify_log(ctx: AppContext) -> VerifyReport:
    """Check the whole audit chain, then recompute the SHA-256 of every stored PDF.

    The report names the first event or document that does not match, if any.
    """
    db = ctx.store.db
    events, problem = verify_chain(db)
    if problem:
        return VerifyReport(events, 0, problem)
    documents, problem = repo.verify_documents(db)
    return VerifyReport(events, documents, problem)


def list_log(ctx: AppContext, *, since: str | dt.date | None = None, until: str | dt.date | None = None,
             kind: str | None = None, limit: int = 500) -> list[LogEntry]:
    """Stored documents, newest first, with the patient's name and the document kind."""
    return repo.list_rows(ctx.store.db, log_query(since, until, kind), limit=limit)


def search_log(ctx: AppContext, query: str, *, limit: int = 100) -> list[LogEntry]:
    """Full-text search over patient name, kind, title and document id, best match first."""
    return repo.search_rows(ctx.store.db, query, limit=limit)
