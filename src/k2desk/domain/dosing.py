"""Per-ingredient dose check against the highest daily amounts the library's dosing snippets support.

A dose above the limit is a warning that needs a recorded reason, never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from k2desk.domain.documents import OrderLine
from k2desk.domain.evidence import DoseLimit
from k2desk.domain.issues import FieldIssue, warning
from k2desk.domain.sig import read_sig

# Mass units in micrograms; strengths per mL count as mass per mL taken.
_MCG = {"mcg": Decimal(1), "µg": Decimal(1), "ug": Decimal(1), "μg": Decimal(1),
        "mg": Decimal(1000), "g": Decimal(1_000_000)}


def normalise_name(text: str) -> str:
    """Lower-case words separated by single spaces: "MK-4 (menatetrenone)" -> "mk 4 menatetrenone"."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def name_matches(typed: str, names: Iterable[str]) -> bool:
    """True when one of ``names`` appears as whole words in what was typed."""
    hay = f" {normalise_name(typed)} "
    return any(n and f" {n} " in hay for n in (normalise_name(x) for x in names))


def to_mcg(amount: Decimal, unit: str) -> Decimal | None:
    """The amount in micrograms, or None for units that are not a mass (IU, %, mL)."""
    base = unit.strip().split("/")[0].strip()
    factor = _MCG.get(base) or _MCG.get(base.lower())
    return None if factor is None else amount * factor


def _fmt(x: Decimal) -> str:
    if abs(x) >= Decimal("1e12"):  # past what quantize can hold at 2 places: a typo, shown as typed
        return f"{x:.4g}"
    q = x.quantize(Decimal("0.01")).normalize()
    return f"{q:f}"


def check_doses(lines: Sequence[OrderLine], sig: str, limits: Sequence[DoseLimit],
                section: str = "ingredients") -> list[FieldIssue]:
    """Warn on every line whose daily amount is above the matching limit.

    Daily amount = strength x units per dose x doses per day, read from the sig. When the sig
    does not say how often, the amount in one dose is compared, and the message says so.
    """
    reading = read_sig(sig)
    issues: list[FieldIssue] = []
    for n, line in enumerate(lines, 1):
        try:
            strength = Decimal(line.strength.strip())
        except InvalidOperation:
            continue  # the field check reports it
        if not strength.is_finite() or strength <= 0:
            continue
        per_dose_units = reading.per_dose if reading.per_dose is not None else Decimal(1)
        dose_mcg = to_mcg(strength * per_dose_units, line.unit)
        if dose_mcg is None:
            continue
        for limit in limits:
            if not name_matches(line.ingredient, limit.names()):
                continue
            limit_mcg = to_mcg(Decimal(str(limit.max_daily)), limit.unit)
            if limit_mcg is None:
                continue
            unit = limit.unit
            scale = _MCG.get(unit, Decimal(1))
            if reading.per_day is not None:
                daily = dose_mcg * reading.per_day
                if daily > limit_mcg:
                    issues.append(warning(
                        f"{section}.{n}.strength", "dose_above_limit",
                        f"{line.ingredient}: {_fmt(daily / scale)} {unit} a day "
                        f"({line.strength} {line.unit} x {_fmt(per_dose_units)} per dose x "
                        f"{_fmt(reading.per_day)} doses a day) is above the "
                        f"{_fmt(Decimal(str(limit.max_daily)))} {unit} a day that the library's "
                        f"dosing evidence supports (snippet {limit.snippet_id}); "
                        "check the order, or override with a reason."))
            elif dose_mcg > limit_mcg:
                issues.append(warning(
                    f"{section}.{n}.strength", "dose_above_limit",
                    f"{line.ingredient}: one dose of {_fmt(dose_mcg / scale)} {unit} is already "
                    f"above the {_fmt(Decimal(str(limit.max_daily)))} {unit} a day that the "
                    f"library's dosing evidence supports (snippet {limit.snippet_id}); the "
                    "directions do not say how many times a day, so only one dose was compared. "
                    "Check the order, or override with a reason."))
            break  # one limit per line: the first that names the ingredient
    return issues


def unchecked_lines(lines: Sequence[OrderLine], sig: str) -> list[int]:
    """Line numbers whose daily amount could not be worked out because the sig is unclear."""
    if read_sig(sig).per_day is not None:
        return []
    return list(range(1, len(lines) + 1))
