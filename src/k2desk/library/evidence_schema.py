"""Strict checks that turn raw TOML or JSON tables into evidence records.

Every problem is one line that names the file, the snippet (or citation, or food row) and the
field, so an editor can go straight to it. The same checks run on the shipped TOML files and on
an imported JSON library; only the spelling of dates differs (TOML dates vs "YYYY-MM-DD").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

from k2desk.domain.evidence import (
    ID_PATTERN,
    Citation,
    DoseLimit,
    FoodSource,
    OutcomeKind,
    Section,
    Snippet,
    SnippetStatus,
    StudyType,
)
from k2desk.domain.text import check_text

DateStyle = Literal["toml", "json"]

KNOWN_TOPICS = ("what-is-k2", "bone", "liver-cancer", "other-cancers", "population", "dosing",
                "food", "safety", "interactions", "unknowns")

SNIPPET_REQUIRED = ("id", "version", "topics", "section", "study_type", "outcome", "status", "text",
                    "pharmacist_note")
SNIPPET_OPTIONAL = ("citations", "vetted_by", "vetted_on", "review_due", "reason", "dose")
DOSE_REQUIRED = ("ingredient", "max_daily", "unit")
DOSE_OPTIONAL = ("aliases",)
DOSE_UNITS = ("mg", "mcg")
CITATION_REQUIRED = ("authors", "title", "journal", "year")
CITATION_OPTIONAL = ("volume", "issue", "pages", "doi", "pmid", "checked")
FOOD_REQUIRED = ("food", "serving", "form", "amount_mcg", "citation")

_LANG = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")


class _Checker:
    """Collects problems for one entry, each prefixed with where it is."""

    def __init__(self, where: str, raw: Mapping[str, Any], problems: list[str]) -> None:
        self.where = where
        self.raw = raw
        self.problems = problems
        self.ok = True

    def fail(self, key: str, message: str) -> None:
        self.ok = False
        self.problems.append(f"{self.where}: field '{key}': {message}")

    def keys(self, required: Iterable[str], optional: Iterable[str]) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in self.raw:
            if key not in allowed:
                self.fail(str(key), "unknown key (accepted keys: " + ", ".join(sorted(allowed)) + ")")
        for key in required:
            if key not in self.raw:
                self.fail(key, "is missing (it is required)")

    def string(self, key: str, *, default: str = "", required_nonblank: bool = False,
               multiline: bool = False) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"must be text, not {_kind(value)}")
            return default
        if required_nonblank and not value.strip():
            self.fail(key, "must not be empty")
        for issue in check_text(value, key, label="The text", max_length=20_000, multiline=multiline):
            self.fail(key, issue.message)
        return value.strip()

    def ident(self, key: str, value: Any) -> str | None:
        if not isinstance(value, str):
            self.fail(key, f"must be text, not {_kind(value)}")
            return None
        if not ID_PATTERN.match(value):
            self.fail(key, f"{value!r} is not a valid id (lower-case letters, digits and single "
                      "hyphens, for example 'liver-hcc-habu-2004')")
            return None
        return value

    def enum(self, key: str, enum: Any) -> Any:
        value = self.raw.get(key)
        if key not in self.raw:
            return None
        accepted = ", ".join(e.value for e in enum)
        if not isinstance(value, str):
            self.fail(key, f"must be one of {accepted}; got {_kind(value)}")
            return None
        try:
            return enum(value)
        except ValueError:
            self.fail(key, f"{value!r} is not one of {accepted}")
            return None

    def integer(self, key: str, *, minimum: int, maximum: int | None = None) -> int | None:
        if key not in self.raw:
            return None
        value = self.raw[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be a whole number, not {_kind(value)}")
            return None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
            self.fail(key, f"{value} is out of range (accepted: {bound})")
            return None
        return value

    def date(self, key: str, style: DateStyle) -> dt.date | None:
        if key not in self.raw:
            return None
        value = self.raw[key]
        if style == "toml":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            self.fail(key, f"must be a TOML date such as 2026-11-22 (no quotes), not {_kind(value)}")
            return None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(key, f"must be a date written YYYY-MM-DD, not {value!r}")
        return None

    def id_list(self, key: str, *, required: bool) -> tuple[str, ...]:
        if key not in self.raw:
            return ()
        value = self.raw[key]
        if not isinstance(value, list):
            self.fail(key, f"must be a list of ids, not {_kind(value)}")
            return ()
        out = []
        for item in value:
            ident = self.ident(key, item)
            if ident is not None:
                out.append(ident)
        if required and not value:
            self.fail(key, "must list at least one")
        if len(set(out)) != len(out):
            self.fail(key, "lists the same id twice")
        return tuple(out)


def _kind(value: Any) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
             dict: "a table"}
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    return names.get(type(value), type(value).__name__)


def snippet_label(raw: Any, index: int) -> str:
    sid = raw.get("id") if isinstance(raw, Mapping) else None
    return f"snippet '{sid}'" if isinstance(sid, str) and sid else f"snippet #{index} (no id)"


def parse_snippet(raw: Any, *, file: str, index: int, dates: DateStyle, file_topic: str | None,
                  known_topics: Iterable[str] | None, problems: list[str]) -> Snippet | None:
    """Check one snippet table; append problems and return the snippet only when it is sound."""
    where = f"{file}: {snippet_label(raw, index)}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table of fields, not {_kind(raw)}")
        return None
    c = _Checker(where, raw, problems)
    c.keys(SNIPPET_REQUIRED, SNIPPET_OPTIONAL)
    sid = c.ident("id", raw["id"]) if "id" in raw else None
    version = c.integer("version", minimum=1)
    topics = c.id_list("topics", required=True) if "topics" in raw else ()
    if "topics" in raw and isinstance(raw["topics"], list):
        if file_topic is not None and raw["topics"] and file_topic not in topics:
            c.fail("topics", f"must include this file's own topic '{file_topic}'")
        if known_topics is not None:
            known = set(known_topics)
            for t in topics:
                if t not in known:
                    c.fail("topics", f"unknown topic '{t}' (known: {', '.join(sorted(known))})")
    section = c.enum("section", Section)
    study_type = c.enum("study_type", StudyType)
    outcome = c.enum("outcome", OutcomeKind)
    status = c.enum("status", SnippetStatus)
    text = _texts(c, raw.get("text")) if "text" in raw else {}
    note = c.string("pharmacist_note", multiline=True)
    citations = c.id_list("citations", required=status is SnippetStatus.VETTED)
    vetted_by = c.string("vetted_by")
    vetted_on = c.date("vetted_on", dates)
    review_due = c.date("review_due", dates)
    reason = c.string("reason", multiline=True)
    if status is SnippetStatus.VETTED:
        if "citations" not in raw:
            c.fail("citations", "a vetted snippet must cite at least one source")
        if not vetted_by:
            c.fail("vetted_by", "a vetted snippet must say who vetted it")
        if "vetted_on" not in raw:
            c.fail("vetted_on", "a vetted snippet must say when it was vetted")
        if "review_due" not in raw:
            c.fail("review_due", "a vetted snippet must have a review date")
        if not note:
            c.fail("pharmacist_note", "a vetted snippet needs a pharmacist note (population, dose, "
                   "form, effect size)")
        if vetted_on and review_due and review_due < vetted_on:
            c.fail("review_due", f"{review_due.isoformat()} is before vetted_on "
                   f"{vetted_on.isoformat()}")
    if status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED) and not reason:
        c.fail("reason", f"a {status.value} snippet must say why (reason must not be empty)")
    dose = _dose(c, raw.get("dose"), sid or "") if "dose" in raw else None
    if not c.ok or None in (sid, version, section, study_type, outcome, status) or not text:
        return None
    assert sid is not None and version is not None
    return Snippet(id=sid, version=version, topics=topics, section=section, study_type=study_type,
                   outcome=outcome, text=text, pharmacist_note=note, citations=citations,
                   status=status, vetted_by=vetted_by, vetted_on=vetted_on, review_due=review_due,
                   reason=reason, dose=dose, source_file=file)


def _texts(c: _Checker, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        c.fail("text", f"must be a table of languages (text.en = \"...\"), not {_kind(value)}")
        return {}
    out: dict[str, str] = {}
    for lang, body in value.items():
        key = f"text.{lang}"
        if not isinstance(lang, str) or not _LANG.match(lang):
            c.fail(key, "the language must be a code such as 'en' or 'es'")
            continue
        if not isinstance(body, str) or not body.strip():
            c.fail(key, "must be non-empty text")
            continue
        for issue in check_text(body, key, label="The text", max_length=20_000, multiline=True):
            c.fail(key, issue.message)
        out[lang] = " ".join(body.split())
    if "en" not in value:
        c.fail("text.en", "is missing: every snippet needs English text")
    return out


def _dose(c: _Checker, value: Any, sid: str) -> DoseLimit | None:
    if not isinstance(value, Mapping):
        c.fail("dose", f"must be a table, not {_kind(value)}")
        return None
    d = _Checker(c.where, value, c.problems)
    d.keys(DOSE_REQUIRED, DOSE_OPTIONAL)
    ingredient = d.string("ingredient", required_nonblank=True)
    aliases: list[str] = []
    raw_aliases = value.get("aliases", [])
    if not isinstance(raw_aliases, list) or not all(isinstance(a, str) and a.strip() for a in raw_aliases):
        d.fail("dose.aliases", "must be a list of non-empty names")
    else:
        aliases = [a.strip() for a in raw_aliases]
    max_daily = value.get("max_daily")
    if isinstance(max_daily, bool) or not isinstance(max_daily, int | float) or max_daily <= 0:
        if "max_daily" in value:
            d.fail("dose.max_daily", f"must be a number above 0, not {max_daily!r}")
        max_daily = None
    unit = value.get("unit")
    if "unit" in value and unit not in DOSE_UNITS:
        d.fail("dose.unit", f"{unit!r} is not one of {', '.join(DOSE_UNITS)}")
    if not d.ok:
        c.ok = False
        return None
    if max_daily is None or not isinstance(unit, str):
        return None
    return DoseLimit(ingredient=ingredient, aliases=tuple(aliases), max_daily=float(max_daily),
                     unit=unit, snippet_id=sid)


def parse_citation(cid: Any, raw: Any, *, file: str, problems: list[str]) -> Citation | None:
    """Check one citation table (keyed by its id)."""
    where = f"{file}: citation '{cid}'"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table of fields, not {_kind(raw)}")
        return None
    c = _Checker(where, raw, problems)
    if not isinstance(cid, str) or not ID_PATTERN.match(cid):
        problems.append(f"{where}: the citation id must be lower-case letters, digits and hyphens")
        c.ok = False
    c.keys(CITATION_REQUIRED, CITATION_OPTIONAL)
    authors = c.string("authors", required_nonblank="authors" in raw)
    title = c.string("title", required_nonblank="title" in raw)
    journal = c.string("journal", required_nonblank="journal" in raw)
    year = c.integer("year", minimum=1800, maximum=2100)
    fields = {k: c.string(k) for k in ("volume", "issue", "pages", "doi", "pmid")}
    checked = c.string("checked", multiline=True)
    if fields["doi"] and not _DOI.match(fields["doi"]):
        c.fail("doi", f"{fields['doi']!r} is not a DOI (it starts with '10.' and has a '/'; "
               "leave out 'https://doi.org/')")
    if fields["pmid"] and not _PMID.match(fields["pmid"]):
        c.fail("pmid", f"{fields['pmid']!r} is not a PubMed id (digits only)")
    if not c.ok or year is None:
        return None
    return Citation(id=str(cid), authors=authors, title=title, journal=journal, year=year,
                    checked=checked, **fields)


def parse_food(raw: Any, *, file: str, index: int, problems: list[str]) -> FoodSource | None:
    """Check one [[food]] row."""
    name = raw.get("food") if isinstance(raw, Mapping) else None
    where = f"{file}: food #{index}" + (f" ('{name}')" if isinstance(name, str) else "")
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table of fields, not {_kind(raw)}")
        return None
    c = _Checker(where, raw, problems)
    c.keys(FOOD_REQUIRED, ())
    food = c.string("food", required_nonblank="food" in raw)
    serving = c.string("serving", required_nonblank="serving" in raw)
    form = c.string("form", required_nonblank="form" in raw)
    amount = raw.get("amount_mcg")
    if "amount_mcg" in raw and (isinstance(amount, bool) or not isinstance(amount, int | float)
                                or amount < 0):
        c.fail("amount_mcg", f"must be a number of micrograms (0 or more), not {amount!r}")
    citation = c.ident("citation", raw["citation"]) if "citation" in raw else None
    if not c.ok or citation is None or not isinstance(amount, int | float):
        return None
    return FoodSource(food=food, serving=serving, form=form, amount_mcg=float(amount),
                      citation=citation)


def check_references(snippets: Iterable[Snippet], citations: Mapping[str, Citation],
                     problems: list[str], *, foods: Iterable[FoodSource] = (),
                     food_file: str = "foods.toml", citations_where: str = "citations.toml",
                     broken: Collection[str] = ()) -> None:
    """Cross-checks: cited ids exist, and a vetted snippet cites a source with a DOI or PMID."""
    # Citations that exist but have problems of their own are reported once, not again here.
    for s in snippets:
        where = f"{s.source_file}: snippet '{s.id}': field 'citations'"
        missing = [c for c in s.citations if c not in citations]
        for cid in missing:
            if cid not in broken:
                problems.append(f"{where}: citation '{cid}' does not exist in {citations_where}")
        if s.status is SnippetStatus.VETTED and not missing and s.citations and not any(
                citations[c].traceable for c in s.citations):
            problems.append(f"{where}: a vetted snippet must cite at least one source with a DOI "
                            "or PubMed id (PMID)")
    for i, f in enumerate(foods, 1):
        if f.citation not in citations and f.citation not in broken:
            problems.append(f"{food_file}: food #{i} ('{f.food}'): field 'citation': citation "
                            f"'{f.citation}' does not exist in {citations_where}")


def snippet_to_json(s: Snippet) -> dict[str, Any]:
    """A snippet as one JSON object with the same keys as the TOML (dates as YYYY-MM-DD)."""
    out: dict[str, Any] = {
        "id": s.id, "version": s.version, "topics": list(s.topics), "section": s.section.value,
        "study_type": s.study_type.value, "outcome": s.outcome.value, "status": s.status.value,
        "text": dict(s.text), "pharmacist_note": s.pharmacist_note, "citations": list(s.citations),
    }
    if s.vetted_by:
        out["vetted_by"] = s.vetted_by
    if s.vetted_on:
        out["vetted_on"] = s.vetted_on.isoformat()
    if s.review_due:
        out["review_due"] = s.review_due.isoformat()
    if s.reason:
        out["reason"] = s.reason
    if s.dose is not None:
        out["dose"] = {"ingredient": s.dose.ingredient, "aliases": list(s.dose.aliases),
                       "max_daily": s.dose.max_daily, "unit": s.dose.unit}
    return out


def citation_to_json(c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"authors": c.authors, "title": c.title, "journal": c.journal,
                           "year": c.year}
    for key in ("volume", "issue", "pages", "doi", "pmid", "checked"):
        value = getattr(c, key)
        if value:
            out[key] = value
    return out
