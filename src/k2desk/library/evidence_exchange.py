"""Sharing a library between pharmacies: export as one JSON file, and plan an import.

Planning is pure: it says what an import would do (added, updated, unchanged, skipped,
conflict) without touching anything. The service stores the plan only when it has no conflict,
so a conflicting file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from k2desk.domain.evidence import (
    Citation,
    LocalDecision,
    Snippet,
    SnippetStatus,
    StatusSource,
    Translation,
    TranslationDecision,
    TranslationProblem,
    content_hash,
    snippet_state,
    translation_content_hash,
    translation_state,
)
from k2desk.domain.languages import ENGLISH, LANGUAGE_CODE
from k2desk.library.evidence_library import IMPORTED, Library, LibraryError
from k2desk.library.evidence_schema import (
    check_references,
    citation_to_json,
    parse_citation,
    parse_snippet,
    snippet_to_json,
)
from k2desk.library.languages import parse_translation

FORMAT = "k2desk-evidence-library"
# Version 2 (issue 25) adds "translations"; version 1 files (no translations) still import.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
_TOP_KEYS = ("format", "format_version", "exported_at", "snippets", "citations", "translations")


def exported_form(snippet: Snippet, decision: LocalDecision | None, today: dt.date) -> Snippet:
    """The snippet with this pharmacy's effective status and who decided it."""
    state = snippet_state(snippet, decision, today)
    d = state.decision
    if state.source is StatusSource.PHARMACY and d is not None:
        if state.status is SnippetStatus.VETTED:
            return replace(snippet, status=state.status, vetted_by=d.operator, vetted_on=d.day,
                           review_due=state.review_due, reason="")
        return replace(snippet, status=state.status, reason=d.reason or snippet.reason)
    if state.source is StatusSource.NEEDS_REVETTING:
        return replace(snippet, status=SnippetStatus.DRAFT, vetted_by="", vetted_on=None,
                       review_due=None)
    return snippet


def export_library_json(library: Library, decisions: Mapping[str, LocalDecision], *,
                        today: dt.date | None = None, exported_at: str = "",
                        translations: Mapping[tuple[str, str], Translation] | None = None,
                        translation_decisions: Mapping[tuple[str, str], TranslationDecision] | None = None,
                        ) -> dict[str, Any]:
    """The whole effective library as one JSON-ready object (snippets with this pharmacy's
    decisions applied, and every citation)."""
    today = today or dt.date.today()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at,
        "snippets": [snippet_to_json(exported_form(s, decisions.get(s.id), today))
                     for s in library.snippets.values()],
        "citations": {cid: citation_to_json(c) for cid, c in library.citations.items()},
        "translations": [
            translation_to_json(exported_translation(library.snippets[t.snippet_id], t,
                                                     (translation_decisions or {}).get(key)))
            for key, t in sorted((translations or {}).items()) if t.snippet_id in library.snippets],
    }


def as_imported(s: Snippet) -> Snippet:
    """How an incoming snippet is stored: never vetted here until this pharmacy vets it.

    A vetted or draft snippet arrives as a draft; a rejected or retired one keeps that status
    and its reason, so a claim another pharmacy refused does not come back as a candidate.
    """
    if s.status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED):
        return replace(s, vetted_by="", vetted_on=None, review_due=None, source_file=IMPORTED)
    return replace(s, status=SnippetStatus.DRAFT, vetted_by="", vetted_on=None, review_due=None,
                   reason="", source_file=IMPORTED)


@dataclass(frozen=True, slots=True)
class ImportItem:
    id: str
    action: str  # added | updated | unchanged | skipped | conflict
    note: str
    snippet: Snippet | None = None  # the form to store, for added and updated
    old_version: int | None = None
    translation: Translation | None = None  # for a translation's item (id "snippet/language")


@dataclass(frozen=True)
class ImportPlan:
    source: str
    items: tuple[ImportItem, ...]
    new_citations: tuple[Citation, ...] = ()

    def _with(self, action: str) -> list[ImportItem]:
        return [i for i in self.items if i.action == action]

    @property
    def added(self) -> list[ImportItem]:
        return self._with("added")

    @property
    def updated(self) -> list[ImportItem]:
        return self._with("updated")

    @property
    def unchanged(self) -> list[ImportItem]:
        return self._with("unchanged")

    @property
    def skipped(self) -> list[ImportItem]:
        return self._with("skipped")

    @property
    def conflicts(self) -> list[ImportItem]:
        return self._with("conflict")

    @property
    def ok(self) -> bool:
        return not self.conflicts

    def to_store(self) -> list[Snippet]:
        return [i.snippet for i in self.items if i.snippet is not None and i.action in ("added", "updated")]

    def translations_to_store(self) -> list[Translation]:
        return [i.translation for i in self.items
                if i.translation is not None and i.action in ("added", "updated")]


def _decode(incoming: str | bytes | Mapping[str, Any], source: str) -> Mapping[str, Any]:
    if isinstance(incoming, Mapping):
        return incoming
    try:
        text = incoming.decode("utf-8-sig") if isinstance(incoming, bytes) else incoming
        data = json.loads(text)
    except RecursionError:
        raise LibraryError([f"{source}: nested too deeply to be a k2desk evidence library"]) from None
    except UnicodeDecodeError as exc:
        raise LibraryError([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except json.JSONDecodeError as exc:
        raise LibraryError([f"{source}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}"]) from exc
    if not isinstance(data, Mapping):
        raise LibraryError([f"{source}: not a k2desk evidence library (expected a JSON object)"])
    return data


def _check_top(data: Mapping[str, Any], source: str) -> list[str]:
    problems = [f"{source}: unknown key '{k}' (accepted: {', '.join(_TOP_KEYS)})"
                for k in data if k not in _TOP_KEYS]
    if data.get("format") != FORMAT:
        problems.append(f"{source}: field 'format': not a k2desk evidence library export "
                        f"(expected \"{FORMAT}\")")
    elif data.get("format_version") not in READABLE_VERSIONS:
        problems.append(f"{source}: field 'format_version': {data.get('format_version')!r} is not "
                        f"supported (this k2desk reads versions 1 and {FORMAT_VERSION})")
    if not isinstance(data.get("translations", []), list):
        problems.append(f"{source}: field 'translations': must be a list of translations")
    if not isinstance(data.get("snippets"), list):
        problems.append(f"{source}: field 'snippets': must be a list of snippets")
    if not isinstance(data.get("citations", {}), Mapping):
        problems.append(f"{source}: field 'citations': must be an object keyed by citation id")
    return problems


def translation_to_json(t: Translation) -> dict[str, Any]:
    """A translation as one JSON object (the same keys as translations/<code>.toml, plus its
    language)."""
    out: dict[str, Any] = {"snippet": t.snippet_id, "language": t.language, "version": t.version,
                           "text": t.text, "source_sha256": t.source_sha256,
                           "status": t.status.value}
    if t.vetted_by:
        out["vetted_by"] = t.vetted_by
    if t.vetted_on:
        out["vetted_on"] = t.vetted_on.isoformat()
    if t.reason:
        out["reason"] = t.reason
    return out


def translation_from_json(raw: Any, where: str, problems: list[str]) -> Translation | None:
    """Check one exported translation object (the inverse of ``translation_to_json``)."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be an object")
        return None
    lang = raw.get("language")
    if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang) or lang == ENGLISH:
        problems.append(f"{where}: field 'language': must be a language code other than 'en'")
        return None
    body = {k: v for k, v in raw.items() if k != "language"}
    return parse_translation(body, lang, where, problems)


def exported_translation(snippet: Snippet, t: Translation,
                         decision: TranslationDecision | None) -> Translation:
    """The translation with this pharmacy's effective status and who decided it."""
    state = translation_state(snippet, t, decision)
    d = state.decision
    if state.source is StatusSource.PHARMACY and d is not None:
        if state.status is SnippetStatus.VETTED:
            return replace(t, status=state.status, vetted_by=d.operator, vetted_on=d.day, reason="")
        return replace(t, status=state.status, reason=d.reason or t.reason)
    if state.problem is TranslationProblem.STALE or state.source is StatusSource.NEEDS_REVETTING:
        return replace(t, status=SnippetStatus.DRAFT, vetted_by="", vetted_on=None)
    return t


def translation_as_imported(t: Translation) -> Translation:
    """Never vetted here until this pharmacy vets it (a refused one keeps its status)."""
    if t.status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED):
        return replace(t, vetted_by="", vetted_on=None, source_file=IMPORTED)
    return replace(t, status=SnippetStatus.DRAFT, vetted_by="", vetted_on=None, reason="",
                   source_file=IMPORTED)


def _plan_translations(current: Mapping[tuple[str, str], Translation], known_snippets: set[str],
                       raw_list: list[Any], source: str, problems: list[str]) -> list[ImportItem]:
    """The same rules as snippets, per (snippet, language) and translation version."""
    items: list[ImportItem] = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(raw_list, 1):
        t = translation_from_json(raw, f"{source}: translation #{i}", problems)
        if t is None:
            continue
        ident = f"{t.snippet_id}/{t.language}"
        if t.snippet_id not in known_snippets:
            problems.append(f"{source}: translation #{i}: field 'snippet': '{t.snippet_id}' is not "
                            "a snippet in the file or in this pharmacy's library")
            continue
        if t.key in seen:
            problems.append(f"{source}: translation '{ident}': appears more than once in the file")
            continue
        seen.add(t.key)
        have = current.get(t.key)
        if have is None:
            stored = translation_as_imported(t)
            items.append(ImportItem(ident, "added", f"new translation, added as {stored.status.value}",
                                    translation=stored))
        elif t.version > have.version:
            items.append(ImportItem(ident, "updated", f"translation version {have.version} -> "
                                    f"{t.version}; needs vetting again",
                                    old_version=have.version, translation=translation_as_imported(t)))
        elif t.version < have.version:
            items.append(ImportItem(ident, "skipped", f"the file has translation version {t.version}; "
                                    f"this pharmacy already has version {have.version}"))
        elif translation_content_hash(t) == translation_content_hash(have):
            items.append(ImportItem(ident, "unchanged", f"translation version {t.version} is already here"))
        else:
            items.append(ImportItem(ident, "conflict", f"translation version {t.version} in the file "
                                    "has different content from the same version here; the same "
                                    "version must have the same content"))
    return items


def plan_import(current: Library, decisions: Mapping[str, LocalDecision],
                incoming: str | bytes | Mapping[str, Any], *, source: str = "import file",
                translations: Mapping[tuple[str, str], Translation] | None = None) -> ImportPlan:
    """Check an export file against the same rules as the shipped library and work out, snippet
    by snippet, what importing it would do. Raises ``LibraryError`` when the file is malformed.

    - a snippet this pharmacy does not have: added (as draft)
    - a higher version of one it has: updated, and it needs vetting again
    - the same id and version with the same content: unchanged
    - the same id and version with different content: conflict (the whole import is refused)
    - a lower version: skipped, with a note
    """
    data = _decode(incoming, source)
    problems = _check_top(data, source)
    if problems:
        raise LibraryError(problems)
    incoming_cits: dict[str, Citation] = {}
    conflicts: list[ImportItem] = []
    broken: set[str] = set()
    for cid, raw in data.get("citations", {}).items():
        cit = parse_citation(cid, raw, file=source, problems=problems)
        if cit is None:
            broken.add(str(cid))
            continue
        incoming_cits[cit.id] = cit
        known = current.citations.get(cit.id)
        if known is not None and known.bibliographic() != cit.bibliographic():
            conflicts.append(ImportItem(f"citation:{cit.id}", "conflict",
                                        f"citation '{cit.id}' has different details from the one "
                                        "this pharmacy has"))
    parsed: list[Snippet] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["snippets"], 1):
        s = parse_snippet(raw, file=source, index=i, dates="json", file_topic=None,
                          known_topics=None, problems=problems)
        if s is None:
            continue
        if s.id in seen:
            problems.append(f"{source}: snippet '{s.id}': field 'id': appears more than once in the file")
            continue
        seen.add(s.id)
        parsed.append(s)
    check_references(parsed, {**current.citations, **incoming_cits}, problems,
                     citations_where="the file's citations or this pharmacy's library", broken=broken)
    known = set(current.snippets) | {s.id for s in parsed}
    translation_items = _plan_translations(translations or {}, known,
                                           list(data.get("translations", [])), source, problems)
    if problems:
        raise LibraryError(problems)

    items: list[ImportItem] = []
    for s in parsed:
        have = current.snippets.get(s.id)
        if have is None:
            stored = as_imported(s)
            items.append(ImportItem(s.id, "added", f"new snippet, added as {stored.status.value}",
                                    stored))
        elif s.version > have.version:
            d = decisions.get(s.id)
            note = f"version {have.version} -> {s.version}; needs vetting again"
            if d is not None:
                note += f" (version {d.version} was {d.status.value} here by {d.operator})"
            items.append(ImportItem(s.id, "updated", note, as_imported(s), have.version))
        elif s.version < have.version:
            items.append(ImportItem(s.id, "skipped", f"the file has version {s.version}; this "
                                    f"pharmacy already has version {have.version}"))
        elif content_hash(s) == content_hash(have):
            items.append(ImportItem(s.id, "unchanged", f"version {s.version} is already here"))
        else:
            items.append(ImportItem(s.id, "conflict", f"version {s.version} in the file has different "
                                    "content from version "
                                    f"{have.version} here; the same version must have the same content"))
    new_cits = tuple(c for cid, c in incoming_cits.items() if cid not in current.citations)
    return ImportPlan(source, tuple(conflicts + items + translation_items), new_cits)
