"""The vitamin K interaction matcher: medication strings as typed in, findings sorted by severity out.

Pure: the table is loaded by ``k2desk.library.interactions``; nothing here reads a file.

Matching, in order, for each medication string:
1. exact: the folded words of a generic, brand or alternate name appear together in the text
   ("Coumadin 5 mg daily", "warfarin sodium 2.5mg tab", "mineral oil"), or a word written with
   hyphens or dots inside is a one-word name ("war-farin", "anti-coagulant"); a run of single
   letters is one word ("w a r f a r i n", "I.N.R.");
2. possible: a drug-name word (letters only, not a unit, salt, dose form or vitamin word) is a
   near miss of a one-word name ("warfarine", "jantovan", "Warran"), or two adjacent words joined
   make a name ("war farin"). The rules (issue #11):
   - a typed word of 5-7 letters may be one edit off, of 8 or more two; a shorter word is never
     a near miss, and a 5-letter word is compared only with names of 4 to 6 letters;
   - an ordinary English word (``InteractionTable.english_words``) is never a near miss;
   - the nearest name wins: a word closer to a commonly dispensed drug that is not in the table
     (``InteractionTable.common_drugs``, "Sinthroid" -> Synthroid) than to a table name is that
     drug; on a tie the table name wins.
   A possible match is reported with the agent's own severity and certainty "possible": its note
   says "possible match — confirm", and it is never dropped.
3. the unnamed blood thinner ("blood thinner", "anticoagulant", "INR"...) is reported even when
   other agents match on the line; only a named anticoagulant that the words describe (a DOAC, a
   heparin or a VKA, ``Agent.anticoagulant``) replaces it. An antiplatelet does not: "Plavix
   (blood thinner)" stays a major finding, since the words may mean a second drug.
4. history or negation ("no", "not on", "stopped", "previously", "allergy to", "held") never
   drops a finding: it adds the note "confirm current use".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from k2desk.domain.medication_text import (
    daily_doses,
    edit_distance,
    fold,
    glued_words,
    is_drug_name_word,
    name_words,
    sound_key,
    unglue_salt,
    words,
)

if TYPE_CHECKING:
    from k2desk.domain.contraindications import Contraindication

# Near misses (issue #11): typed words shorter than this are never near misses.
NEAR_MISS_MIN_WORD_LENGTH = 5
# Names shorter than this are never near-miss targets (a 5-letter word meets names of 4 to 6).
NEAR_MISS_MIN_NAME_LENGTH = 4
NEAR_MISS_MAX_DISTANCE = 2

POSSIBLE_MATCH = "possible match — confirm"
# The table's entry for a poisoning by an anticoagulant rodenticide not named (attack on #11).
UNNAMED_RODENTICIDE = "unnamed anticoagulant rodenticide"
CONFIRM_CURRENT_USE = "confirm current use"

# Words that say a medicine is not (or no longer) taken. The finding stays; a note asks to confirm.
_HISTORY_RE = re.compile(
    r"(?<![^\W_])(?:no|not\s+on|not\s+taking|not\s+currently|stopped|stop|discontinued|d/?c'?d|"
    r"previously|previous|prev|formerly|former|was\s+on|used\s+to|history\s+of|hx\s+of|h/o|"
    r"allergy\s+to|allergy|allergies|allergic\s+to|allergic|intolerance|intolerant|held|hold|"
    r"holding|on\s+hold|off|quit|ceased|past)(?![^\W_])")


_PERSON_RE = re.compile(r"(?<![^\W_])(?:[Dd]r\.|DR\.|[Dd]octor|[Pp]rof\.)\s*([A-Z][a-z]+)(?![^\W_])")
_FREE_RE = re.compile(r"([^\W\d_]+)[\s\-‐‑]?free(?![^\W_])")


def allowed_distance(word: str, name: str = "") -> int:
    """How many edits a typed word may be from a name and still be a near miss (0: none).

    Issue #11: 5-7 letters one edit, 8 or more two. Decided on top (k2desk, from the blind
    corpus: "waferin"): a 7-letter word may be two edits from a name of 8 letters or more, since
    a dropped letter plus one slip is the commonest way to shorten a long name.
    """
    if len(word) < NEAR_MISS_MIN_WORD_LENGTH:
        return 0
    if len(word) == 7 and len(name) >= 8:
        return 2
    return 1 if len(word) <= 7 else 2


def history_words(text: str) -> list[str]:
    """The history or negation words in a medication line ("stopped", "allergy to"), as typed."""
    return [" ".join(m.split()) for m in _HISTORY_RE.findall(fold(text))]


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
    POSSIBLE = "possible"  # a near miss: "possible match — confirm"


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
    # A fallback agent ("blood thinner", name not given). It is reported on every line that says
    # it, unless a named anticoagulant (``anticoagulant``) on the same line is what the words
    # describe: "Eliquis (blood thinner)" is apixaban, not an unknown drug.
    fallback: bool = False
    # A named anticoagulant (VKA, DOAC, heparin): "blood thinner" next to it describes it.
    anticoagulant: bool = False
    # Names of a fallback agent that mean VKA monitoring ("INR"): a DOAC or heparin on the same
    # line does not explain them, so they are never replaced by one.
    monitoring: tuple[str, ...] = ()
    # Where the names were checked (a label, formulary or reference page that was read).
    checked: str = ""
    # False when the agent itself could not be confirmed; ``unverified_reason`` says why.
    verified: bool = True
    unverified_reason: str = ""
    # Names that still match (a missed VKA is worse than an unconfirmed brand) but that could
    # not be confirmed: (name, reason).
    unverified_names: tuple[tuple[str, str], ...] = ()
    # The patient message in other languages, (code, text) pairs (issue 25).
    patient_messages: tuple[tuple[str, str], ...] = ()
    # The agent's name as a patient reads it in other languages, (code, name) pairs, where it is
    # not the generic name as it is ("warfarina", "vitamina E"; issue 26).
    patient_names: tuple[tuple[str, str], ...] = ()

    def patient_message_in(self, language: str) -> str | None:
        """The patient message in ``language``; None when the table has none (no fallback)."""
        if language == "en":
            return self.patient_message
        return dict(self.patient_messages).get(language)

    def name_in(self, language: str) -> str:
        """The name a patient reads in ``language``: its own there, else the generic name."""
        return dict(self.patient_names).get(language, self.generic)

    @property
    def names(self) -> tuple[str, ...]:
        """Generic first, then brands, then alternate names and spellings, then unverified names."""
        return (self.generic, *self.brands, *self.alternates,
                *(n for n, _ in self.unverified_names))

    def name_verified(self, name: str) -> bool:
        """Is this name of the agent confirmed against a source (and the agent itself)?"""
        return self.verified and name not in {n for n, _ in self.unverified_names}

    def unverified_reason_for(self, name: str) -> str:
        if not self.verified:
            return self.unverified_reason
        return next((r for n, r in self.unverified_names if n == name), "")


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
    # Ordinary English words (folded): never a near miss, only ever an exact name.
    english_words: frozenset[str] = frozenset()
    # Folded one-word names of commonly dispensed drugs that are not in this table: a typed word
    # nearer to one of these than to any table name is that drug (nearest name wins).
    common_drugs: frozenset[str] = frozenset()
    _by_first_word: dict[str, tuple[_Name, ...]] = field(init=False, repr=False, compare=False)
    _one_word: dict[str, _Name] = field(init=False, repr=False, compare=False)
    _unspaced: tuple[tuple[str, _Name], ...] = field(init=False, repr=False, compare=False)
    _near_targets: tuple[_Name, ...] = field(init=False, repr=False, compare=False)
    _sound_keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _common_by_length: dict[int, tuple[str, ...]] = field(init=False, repr=False, compare=False)
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
        one_word: dict[str, _Name] = {}
        for n in names:
            if len(n.words) == 1:
                one_word.setdefault(n.words[0], n)
        object.__setattr__(self, "_one_word", one_word)
        # Names in scripts written without spaces (Chinese, Japanese, Korean, Thai) match anywhere
        # in the text: "华法林钠片" is 华法林 (warfarin) sodium tablets.
        object.__setattr__(self, "_unspaced", tuple(
            ("".join(n.words), n) for n in names if any(_is_unspaced_script(c)
                                                         for w in n.words for c in w)))
        object.__setattr__(self, "_near_targets", tuple(
            n for n in names if len(n.words) == 1 and len(n.words[0]) >= NEAR_MISS_MIN_NAME_LENGTH))
        object.__setattr__(self, "_sound_keys", {n.words[0]: sound_key(n.words[0])
                                                 for n in self._near_targets})
        by_length: dict[int, list[str]] = {}
        for c in self.common_drugs - set(one_word):
            by_length.setdefault(len(c), []).append(c)
        object.__setattr__(self, "_common_by_length", {k: tuple(v) for k, v in by_length.items()})
        # Near-miss results per typed word: the same words come back on every keystroke and
        # every patient, and the DP is the costly part of a check.
        object.__setattr__(self, "_near_cache", {})

    def one_word_name(self, word: str) -> _Name | None:
        """The table name that is exactly this one folded word, if any."""
        return self._one_word.get(word)

    def nearest_common_drug(self, word: str, limit: int) -> tuple[int, str] | None:
        """The commonly dispensed non-table drug nearest to ``word`` within ``limit`` edits."""
        best: tuple[int, str] | None = None
        key = sound_key(word)
        for length in range(len(word) - limit - 1, len(word) + limit + 2):
            for c in self._common_by_length.get(length, ()):
                d = min(edit_distance(word, c, limit), edit_distance(key, sound_key(c), limit))
                if d <= limit and (best is None or d < best[0]):
                    best = (d, c)
                    if d == 0:
                        return best
        return best

    def near_names(self, word: str) -> tuple[tuple[int, _Name], ...]:
        """(distance, name) for every one-word table name that ``word`` is a near miss of.

        The rules of issue #11: 5-7 letters one edit, 8 or more two, shorter never; a 5-letter
        word meets only names within one letter of its length; an ordinary English word is never
        a near miss; a name farther than the nearest commonly dispensed non-table drug loses.
        """
        hit = self._near_cache.get(word)
        if hit is None:
            hit = self._near_names(word)
            if len(self._near_cache) < 100_000:  # bounded: typed text is unbounded
                self._near_cache[word] = hit
        return hit

    def _near_names(self, word: str) -> tuple[tuple[int, _Name], ...]:
        limit = allowed_distance(word, "x" * 8)  # the most any name allows this word
        if limit == 0 or word in self.english_words or word in self.not_near_misses:
            return ()
        found = []
        key = sound_key(word)
        for n in self._near_targets:
            target = n.words[0]
            if len(word) <= NEAR_MISS_MIN_WORD_LENGTH and abs(len(target) - len(word)) > 1:
                continue
            # Spelled as it sounds ("kumadin" for Coumadin) counts like the letters themselves.
            allowed = allowed_distance(word, target)
            d = min(edit_distance(word, target, allowed),
                    edit_distance(key, self._sound_keys[target], allowed))
            if d <= allowed:
                found.append((d, n))
        if not found:
            return ()
        nearest = min(d for d, _ in found)
        common = self.nearest_common_drug(word, nearest)
        if common is not None and common[0] < nearest:
            return ()  # nearer to a common drug not in the table: it is that drug
        # The nearest table names win too ("amoxicilin" is amoxicillin, not ampicillin).
        return tuple((d, n) for d, n in found if d == nearest)

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
    verified: bool = True  # False: the matched name (or agent) is not confirmed against a source

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


def _is_unspaced_script(ch: str) -> bool:
    """Han, kana, Hangul and Thai letters: scripts typed without spaces between words."""
    o = ord(ch)
    return (0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF
            or 0x1100 <= o <= 0x11FF or 0x0E00 <= o <= 0x0E7F or 0xF900 <= o <= 0xFAFF)


def _find_exact(tokens: list[str], table: InteractionTable,
                glued: list[str]) -> tuple[dict[str, _Name], set[int]]:
    matches: list[_Name] = []
    used: set[int] = set()
    for start, token in enumerate(tokens):
        for name in table._by_first_word.get(token, ()):
            n = len(name.words)
            if tuple(tokens[start:start + n]) == name.words:
                matches.append(name)
                used.update(range(start, start + n))
    for word in glued:  # "war-farin", "anti-coagulant", "warfarin-sodium"
        glued_name = table.one_word_name(word) or table.one_word_name(unglue_salt(word) or "")
        if glued_name is not None:
            matches.append(glued_name)
    if table._unspaced:
        compact = "".join(tokens)
        matches.extend(name for key, name in table._unspaced if key in compact)
    hits: dict[str, _Name] = {}
    for name in sorted(matches, key=lambda m: -len(m.words)):  # stable: first typed wins ties
        hits.setdefault(name.agent.generic, name)
    return hits, used


def _near_candidates(tokens: list[str], typed: list[str], used: set[int],
                     exempt: frozenset[str], glued: list[str]) -> list[tuple[str, str]]:
    """(word to compare, words as typed) for each typed word (with and without a glued salt),
    each hyphenated or dotted word read as one, and each adjacent pair joined (for "war farin"),
    that could be a misspelt drug name."""
    out: list[tuple[str, str]] = [(g, g) for g in glued if is_drug_name_word(g)]
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
                   exact: dict[str, _Name], glued: list[str],
                   free: frozenset[str]) -> dict[str, tuple[int, _Name, str]]:
    best: dict[str, tuple[int, _Name, str]] = {}
    candidates = _near_candidates(tokens, typed, used, table.not_near_misses | free, glued)
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
    verified = agent.name_verified(matched)
    if not verified:
        unconfirmed = f"name not confirmed against a source ({agent.unverified_reason_for(matched)})"
        note = f"{note}; {unconfirmed}" if note else unconfirmed
    return Finding(severity=severity, input=text, matched=matched, agent=agent.generic,
                   drug_class=agent.drug_class, certainty=certainty,
                   patient_message=agent.patient_message,
                   pharmacist_message=agent.pharmacist_message,
                   citations=agent.citations, note=note, verified=verified)


def _with_note(f: Finding, extra: str) -> Finding:
    return replace(f, note=f"{extra}; {f.note}" if f.note else extra)


# OCR and hurried typing put a digit for a look-alike letter inside a word ("warfar1n",
# "S1ntrom", "Marcum4r"): a digit with letters on both sides is read as that letter, and whatever
# this finds beyond the line as typed is a possible match (attack on issue #11).
_DIGIT_LETTERS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
                  "$": "s"}
_IN_WORD_DIGIT_RE = re.compile(r"(?<=[^\W\d_])[0134578@$](?=[^\W\d_])")


def check_medication(text: str, table: InteractionTable) -> list[Finding]:
    """Findings for one medication string: at most one per agent, exact before possible."""
    findings = _check_medication(text, table)
    letters = _IN_WORD_DIGIT_RE.sub(lambda m: _DIGIT_LETTERS[m.group()], text)
    if letters != text:
        have = {f.agent for f in findings}
        for f in _check_medication(letters, table):
            if f.agent in have:
                continue
            note = f"{POSSIBLE_MATCH}: read as {letters!r} (a digit inside a word taken for a letter)"
            findings.append(replace(_with_note(f, note) if f.certainty is Certainty.EXACT else f,
                                    input=text, certainty=Certainty.POSSIBLE))
    return findings


def _check_medication(text: str, table: InteractionTable) -> list[Finding]:
    typed = words(text)
    if not typed:
        return []
    # "warfarinsodium": a typed word that starts no known name is tried without a glued salt.
    tokens = [w if w in table._by_first_word else (unglue_salt(w) or w) for w in typed]
    glued = glued_words(text)
    exact, used = _find_exact(tokens, table, glued)
    findings = [_finding(name.agent, text, name.display, Certainty.EXACT, "")
                for name in exact.values()]
    # "coumarin-free vanilla": a word said to be absent is not a misspelt drug (an exact name
    # still matches, with the note below).
    free = frozenset(_FREE_RE.findall(fold(text)))
    # "Eliquis per Dr. Baran": a capitalised name after a written title is a person, not a
    # misspelt brand (attack on #11: Baran, Haran, Kovac, Jantzen were possible warfarin). An
    # exact drug name after the title still matches.
    free |= frozenset(fold(m) for m in _PERSON_RE.findall(text))
    for _, (distance, name, word) in _find_possible(tokens, typed, used, table, exact,
                                                    glued, free).items():
        if " " in word:
            note = f"{POSSIBLE_MATCH}: {word!r} written together is {name.display!r}"
        elif distance == 0:
            note = f"{POSSIBLE_MATCH}: {word!r} sounds like {name.display!r}"
        else:
            note = f"{POSSIBLE_MATCH}: {word!r} is {distance} letter(s) from {name.display!r}"
        findings.append(_finding(name.agent, text, name.display, Certainty.POSSIBLE, note))
    # The unnamed blood thinner is never hidden by another agent, only replaced by a named
    # anticoagulant that the words describe ("Eliquis (blood thinner)").
    # INR monitoring words mean a VKA: a DOAC or heparin on the line does not explain them
    # ("Xarelto 20 mg, INR checked monthly"); a named VKA does.
    fallback = {a.generic for a in table.agents if a.fallback}
    described = {a.generic: a for a in table.agents if a.anticoagulant}
    monitoring = {w for a in table.agents if a.fallback for m in a.monitoring for w in name_words(m)}
    # Only a name typed exactly explains the words: a possible match ("Eliqis", "margarine") may
    # be dismissed on confirmation, and the blood-thinner warning must not go with it (attack #11).
    named = [described[f.agent] for f in findings
             if f.agent in described and f.certainty is Certainty.EXACT]
    if any(a.severity is InteractionSeverity.MAJOR for a in named) or (
            named and not monitoring.intersection(tokens)):
        findings = [f for f in findings if f.agent not in fallback]
    # "difethialone rat bait": a rodenticide named exactly replaces the unnamed one (attack #11).
    named_poison = {f.drug_class for f in findings if f.certainty is Certainty.EXACT
                    and f.agent != UNNAMED_RODENTICIDE}
    findings = [f for f in findings
                if not (f.agent == UNNAMED_RODENTICIDE and f.drug_class in named_poison)]
    said = history_words(text)
    if said:
        quoted = ", ".join(f"'{w}'" for w in dict.fromkeys(said))
        findings = [_with_note(f, f"{CONFIRM_CURRENT_USE}: the line says {quoted}")
                    for f in findings]
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
