"""The document log and its audit trail: list, search, and verify that nothing was changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from k2desk.domain.issues import error
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, OperationFailed
from k2desk.services.export import log_query
from k2desk.storage import blobs, seals
from k2desk.storage import log as repo
from k2desk.storage.anchor import head_path
from k2desk.storage.audit import verify_chain
from k2desk.storage.log import LogEntry

# (done, total or None): how far a long check has come
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events: int
    documents: int
    problem: str | None = None
    rows: int = 0
    # PDF files no row names (a stop between a file and its row, or a restore of an older
    # backup): harmless, named so nothing in the store goes unexplained.
    extra_files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return (f"{self.events} events, {self.rows} rows, {self.documents} documents verified; "
                    "the trail matches its head file and every backup" + self.extra_note())
        return (self.problem or "") + self.extra_note()

    def extra_note(self) -> str:
        if not self.extra_files:
            return ""
        shown = ", ".join(self.extra_files[:10])
        more = f" and {len(self.extra_files) - 10} more" if len(self.extra_files) > 10 else ""
        return (f"; {len(self.extra_files)} PDF file(s) in the store belong to no document (left by "
                f"a stop before the document was saved, or by restoring an older backup; harmless, "
                f"left in place): {shown}{more}")


def verify_log(ctx: AppContext, *, progress: Progress | None = None) -> VerifyReport:
    """Check the whole audit chain, then that it reaches the head file beside the database and
    passes through every backup's head, then every covered row against its seal (changed,
    deleted and added rows, each named), then recompute the SHA-256 of every stored PDF.

    The report names what does not match. ``progress(done, total)`` counts the PDFs hashed (the
    long part on a big log).
    """
    store = ctx.store
    db = store.db
    events, problem = verify_chain(db)
    if problem:
        return VerifyReport(events, 0, problem)
    problems = []
    store.check_anchor()
    if store.anchor_problem:
        problems.append(store.anchor_problem)
    elif store.head_missing:
        problems.append(f"the chain's head file {head_path(store.data_dir)} is missing, so nothing "
                        "outside the database vouches for the trail; if you know why (it was "
                        "deleted by mistake), run 'k2desk log reanchor --reason ...'")
    seal_problem = seals.verify_seal_events(db)
    if seal_problem:
        problems.append(seal_problem)
    rows = seals.verify_rows(db)
    if rows.summary():
        problems.append(f"rows not as the audit trail recorded them: {rows.summary()}")
    documents, problem = blobs.verify_documents(db, progress=progress)
    if problem:
        problems.append(problem)
    extra = tuple(str(p.relative_to(store.data_dir)) for p in blobs.extra_files(db))
    return VerifyReport(events, documents, "; ".join(problems) or None, rows.rows, extra)


def reanchor(ctx: AppContext, reason: str) -> VerifyReport:
    """Write a new head file for the chain as it is now (audited). Refused when the chain itself
    is broken; the reason is required and recorded."""
    reason = reason.strip()
    if not reason:
        raise InputRefused([error("reason", "required", "Say why the chain is re-anchored (for "
                                  "example 'head file deleted by mistake'); it is kept in the "
                                  "audit trail.")])
    events, problem = verify_chain(ctx.store.db)
    if problem:
        raise OperationFailed(f"The audit trail itself is broken ({problem}); restore a backup "
                              "instead of re-anchoring.")
    head = ctx.store.reanchor(ctx.operator, reason)
    return VerifyReport(head.events, 0)


def list_log(ctx: AppContext, *, since: str | dt.date | None = None, until: str | dt.date | None = None,
             kind: str | None = None, limit: int = 500) -> list[LogEntry]:
    """Stored documents, newest first, with the patient's name and the document kind."""
    return repo.list_rows(ctx.store.db, log_query(since, until, kind), limit=limit)


def search_log(ctx: AppContext, query: str, *, limit: int = 100) -> list[LogEntry]:
    """Full-text search over patient name, kind, title and document id, best match first."""
    return repo.search_rows(ctx.store.db, query, limit=limit)
