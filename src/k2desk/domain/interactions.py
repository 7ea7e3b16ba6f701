"""The vitamin K interaction matcher: medication strings as typed in, findings sorted by severity out.

Pure: the table is loaded by ``k2desk.library.interactions``; nothing here reads a file.

Matching, in order, for each medication string:
1. exact: the folded words of a generic, brand or alternate name appear together in the text
   ("Coumadin 5 mg daily", "warfarin sodium 2.5mg tab", "mineral oil");
2. possible: a drug-name word (letters only, not a unit, salt, dose form or vitamin word) is one
   or two edits from a one-word name of six letters or more ("warfarine", "jantovan"), or two
   adjacent words joined make a name ("war farin"). A possible match is reported with the agent's
   own severity and certainty "possible": it asks for confirmation, it is never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from k2desk.domain.medication_text import (
    daily_doses,
    edit_distance,
    is_drug_name_word,
    name_words,
    unglue_salt,
    words,
)

if TYPE_CHECKING:
    from k2desk.domain.contraindications import Contraindication

NEAR_MISS_MIN_NAME_LENGTH = 6
NEAR_MISS_MAX_DISTANCE = 2


class InteractionSeverity(StrEnum):
    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for major, 3 for info: sort ascending to put the most serious first."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    InteractionSeverity.MAJOR: 0,
    InteractionSeverity.MODERATE: 1,
    InteractionSeverity.MINOR: 2,
    InteractionSeverity.INFO: 3,
}


class Certainty(StrEnum):
    EXACT = "exact"
    POSSIBLE = "possible"  # a near miss: "possible match, confirm"


@dataclass(frozen=True, slots=True)
class DoseRule:
    """Severity that depends on the daily dose typed (vitamin E: 800 IU a day or more).

    ``thresholds`` maps a unit ("iu", "mg", "mcg") to the daily amount from which
    ``at_or_above`` applies; a dose in none of those units, or no dose, gets ``unknown``.
    """

    thresholds: tuple[tuple[str, float], ...]
    at_or_above: InteractionSeverity
    below: InteractionSeverity
    unknown: InteractionSeverity

    def severity_for(self, text: str) -> tuple[InteractionSeverity, str]:
        """The severity for this medication text, and a note saying how the dose was read."""
        limits = dict(self.thresholds)
        doses = [d for d in daily_doses(text) if d.unit in limits]
        threshold_text = " or ".join(f"{_fmt(v)} {_unit_label(u)}" for u, v in self.thresholds)
        if not doses:
            return self.unknown, (f"dose not given (or not in {threshold_text}); "
                                  f"read as {self.unknown.value}: confirm the daily dose")
        # The largest stated dose decides: when in doubt, the more serious reading.
        worst = max(doses, key=lambda d: d.amount / limits[d.unit])
        read = f"dose read as {_fmt(worst.amount)} {_unit_label(worst.unit)} a day"
        if worst.amount >= limits[worst.unit]:
            return self.at_or_above, f"{read} (at or above {threshold_text} a day)"
        return self.below, f"{read} (below {threshold_text} a day)"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _unit_label(unit: str) -> str:
    return {"iu": "IU", "mg": "mg", "mcg": "mcg"}.get(unit, unit)


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    text: str
    doi: str = ""
    pmid: str = ""
    url: str = ""
    checked: str = ""  # what was checked against which copy of the source
    # False: not yet confirmed against the source; ``checked`` says why (issue 13).
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Agent:
    """One interacting drug or supplement, with every name a person might type for it."""

    generic: str
    drug_class: str
    class_label: str
    severity: InteractionSeverity
    patient_message: str
    pharmacist_message: str
    citations: tuple[str, ...]
    reviewed: dt.date
    brands: tuple[str, ...] = ()
    alternates: tuple[str, ...] = ()
    dose_rule: DoseRule | None = None
    # A fallback agent ("blood thinner", name not given) is reported only when nothing else in
    # the same medication string is: "Eliquis (blood thinner)" is apixaban, not an unknown drug.
    fallback: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Generic first, then brands, then alternate names and spellings."""
        return (self.generic, *self.brands, *self.alternates)


@dataclass(frozen=True, slots=True)
class _Name:
    display: str
    words: tuple[str, ...]
    agent: Agent


@dataclass(frozen=True, slots=True)
class InteractionTable:
    version: int
    reviewed: dt.date
    agents: tuple[Agent, ...]
    citations: tuple[Citation, ...] = ()
    # Folded words of other, non-interacting drugs that sit within two letters of a table name
    # ("Haldol" vs "Mandol"): typed exactly, they are not near misses. The loader refuses any
    # word here that is near a major agent's name, so this list can never silence a VKA.
    not_near_misses: frozenset[str] = frozenset()
    # Ingredients whose product labeling contraindicates them with a VKA (issue 13).
    contraindications: tuple[Contraindication, ...] = ()
    _by_first_word: dict[str, tuple[_Name, ...]] = field(init=False, repr=False, compare=False)
    _near_targets: tuple[_Name, ...] = field(init=False, repr=False, compare=False)
    _near_cache: dict[str, tuple[tuple[int, _Name], ...]] = field(init=False, repr=False,
                                                                  compare=False)

    def __post_init__(self) -> None:
        names = [_Name(n, name_words(n), a) for a in self.agents for n in a.names]
        names = [n for n in names if n.words]
        # Longest names first, so "mineral oil" is preferred over anything shorter.
        names.sort(key=lambda n: -len(n.words))
        by_first: dict[str, list[_Name]] = {}
        for n in names:
            by_first.setdefault(n.words[0], []).append(n)
        object.__setattr__(self, "_by_first_word", {k: tuple(v) for k, v in by_first.items()})
        object.__setattr__(self, "_near_targets", tuple(
            n for n in names if len(n.words) == 1 and len(n.words[0]) >= NEAR_MISS_MIN_NAME_LENGTH))
        # Near-miss results per typed word: the same words come back on every keystroke and
        # every patient, and the DP is the costly part of a check.
        object.__setattr__(self, "_near_cache", {})

    def near_names(self, word: str) -> tuple[tuple[int, _Name], ...]:
        """(distance, name) for every one-word name of six letters or more within two edits."""
        hit = self._near_cache.get(word)
        if hit is None:
            hit = tuple((d, n) for n in self._near_targets
                        if (d := edit_distance(word, n.words[0], NEAR_MISS_MAX_DISTANCE))
                        <= NEAR_MISS_MAX_DISTANCE)
            if len(self._near_cache) < 100_000:  # bounded: typed text is unbounded
                self._near_cache[word] = hit
        return hit

    def agent(self, generic: str) -> Agent | None:
        return next((a for a in self.agents if a.generic == generic), None)

    def citation(self, citation_id: str) -> Citation | None:
        return next((c for c in self.citations if c.id == citation_id), None)


@dataclass(frozen=True, slots=True)
class Finding:
    """One interaction found in one medication string."""

    severity: InteractionSeverity
    input: str  # the medication as typed
    matched: str  # the known name that matched ("Coumadin")
    agent: str  # the generic ("warfarin")
    drug_class: str
    certainty: Certainty
    patient_message: str
    pharmacist_message: str
    citations: tuple[str, ...]
    note: str = ""  # how a dose was read, or why a match is only possible

    @property
    def text(self) -> str:
        """The finding as an acknowledgement stores it: ``warfarin (as typed: Coumadin 5 mg daily)``."""
        return finding_text(self.agent, self.input)

    @property
    def is_major(self) -> bool:
        return self.severity is InteractionSeverity.MAJOR

    @property
    def medication_as_typed(self) -> str:
        """The same as ``input`` (the name documents and the UI use)."""
        return self.input


def finding_text(agent: str, medication: str) -> str:
    """Agent and medication text in the one form used to match acknowledgements to findings."""
    return f"{agent} (as typed: {medication.strip()})"


def _find_exact(tokens: list[str], table: InteractionTable) -> tuple[dict[str, _Name], set[int]]:
    matches: list[_Name] = []
    used: set[int] = set()
    for start, token in enumerate(tokens):
        for name in table._by_first_word.get(token, ()):
            n = len(name.words)
            if tuple(tokens[start:start + n]) == name.words:
                matches.append(name)
                used.update(range(start, start + n))
    hits: dict[str, _Name] = {}
    for name in sorted(matches, key=lambda m: -len(m.words)):  # stable: first typed wins ties
        hits.setdefault(name.agent.generic, name)
    return hits, used


def _near_candidates(tokens: list[str], typed: list[str], used: set[int],
                     exempt: frozenset[str]) -> list[tuple[str, str]]:
    """(word to compare, words as typed) for each typed word (with and without a glued salt),
    and each adjacent pair joined (for "war farin"), that could be a misspelt drug name."""
    out: list[tuple[str, str]] = []
    singles: list[tuple[int, str]] = []
    for i, (w, raw) in enumerate(zip(tokens, typed, strict=True)):
        if i in used:
            continue
        for form in dict.fromkeys((w, raw)):
            if is_drug_name_word(form) and form not in exempt:
                out.append((form, raw))
        if is_drug_name_word(w) and w not in exempt:
            singles.append((i, w))
    for (i, a), (j, b) in zip(singles, singles[1:], strict=False):
        if j == i + 1:
            out.append((a + b, f"{a} {b}"))
    return out


def _find_possible(tokens: list[str], typed: list[str], used: set[int], table: InteractionTable,
                   exact: dict[str, _Name]) -> dict[str, tuple[int, _Name, str]]:
    best: dict[str, tuple[int, _Name, str]] = {}
    candidates = _near_candidates(tokens, typed, used, table.not_near_misses)
    if not candidates:
        return best
    for word, as_typed in candidates:
        for d, name in table.near_names(word):
            if name.agent.generic in exact:
                continue
            prev = best.get(name.agent.generic)
            if prev is None or d < prev[0]:
                best[name.agent.generic] = (d, name, as_typed)
    return best


def _finding(agent: Agent, text: str, matched: str, certainty: Certainty, note: str) -> Finding:
    severity = agent.severity
    if agent.dose_rule is not None:
        severity, dose_note = agent.dose_rule.severity_for(text)
        note = f"{note}; {dose_note}" if note else dose_note
    return Finding(severity=severity, input=text, matched=matched, agent=agent.generic,
                   drug_class=agent.drug_class, certainty=certainty,
                   patient_message=agent.patient_message,
                   pharmacist_message=agent.pharmacist_message,
                   citations=agent.citations, note=note)


def check_medication(text: str, table: InteractionTable) -> list[Finding]:
    """Findings for one medication string: at most one per agent, exact before possible."""
    typed = words(text)
    if not typed:
        return []
    # "warfarinsodium": a typed word that starts no known name is tried without a glued salt.
    tokens = [w if w in table._by_first_word else (unglue_salt(w) or w) for w in typed]
    exact, used = _find_exact(tokens, table)
    findings = [_finding(name.agent, text, name.display, Certainty.EXACT, "")
                for name in exact.values()]
    for _, (distance, name, word) in _find_possible(tokens, typed, used, table, exact).items():
        note = (f"possible match, confirm: {word!r} is {distance} letter(s) from {name.display!r}"
                if distance else f"possible match, confirm: {word!r} written together is {name.display!r}")
        findings.append(_finding(name.agent, text, name.display, Certainty.POSSIBLE, note))
    fallback = {a.generic for a in table.agents if a.fallback}
    if any(f.agent not in fallback for f in findings):
        findings = [f for f in findings if f.agent not in fallback]
    return findings


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most serious first, then by the medication as typed, then by agent."""
    return sorted(findings, key=lambda f: (f.severity.rank, f.input.casefold(), f.input, f.agent))


def check_medications(meds: Iterable[str], table: InteractionTable) -> list[Finding]:
    """Every finding for the patient's medication strings, sorted by severity (major first).

    Blank strings are skipped; the same medication typed twice gives its findings once.
    """
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for med in meds:
        if not med or not med.strip():
            continue
        for f in check_medication(med, table):
            key = (f.input, f.agent)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return sort_findings(out)


def needs_acknowledgement(findings: Iterable[Finding]) -> bool:
    """True when any finding (exact or possible) is major: a named operator must acknowledge it."""
    return any(f.is_major for f in findings)


def major_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_major]


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A named operator's stored acknowledgement of one major finding, with the reason."""

    id: int
    patient_id: int | None
    finding: str  # finding_text(agent, medication as typed)
    severity: str
    operator: str
    reason: str
    at: str  # UTC ISO 8601
    # Added by #12: what the acknowledgement is for ('pending', 'handout', 'order', 'legacy'),
    # when a pending one lapses, and (for an order) how the prescriber or clinic was reached.
    purpose: str = "legacy"
    expires_at: str = ""
    contact_method: str = ""
    contact_note: str = ""
