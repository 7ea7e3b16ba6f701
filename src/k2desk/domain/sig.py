"""Reading a sig (directions) for how much is taken per dose and how many doses a day.

Written by hand: no maintained Python library parses free-text sigs; this covers the common
English and Latin forms ("1 capsule twice daily", "take 2 by mouth tid", "every 8 hours").
Anything it cannot read returns None, and the caller says so instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_WORD_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "half": "0.5", "a half": "0.5", "one half": "0.5", "one-half": "0.5",
}

# (pattern, doses per day); checked in order, first match wins.
_FREQUENCIES: tuple[tuple[str, Decimal], ...] = (
    (r"\bevery other day\b|\bq\.?o\.?d\.?(?=\s|$)|\balternate days\b", Decimal("0.5")),
    (r"\bonce (a|per|each) week\b|\bweekly\b|\bonce weekly\b", Decimal(1) / Decimal(7)),
    (r"\b(four|4) times (a |per |each )?(day|daily)\b|\bq\.?i\.?d\.?(?=\s|$)", Decimal(4)),
    (r"\b(three|3) times (a |per |each )?(day|daily)\b|\bt\.?i\.?d\.?(?=\s|$)", Decimal(3)),
    (r"\b(twice|two times|2 times) (a |per |each )?(day|daily)\b|\bb\.?i\.?d\.?(?=\s|$)"
     r"|\btwice daily\b|\bmorning and (evening|night|at bedtime|bedtime)\b", Decimal(2)),
    (r"\bwith (each|every|all) meals?\b|\bwith meals\b", Decimal(3)),
    (r"\bonce (a |per |each )?(day|daily)\b|\b(1|one) time (a |per )?day\b|\bdaily\b"
     r"|\bevery (day|morning|evening|night)\b|\beach (day|morning|evening)\b|\bq\.?d\.?(?=\s|$)"
     r"|\bat bedtime\b|\bq\.?h\.?s\.?(?=\s|$)|\bnightly\b|\ba day\b", Decimal(1)),
)
# "every 8 to 12 hours" counts the shorter interval: the dose check wants the most a day.
_EVERY_HOURS = re.compile(
    r"\b(?:every|q\.?)\s*(\d+(?:\.\d+)?)\s*(?:(?:-|to)\s*\d+\s*)?(?:hours?|hrs?|h)\b")
_DOSE = re.compile(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six)\s*"
    r"(capsules?|caps?|tablets?|tabs?|troches?|suppositor(?:y|ies)|ml|millilit(?:er|re)s?"
    r"|grams?|g|applications?|pumps?|clicks?|drops?|lozenges?)\b"
)
_TAKE = re.compile(r"\b(?:take|give|insert|apply|dissolve|use|place)\s+(\d+(?:\.\d+)?|one|two|three"
                   r"|four|five|six)\b")


@dataclass(frozen=True, slots=True)
class SigReading:
    """What could be read: ``per_dose`` units (capsules, mL...) and ``per_day`` doses."""

    per_dose: Decimal | None
    per_day: Decimal | None


def _number(text: str) -> Decimal:
    return Decimal(_WORD_NUMBERS.get(text, text))


_FRACTIONS = {"½": "5", "¼": "25", "¾": "75"}


def _fractions(text: str) -> str:
    """'½ capsule' reads as 0.5 capsule and '1½' as 1.5 (vulgar fraction characters)."""
    for char, decimals in _FRACTIONS.items():
        text = re.sub(rf"(\d+)\s*{char}", rf"\g<1>.{decimals}", text)
        text = text.replace(char, f"0.{decimals}")
    return text


def read_sig(sig: str) -> SigReading:
    """Units per dose and doses per day, each None when the sig does not say it plainly."""
    s = " ".join(_fractions(sig.lower()).replace(",", " ").split())
    per_dose: Decimal | None = None
    m = _DOSE.search(s) or _TAKE.search(s)
    if m:
        per_dose = _number(m.group(1))
    per_day: Decimal | None = None
    h = _EVERY_HOURS.search(s)
    if h and Decimal(h.group(1)) > 0:
        per_day = (Decimal(24) / Decimal(h.group(1))).quantize(Decimal("0.01"))
    else:
        for pattern, n in _FREQUENCIES:
            if re.search(pattern, s):
                per_day = n
                break
    return SigReading(per_dose=per_dose, per_day=per_day)
