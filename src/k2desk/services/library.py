"""Evidence library use cases: browse, vet/reject/retire, review dates, export/import, and the
one question every document asks: which snippets may print?

The effective library is the shipped one (resources/evidence) plus snippets this pharmacy
imported; an imported snippet replaces a shipped one only when its version is higher. The
pharmacy's own decisions are stored in the database and win for the version they were made on.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from k2desk.domain.evidence import (
    Citation,
    DoseLimit,
    FoodSource,
    LocalDecision,
    Snippet,
    SnippetState,
    SnippetStatus,
    content_hash,
    reading_grade,
    snippet_state,
)
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.text import check_text
from k2desk.library.evidence import (
    ImportPlan,
    Library,
    LibraryError,
    export_library_json,
    load_library,
    plan_import,
    validate_folder,
    with_imported,
)
from k2desk.library.evidence_schema import citation_to_json, snippet_to_json
from k2desk.resources import resource_path
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.inputs import LIBRARY_LIMIT, read_input_file
from k2desk.services.operators import require_pharmacist
from k2desk.services.outputs import check_output_path, replacing
from k2desk.storage import audit
from k2desk.storage import snippets as repo
from k2desk.storage.clock import now_iso

# None means the shipped resources/evidence; tests point this at a fixture library.
EVIDENCE_FOLDER: Path | None = None

STATUS_FILTERS = tuple(s.value for s in SnippetStatus) + ("expired",)

ImportReport = ImportPlan


@dataclass(frozen=True)
class SnippetView:
    """A snippet with its effective status for this pharmacy and what a reader needs to judge it."""

    snippet: Snippet
    state: SnippetState
    citations: tuple[Citation, ...]
    imported: bool

    @property
    def id(self) -> str:
        return self.snippet.id

    @property
    def reading_grade(self) -> float:
        return reading_grade(self.snippet.text["en"])

    @property
    def why(self) -> str:
        return self.state.why(self.snippet)


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _shipped() -> Library:
    try:
        return load_library(EVIDENCE_FOLDER)
    except LibraryError as exc:
        raise OperationFailed(
            "The evidence library has problems and cannot be used:\n" + "\n".join(exc.problems)
            + "\nRun 'k2desk library validate' to see them again.") from exc


def load(ctx: AppContext) -> Library:
    """The effective library: shipped plus imported snippets."""
    db = ctx.store.db
    try:
        return with_imported(_shipped(), repo.imported_snippets(db), repo.imported_citations(db))
    except LibraryError as exc:
        raise OperationFailed("An imported evidence snippet no longer passes the checks:\n"
                              + "\n".join(exc.problems)) from exc


def _views(ctx: AppContext, library: Library, today: dt.date) -> list[SnippetView]:
    decisions = repo.latest_decisions(ctx.store.db)
    return [SnippetView(s, snippet_state(s, decisions.get(s.id), today),
                        tuple(library.citations_for(s)), s.id in library.imported_ids)
            for s in library.snippets.values()]


def list_snippets(ctx: AppContext, topic: str | None = None, status: str | None = None, *,
                  today: dt.date | None = None) -> list[SnippetView]:
    """Snippets in library order with their effective status, optionally for one topic and one
    status (draft, vetted, rejected, retired, or expired: vetted but past its review date)."""
    library = load(ctx)
    issues: list[FieldIssue] = []
    if topic is not None and topic not in library.topics:
        issues.append(error("topic", "unknown", f"There is no topic '{topic}'; topics are: "
                            + ", ".join(library.topics) + "."))
    if status is not None and status not in STATUS_FILTERS:
        issues.append(error("status", "unknown", f"'{status}' is not a status; use one of: "
                            + ", ".join(STATUS_FILTERS) + "."))
    if issues:
        raise InputRefused(issues)
    views = _views(ctx, library, _today(today))
    return [v for v in views
            if (topic is None or topic in v.snippet.topics)
            and (status is None or v.state.label == status)]


def show(ctx: AppContext, snippet_id: str, *, today: dt.date | None = None) -> SnippetView:
    """One snippet with its citations and effective status; NotFound for an unknown id."""
    library = load(ctx)
    _require(library, snippet_id)
    return next(v for v in _views(ctx, library, _today(today)) if v.id == snippet_id)


def history(ctx: AppContext, snippet_id: str) -> list[LocalDecision]:
    """This pharmacy's decisions about one snippet, oldest first."""
    return repo.decision_history(ctx.store.db, snippet_id)


def _require(library: Library, snippet_id: str) -> Snippet:
    snippet = library.snippets.get(snippet_id)
    if snippet is None:
        raise NotFound(f"There is no evidence snippet with id '{snippet_id}'. "
                       "'k2desk library list' shows the ids.")
    return snippet


_DECISION_ACTION = {SnippetStatus.VETTED: "vet a snippet", SnippetStatus.REJECTED: "reject a snippet",
                    SnippetStatus.RETIRED: "retire a snippet"}


def _decide(ctx: AppContext, snippet_id: str, status: SnippetStatus, by: str, reason: str,
            pin: str | None = None) -> LocalDecision:
    library = load(ctx)
    issues = check_text(by, "by", label="The pharmacist's name", required=True, max_length=100)
    if status is not SnippetStatus.VETTED:
        issues += check_text(reason, "reason", label="The reason", required=True, max_length=2000,
                             multiline=True)
    snippet = _require(library, snippet_id)
    if status is SnippetStatus.VETTED and not any(c.traceable for c in library.citations_for(snippet)):
        issues.append(error("citations", "untraceable",
                            f"Snippet '{snippet_id}' cannot be vetted: it cites no source with a DOI "
                            "or PubMed id. Add a primary source in a new version first."))
    if issues:
        raise InputRefused(issues)
    # Once operators exist, only a pharmacist decides what may print (issue #12).
    who = require_pharmacist(ctx, by, action=_DECISION_ACTION[status], pin=pin, field="by")
    with ctx.store.write() as db:
        decision = repo.record_decision(db, snippet_id=snippet.id, version=snippet.version,
                                        status=status, by=who, reason=reason.strip(),
                                        operator=ctx.operator)
    ctx.changes.publish(Changes(library=True))  # what may print changed: builders re-read
    return decision


def vet(ctx: AppContext, snippet_id: str, by: str, *, pin: str | None = None) -> LocalDecision:
    """Mark the current version of a snippet vetted in this pharmacy (good for a year)."""
    return _decide(ctx, snippet_id, SnippetStatus.VETTED, by, "", pin)


def reject(ctx: AppContext, snippet_id: str, by: str, reason: str, *,
           pin: str | None = None) -> LocalDecision:
    """Refuse a snippet in this pharmacy, with the reason; it will not print."""
    return _decide(ctx, snippet_id, SnippetStatus.REJECTED, by, reason, pin)


def retire(ctx: AppContext, snippet_id: str, by: str, reason: str, *,
           pin: str | None = None) -> LocalDecision:
    """Take a snippet out of use in this pharmacy, with the reason; it will not print."""
    return _decide(ctx, snippet_id, SnippetStatus.RETIRED, by, reason, pin)


def due_for_review(ctx: AppContext, within_days: int = 30, *,
                   today: dt.date | None = None) -> list[SnippetView]:
    """Vetted snippets whose review date has passed or falls within ``within_days``, soonest first."""
    if within_days < 0:
        raise InputRefused([error("days", "negative", "The number of days must be 0 or more.")])
    today = _today(today)
    limit = today + dt.timedelta(days=within_days)
    due = [v for v in _views(ctx, load(ctx), today)
           if v.state.status is SnippetStatus.VETTED and v.state.review_due is not None
           and v.state.review_due <= limit]
    return sorted(due, key=lambda v: (v.state.review_due or today, v.id))


def export(ctx: AppContext, path: Path, *, today: dt.date | None = None) -> int:
    """Write the effective library, with this pharmacy's decisions, as one JSON file; returns the
    number of snippets. The file is written whole or not at all."""
    path = check_output_path(ctx.data_dir, path)
    library = load(ctx)
    data = export_library_json(library, repo.latest_decisions(ctx.store.db), today=_today(today),
                               exported_at=now_iso())
    with replacing(path) as fh:
        fh.write((json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    with ctx.store.write() as db:
        audit.append(db, operator=ctx.operator, action="export", entity="evidence-library",
                     details={"snippets": len(data["snippets"]), "file": path.name})
    return len(data["snippets"])


def import_file(ctx: AppContext, path: Path) -> ImportReport:
    """Merge another pharmacy's export into this one.

    New snippets are added as drafts, higher versions replace lower ones and need vetting again,
    lower versions are skipped. A conflict (same id and version, different content) or any
    problem in the file refuses the whole import and changes nothing.
    """
    path = Path(path)
    raw = read_input_file(path, LIBRARY_LIMIT, "a library export")
    current = load(ctx)
    decisions = repo.latest_decisions(ctx.store.db)
    try:
        plan = plan_import(current, decisions, raw, source=path.name)
    except LibraryError as exc:
        raise InputRefused([error("file", "invalid", p) for p in exc.problems]) from exc
    if not plan.ok:
        raise InputRefused([
            error(f"snippet {c.id}", "conflict", c.note + ". Nothing was imported.") for c in plan.conflicts])
    rows = [repo.ImportedSnippetRow(s.id, s.version, snippet_to_json(s), content_hash(s))
            for s in plan.to_store()]
    citations = {c.id: citation_to_json(c) for c in plan.new_citations}
    summary = {"file": path.name, "added": [i.id for i in plan.added],
               "updated": [i.id for i in plan.updated], "skipped": [i.id for i in plan.skipped],
               "unchanged": len(plan.unchanged), "citations_added": sorted(citations)}
    if rows or citations:
        with ctx.store.write() as db:
            repo.save_imported(db, rows, citations, source=path.name, operator=ctx.operator,
                               summary=summary)
            try:  # the merged library must still load; if not, the transaction is rolled back
                with_imported(_shipped(), repo.imported_snippets(db), repo.imported_citations(db))
            except LibraryError as exc:
                raise OperationFailed("The import would leave the library unusable; nothing was "
                                      "imported:\n" + "\n".join(exc.problems)) from exc
        ctx.changes.publish(Changes(library=True))
    return plan


def _folder(folder: Path | None) -> Path:
    return Path(folder) if folder is not None else (EVIDENCE_FOLDER or resource_path("evidence"))


def validate(folder: Path | None = None) -> list[str]:
    """Every problem in a library folder (default: the shipped one); empty means it is sound."""
    return validate_folder(_folder(folder))


@dataclass(frozen=True)
class ValidationReport:
    folder: Path
    problems: list[str]
    snippets: int = 0
    citations: int = 0
    vetted: int = 0


def validation_report(folder: Path | None = None) -> ValidationReport:
    """Check a library folder and, when sound, count what it holds."""
    target = _folder(folder)
    try:
        library = load_library(target)
    except LibraryError as exc:
        return ValidationReport(target, exc.problems)
    vetted = sum(1 for s in library.snippets.values() if s.status is SnippetStatus.VETTED)
    return ValidationReport(target, [], len(library.snippets), len(library.citations), vetted)


def usable_snippets(ctx: AppContext, topics: list[str] | None = None, ids: list[str] | None = None,
                    *, today: dt.date | None = None) -> list[Snippet]:
    """The snippets that may print: effective status vetted and not past review.

    With ``ids``: exactly those snippets, in that order (``topics`` is then ignored); an id that
    is unknown, draft, rejected, retired or expired is refused, naming it and why. Otherwise all
    usable snippets in library order, limited to ``topics`` when given.
    """
    views = _views(ctx, load(ctx), _today(today))
    if ids is None:
        wanted = set(topics) if topics is not None else None
        return [v.snippet for v in views if v.state.usable
                and (wanted is None or wanted.intersection(v.snippet.topics))]
    by_id = {v.id: v for v in views}
    issues: list[FieldIssue] = []
    for sid in ids:
        v = by_id.get(sid)
        if v is None:
            issues.append(error(f"snippet {sid}", "unknown", f"There is no evidence snippet '{sid}'."))
        elif not v.state.usable:
            issues.append(error(f"snippet {sid}", v.state.label,
                                f"Snippet '{sid}' cannot be printed: it is {v.state.label}. {v.why}"))
    if issues:
        raise InputRefused(issues)
    return [by_id[sid].snippet for sid in ids]


def citations_for(ctx: AppContext, snippets: list[Snippet]) -> list[Citation]:
    """The citations of ``snippets``, each once, in the order they are first cited (so a handout
    can number them [1], [2], ...)."""
    library = load(ctx)
    seen: dict[str, Citation] = {}
    for s in snippets:
        for c in library.citations_for(s):
            seen.setdefault(c.id, c)
    return list(seen.values())


def dose_limits(ctx: AppContext, *, today: dt.date | None = None) -> list[DoseLimit]:
    """Dose limits from dosing snippets that are not rejected or retired here.

    Draft limits count too: a dose check only warns, and a warning from a not-yet-vetted
    snippet is safer than no check at all.
    """
    views = _views(ctx, load(ctx), _today(today))
    return [v.snippet.dose for v in views if v.snippet.dose is not None
            and v.state.status not in (SnippetStatus.REJECTED, SnippetStatus.RETIRED)]


def foods(ctx: AppContext) -> list[FoodSource]:
    """The food-sources table (each row with the citation that reports the amount)."""
    return list(load(ctx).foods)
