"""Evidence library use cases: browse, vet/reject/retire, review dates, export/import, and the
one question every document asks: which snippets may print?

The effective library is the shipped one (resources/evidence) plus snippets this pharmacy
imported; an imported snippet replaces a shipped one only when its version is higher. The
pharmacy's own decisions are stored in the database and win for the version they were made on.
"""

from __future__ import annotations

import dataclasses
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
    Translation,
    TranslationDecision,
    TranslationState,
    content_hash,
    english_sha256,
    reading_grade,
    snippet_state,
    translation_content_hash,
    translation_state,
)
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.languages import ENGLISH, reading_level
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
from k2desk.library.evidence_exchange import translation_to_json
from k2desk.library.evidence_schema import citation_to_json, snippet_to_json
from k2desk.library.languages import (
    LanguageDataError,
    available_languages,
    load_translations,
    parse_translation,
)
from k2desk.resources import resource_path
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.inputs import LIBRARY_LIMIT, read_input_file
from k2desk.services.operators import require_pharmacist
from k2desk.services.outputs import check_output_path, replacing
from k2desk.storage import audit
from k2desk.storage import snippets as repo
from k2desk.storage import translations as trepo
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
                               exported_at=now_iso(), translations=translations(ctx),
                               translation_decisions=trepo.latest_decisions(ctx.store.db))
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
        plan = plan_import(current, decisions, raw, source=path.name,
                           translations=translations(ctx))
    except LibraryError as exc:
        raise InputRefused([error("file", "invalid", p) for p in exc.problems]) from exc
    if not plan.ok:
        raise InputRefused([
            error(f"{'translation' if '/' in c.id else 'snippet'} {c.id}", "conflict",
                  c.note + ". Nothing was imported.") for c in plan.conflicts])
    rows = [repo.ImportedSnippetRow(s.id, s.version, snippet_to_json(s), content_hash(s))
            for s in plan.to_store()]
    citations = {c.id: citation_to_json(c) for c in plan.new_citations}
    summary = {"file": path.name, "added": [i.id for i in plan.added],
               "updated": [i.id for i in plan.updated], "skipped": [i.id for i in plan.skipped],
               "unchanged": len(plan.unchanged), "citations_added": sorted(citations)}
    new_translations = [(t.snippet_id, t.language, t.version, translation_to_json(t),
                         translation_content_hash(t)) for t in plan.translations_to_store()]
    if rows or citations or new_translations:
        with ctx.store.write() as db:
            trepo.save_imported(db, new_translations, source=path.name, operator=ctx.operator)
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


# --- Translations (issue 25) -------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationView:
    """One snippet in one language: its translation (if any), whether it prints, and why."""

    snippet: Snippet
    language: str
    language_name: str
    state: TranslationState
    snippet_usable: bool

    @property
    def id(self) -> str:
        return self.snippet.id

    @property
    def printable(self) -> bool:
        return self.snippet_usable and self.state.printable

    @property
    def translation(self) -> Translation | None:
        return self.state.translation

    @property
    def why(self) -> str:
        if not self.snippet_usable:
            return "the English snippet itself does not print (not vetted, or past its review date)"
        return self.state.why(self.language_name)

    @property
    def reading_level(self) -> tuple[str, float | None, bool | None] | None:
        t = self.state.translation
        return None if t is None else reading_level(t.text, self.language)


def _language_name(language: str) -> str:
    names = {lang.code: lang.name for lang in available_languages()}
    return names.get(language, language)


def translations(ctx: AppContext) -> dict[tuple[str, str], Translation]:
    """Shipped translations, with imported ones of a higher version in their place."""
    try:
        shipped = dict(load_translations().translations)
    except LanguageDataError as exc:
        raise OperationFailed("The translations have problems and cannot be used:\n"
                              + "\n".join(exc.problems)) from exc
    problems: list[str] = []
    for lang, raw in trepo.imported(ctx.store.db):
        t = parse_translation({k: v for k, v in raw.items() if k != "language"}, lang,
                              "imported translation", problems)
        if t is not None and (t.key not in shipped or t.version > shipped[t.key].version):
            shipped[t.key] = dataclasses.replace(t, source_file="imported")
    if problems:
        raise OperationFailed("An imported translation no longer passes the checks:\n"
                              + "\n".join(problems))
    return shipped


def _translation_views(ctx: AppContext, library: Library, language: str,
                       today: dt.date) -> list[TranslationView]:
    found = translations(ctx)
    decided = trepo.latest_decisions(ctx.store.db)
    name = _language_name(language)
    return [TranslationView(v.snippet, language, name,
                            translation_state(v.snippet, found.get((v.id, language)),
                                              decided.get((v.id, language))), v.state.usable)
            for v in _views(ctx, library, today)]


def translation_views(ctx: AppContext, language: str, *,
                      today: dt.date | None = None) -> list[TranslationView]:
    """Every snippet's translation into ``language`` with its state, in library order."""
    _require_language(language)
    return _translation_views(ctx, load(ctx), language, _today(today))


def _require_language(language: str, field: str = "language") -> None:
    known = {lang.code for lang in available_languages()}
    if language not in known or language == ENGLISH:
        raise InputRefused([error(field, "unknown_language",
                                  f"'{language}' is not a language with translations here; "
                                  "languages: " + ", ".join(sorted(known - {ENGLISH})) + ".")])


@dataclass(frozen=True)
class LeftOut:
    """A snippet a handout in another language leaves out, and why (said by builder and CLI)."""

    snippet_id: str
    reason: str


def printable_translations(ctx: AppContext, snippets: list[Snippet], language: str, *,
                           today: dt.date | None = None) -> tuple[dict[str, str], list[LeftOut]]:
    """For a handout in ``language``: the text of each snippet that has a printable translation,
    and every other snippet with the reason it is left out. Never English in its place."""
    if language == ENGLISH:
        return {s.id: s.text["en"] for s in snippets}, []
    found = translations(ctx)
    decided = trepo.latest_decisions(ctx.store.db)
    name = _language_name(language)
    texts: dict[str, str] = {}
    left: list[LeftOut] = []
    for s in snippets:
        state = translation_state(s, found.get((s.id, language)), decided.get((s.id, language)))
        if state.printable and state.translation is not None:
            texts[s.id] = state.translation.text
        else:
            left.append(LeftOut(s.id, state.why(name)))
    return texts, left


def _decide_translation(ctx: AppContext, snippet_id: str, language: str, status: SnippetStatus,
                        by: str, reason: str, pin: str | None) -> TranslationDecision:
    _require_language(language)
    library = load(ctx)
    snippet = _require(library, snippet_id)
    issues = check_text(by, "by", label="The pharmacist's name", required=True, max_length=100)
    if status is not SnippetStatus.VETTED:
        issues += check_text(reason, "reason", label="The reason", required=True, max_length=2000,
                             multiline=True)
    t = translations(ctx).get((snippet_id, language))
    name = _language_name(language)
    if t is None:
        issues.append(error("language", "no_translation",
                            f"Snippet '{snippet_id}' has no {name} translation to vet."))
    elif t.source_sha256 != english_sha256(snippet):
        issues.append(error("language", "stale_translation",
                            f"The {name} translation of '{snippet_id}' was made from an older English "
                            f"text (version {snippet.version} changed it): it must be translated "
                            "again before it can be vetted."))
    if issues:
        raise InputRefused(issues)
    assert t is not None
    who = require_pharmacist(ctx, by, action=f"{status.value} a translation", pin=pin, field="by")
    decision = TranslationDecision(snippet_id, language, t.version, snippet.version, t.source_sha256,
                                   status, who, "", reason.strip())
    with ctx.store.write() as db:
        stored = trepo.record_decision(db, decision, operator=ctx.operator)
    ctx.changes.publish(Changes(library=True))
    return stored


def vet_translation(ctx: AppContext, snippet_id: str, language: str, by: str, *,
                    pin: str | None = None) -> TranslationDecision:
    """Vet the current translation of a snippet into ``language`` (made from the current English
    text), for this English version; a later English version needs it vetted again."""
    return _decide_translation(ctx, snippet_id, language, SnippetStatus.VETTED, by, "", pin)


def reject_translation(ctx: AppContext, snippet_id: str, language: str, by: str, reason: str, *,
                       pin: str | None = None) -> TranslationDecision:
    """Refuse a translation in this pharmacy, with the reason; it will not print."""
    return _decide_translation(ctx, snippet_id, language, SnippetStatus.REJECTED, by, reason, pin)


def snippet_translations(ctx: AppContext, snippet_id: str, *,
                         today: dt.date | None = None) -> list[TranslationView]:
    """One snippet in every language other than English (the Library page's detail)."""
    library = load(ctx)
    _require(library, snippet_id)
    found = translations(ctx)
    decided = trepo.latest_decisions(ctx.store.db)
    view = next(v for v in _views(ctx, library, _today(today)) if v.id == snippet_id)
    return [TranslationView(view.snippet, lang.code, lang.name,
                            translation_state(view.snippet, found.get((snippet_id, lang.code)),
                                              decided.get((snippet_id, lang.code))), view.state.usable)
            for lang in available_languages() if lang.code != ENGLISH]
