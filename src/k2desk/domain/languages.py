"""Languages as data (issue 25): a handout template's fixed texts, dates in its words, and the
reading level of patient text per language.

A template is a flat mapping of dotted keys ("vka.title", "dates.months.3") to texts, built from
one ``resources/templates/handout.<code>.toml`` file by ``library.languages``. It travels inside
the stored handout record, so a handout is rendered again from exactly the words it printed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

ENGLISH = "en"
# ISO 639-1 style: two or three lower-case letters (a test language may be "xx").
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Fernández-Huerta 70 and above reads "fairly easy" (bastante fácil) or easier.
MIN_FERNANDEZ_HUERTA = 70.0



def as_date(day: dt.date | str) -> dt.date | None:
    """``day`` as a date: a date, or text starting YYYY-MM-DD; None for text that is not one."""
    if not isinstance(day, str):
        return day
    try:
        return dt.date.fromisoformat(day[:10])
    except ValueError:
        return None

@dataclass(frozen=True, slots=True)
class HandoutTemplate:
    """Every fixed text of a handout in one language; lists are kept as ``key.1``, ``key.2``..."""

    code: str
    texts: Mapping[str, str] = field(hash=False)

    @property
    def name(self) -> str:
        return self.texts.get("language.name", self.code)

    def text(self, key: str, **values: str) -> str:
        """The text for ``key`` with its {placeholders} filled in (KeyError for an unknown key)."""
        raw = self.texts[key]
        return raw.format(**values) if values else raw

    def items(self, key: str) -> list[str]:
        """The list stored under ``key`` (``key.1``, ``key.2``... in order)."""
        out = []
        n = 1
        while f"{key}.{n}" in self.texts:
            out.append(self.texts[f"{key}.{n}"])
            n += 1
        return out

    def pairs(self, key: str) -> list[tuple[str, str]]:
        """A list of [lead, text] pairs (``key.1.1``, ``key.1.2``, ``key.2.1``...)."""
        out = []
        n = 1
        while f"{key}.{n}.1" in self.texts:
            out.append((self.texts[f"{key}.{n}.1"], self.texts[f"{key}.{n}.2"]))
            n += 1
        return out

    def date(self, day: dt.date | str) -> str:
        """A date in this language's words ('November 22, 2026'); text that is not a date is
        returned as it is."""
        when = as_date(day)
        if when is None:
            return str(day)
        return self.text("dates.format", month=self.texts[f"dates.months.{when.month}"],
                         day=str(when.day), year=str(when.year))


def reading_level(text: str, language: str) -> tuple[str, float | None, bool | None]:
    """(formula name, score, passes) for patient ``text`` in ``language``.

    English: Flesch-Kincaid grade, passes at 8 or below (DOMAIN.md). Spanish: Fernández-Huerta
    (textstat's Spanish mode), passes at 70 ("fairly easy") or above. Any other language has no
    formula here: (name, None, None), and the Library says so rather than guess.
    """
    if language == ENGLISH:
        from k2desk.domain.evidence import MAX_READING_GRADE, reading_grade

        grade = reading_grade(text)
        return "Flesch-Kincaid grade", grade, grade <= MAX_READING_GRADE
    if language == "es":
        score = _fernandez_huerta(text)
        return "Fernández-Huerta", score, score >= MIN_FERNANDEZ_HUERTA
    return "no reading formula for this language", None, None


def _fernandez_huerta(text: str) -> float:
    import textstat

    # textstat keeps the language as module state; set it for this call and put English back,
    # so a Spanish score never changes how an English one is counted elsewhere.
    textstat.set_lang("es")
    try:
        return round(float(textstat.fernandez_huerta(text)), 1)
    finally:
        textstat.set_lang("en_US")
