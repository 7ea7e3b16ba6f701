"""Error-safe dose notation for what an order prints: the fixes ISMP's List of Error-Prone
Abbreviations, Symbols, and Dose Designations asks for.

- A leading zero before a decimal point: "0.5", never ".5" (read as 5).
- No trailing zero after a decimal point: "5", never "5.0" (read as 50).
- "mcg", never "µg"/"μg" (the Greek mu is read as "m", so mg).
- "units", never "U" or "IU" (read as 0, 4, 10 or IV).

Typed forms are normalised, and the field's note says what was saved; a number that is not
plain digits (an exponent such as 1e999, a comma) is refused with a message that says what is
accepted. Hand-written: these few rules are ISMP's, and no maintained library applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from k2desk.domain.documents import OrderLine
from k2desk.domain.forms import FieldDef, FieldType, FormDefinition
from k2desk.domain.issues import FieldIssue, error, note

ISMP_SOURCE = "ISMP List of Error-Prone Abbreviations, Symbols, and Dose Designations"

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")

# Typed unit spellings and the one the form offers. Keys are compared case-insensitively,
# except that "U" and "IU" alone are matched in any case (they are never a safe spelling).
_UNIT_SPELLINGS = {
    "µg": "mcg", "μg": "mcg", "ug": "mcg", "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg",
    "iu": "units", "u": "units", "unit": "units", "units": "units", "international units": "units",
    "µg/ml": "mcg/mL", "μg/ml": "mcg/mL", "ug/ml": "mcg/mL", "mcg/ml": "mcg/mL",
    "iu/ml": "units/mL", "u/ml": "units/mL", "units/ml": "units/mL", "mg/ml": "mg/mL", "ml": "mL",
    "mg": "mg", "g": "g", "%": "%",
}

_WHY = {
    "leading": "a leading zero, so .5 is not read as 5",
    "trailing": "no trailing zero, so 5.0 is not read as 50",
    "mcg": "mcg, because µg is misread as mg",
    "units": "units, because U and IU are misread as 0, 4, 10 or IV",
}


def plain_number(text: str) -> Decimal | None:
    """The number when ``text`` is plain digits with at most one decimal point, else None."""
    t = text.strip()
    if not _PLAIN_NUMBER.match(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def safe_number(text: str) -> str:
    """'.5' -> '0.5', '5.0' -> '5', '10.50' -> '10.5', '007' -> '7'; other text unchanged."""
    d = plain_number(text)
    if d is None:
        return text
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0", "+0") else s.lstrip("+")


def _number_reasons(before: str) -> list[str]:
    t = before.strip().lstrip("+-")
    reasons = []
    if t.startswith("."):
        reasons.append(_WHY["leading"])
    if "." in t and t.endswith(("0", ".")):
        reasons.append(_WHY["trailing"])
    if before.strip().startswith("+"):
        reasons.append("without a plus sign")
    if not t.isascii():
        reasons.append("in plain digits 0-9, as a fax and every reader show them")
    return reasons


def safe_unit(text: str) -> str:
    """The form's spelling of a typed unit ('µg' -> 'mcg', 'IU' -> 'units'); unknown unchanged."""
    return _UNIT_SPELLINGS.get(" ".join(text.strip().lower().split()), text.strip())


_SIG_LEADING = re.compile(r"(?<![\w.])\.(\d)")
_SIG_TRAILING = re.compile(r"(?<![\w.])(\d+)\.(\d*?)0+(?![\d.])")
_SIG_MCG = re.compile(r"(?<=[\d\s])[µμ]g\b|\bug\b")
_SIG_UNITS = re.compile(r"(?<=[\d\s])(?:IU|iu|I\.U\.|U)\b(?!\.)")


def safe_sig(text: str) -> str:
    """Numbers and units in free text (the sig) in error-safe form."""
    out = _SIG_LEADING.sub(r"0.\1", text)
    out = _SIG_TRAILING.sub(lambda m: m.group(1) + (f".{m.group(2)}" if m.group(2) else ""), out)
    out = _SIG_MCG.sub("mcg", out)
    return _SIG_UNITS.sub("units", out)


def _sig_reasons(before: str) -> list[str]:
    reasons = []
    if _SIG_LEADING.search(before):
        reasons.append(_WHY["leading"])
    if _SIG_TRAILING.search(before):
        reasons.append(_WHY["trailing"])
    if _SIG_MCG.search(before):
        reasons.append(_WHY["mcg"])
    if _SIG_UNITS.search(before):
        reasons.append(_WHY["units"])
    return reasons


def _normalised(key: str, label: str, before: str, after: str, reasons: Sequence[str]) -> FieldIssue:
    why = "; ".join(reasons) if reasons else "the form's spelling"
    return note(key, "normalised",
                f"{label}: {before.strip()!r} is saved and printed as {after!r} ({why}).")


def number_issue(f: FieldDef, key: str, value: str) -> FieldIssue | None:
    """Refuse a number field's value that is not plain digits (1e999, 1,000, 5 mg)."""
    v = value.strip()
    if f.type not in (FieldType.DECIMAL, FieldType.INT) or plain_number(v) is not None \
            or not re.search(r"\d", v):
        return None  # empty, plain, or no number at all ("lots": the type check words that)
    return error(key, "number_not_plain",
                 f"{f.label} {value!r} is refused: type the number in plain digits with at most "
                 "one decimal point, for example 0.5 or 1000 (no commas, units or exponents).")


def normalise_field(f: FieldDef, key: str, value: str) -> tuple[str, list[FieldIssue]]:
    """One field's value in error-safe form, with a note when it changed."""
    if f.type is FieldType.DECIMAL or f.type is FieldType.INT:
        after = safe_number(value)
        if after != value.strip() and plain_number(value) is not None:
            reasons = _number_reasons(value) or ["written without extra zeros"]
            return after, [_normalised(key, f.label, value, after, reasons)]
        return value, []
    if f.type is FieldType.CHOICE and value.strip() and value.strip() not in f.choices:
        after = safe_unit(value)
        if after in f.choices:
            t = value.strip().lower()
            reasons = [_WHY["mcg"]] if after.startswith("mcg") and not t.startswith("mcg") else (
                [_WHY["units"]] if after.startswith("units") and not t.startswith("units") else [])
            return after, [_normalised(key, f.label, value, after, reasons)]
        return value, []
    if f.key == "compound.sig" or f.type is FieldType.MULTILINE and f.key.endswith(".sig"):
        after = safe_sig(value)
        if after != value:
            return after, [_normalised(key, f.label, value, after, _sig_reasons(value))]
    return value, []


def normalise_order(form: FormDefinition, values: Mapping[str, str], lines: Sequence[OrderLine]
                    ) -> tuple[dict[str, str], list[OrderLine], list[FieldIssue]]:
    """Every printed number and unit of an order in error-safe form, and a note per change."""
    out = dict(values)
    notes: list[FieldIssue] = []
    for f in form.fields(repeating=False):
        if f.key in out:
            out[f.key], found = normalise_field(f, f.key, out[f.key])
            notes += found
    new_lines: list[OrderLine] = []
    rep = form.repeating_section()
    for n, line in enumerate(lines, 1):
        cells = {"ingredient": line.ingredient, "strength": line.strength, "unit": line.unit}
        if rep is not None:
            for f in rep.fields:
                if f.name in cells:
                    cells[f.name], found = normalise_field(f, f"{rep.key}.{n}.{f.name}", cells[f.name])
                    notes += found
        new_lines.append(OrderLine(**cells))
    return out, new_lines, notes


def bound_issue(f: FieldDef, key: str, value: str, unit: str) -> FieldIssue | None:
    """Refuse a number above the form definition's upper bound for its unit (or its max)."""
    d = plain_number(value)
    if d is None:
        return None
    limit = f.upper_bound(unit)
    if limit is None:
        return None
    if d > Decimal(str(limit)):
        per = f" {unit}" if f.max_by_unit else ""
        return error(key, "above_bound",
                     f"{f.label} {safe_number(value)}{per} is refused: above the most this form "
                     f"accepts ({safe_number(str(limit))}{per}); check for a slipped decimal point.")
    return None
