"""Compound orders: reading an order file into form values, checking every field, and the status
workflow (an order cannot be dispensed before the signed original is received).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from k2desk.domain.documents import OrderLine
from k2desk.domain.dosing import check_doses, name_matches
from k2desk.domain.evidence import DoseLimit
from k2desk.domain.forms import NO, YES, FieldDef, FieldType, FormDefinition
from k2desk.domain.issues import FieldIssue, error, warning
from k2desk.domain.notation import bound_issue, number_issue, plain_number, safe_number
from k2desk.domain.sig import read_sig
from k2desk.domain.text import check_text
from k2desk.domain.validation import (
    normalise_phone,
    parse_date,
    parse_positive_quantity,
    validate_dea,
    validate_dob,
    validate_npi,
)

# Controlled substances sometimes compounded (US federal schedules II-V). A line naming one
# makes the prescriber's DEA number required. Vitamin K2 compounds name none of these.
SCHEDULED_INGREDIENTS = frozenset({
    "testosterone", "nandrolone", "oxandrolone", "stanozolol", "ketamine", "codeine",
    "hydrocodone", "morphine", "oxycodone", "hydromorphone", "methadone", "buprenorphine",
    "fentanyl", "tramadol", "diazepam", "alprazolam", "lorazepam", "clonazepam", "midazolam",
    "phenobarbital", "butalbital", "dronabinol", "modafinil", "armodafinil", "pregabalin",
    "lacosamide", "cocaine", "dextroamphetamine", "amphetamine", "methylphenidate", "zolpidem",
})

MAX_REFILLS = 11
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_NAME_SUFFIXES = {"md", "do", "np", "pa", "pa-c", "dds", "dmd", "dvm", "jr", "sr", "ii", "iii",
                  "phd", "aprn", "fnp", "rn"}


# ----------------------------------------------------------------------------- order file

# US spelling is accepted in an order file for a key stored under its older spelling.
_KEY_ALIASES = {"prescriber.license": "licence"}

def _as_text(v: Any) -> str | None:
    if v is None:
        return ""
    if isinstance(v, bool):
        return YES if v else NO
    if isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return str(v)
    return None


def read_order_data(form: FormDefinition, data: Any) -> tuple[dict[str, str], list[OrderLine],
                                                               list[FieldIssue]]:
    """Flatten an order file's JSON object into dotted-key values and ingredient lines.

    Sections are objects (``{"prescriber": {"npi": ...}}``); the repeating section is a list of
    objects. Unknown sections and keys, and the k2desk-filled (system) sections, are refused.
    """
    issues: list[FieldIssue] = []
    values: dict[str, str] = {}
    lines: list[OrderLine] = []
    if not isinstance(data, dict):
        return values, lines, [error("file", "not_object",
                                     "The order file must hold one JSON object {...}.")]
    rep = form.repeating_section()
    for section_key, section_data in data.items():
        if section_key == "form":
            if section_data != form.id:
                issues.append(error("form", "wrong_form",
                                    f"This file is for form {section_data!r}; expected {form.id!r}."))
            continue
        try:
            section = form.section(section_key)
        except KeyError:
            accepted = ", ".join(s.key for s in form.sections if not s.system)
            issues.append(error(section_key, "unknown_section",
                                f"{section_key!r} is not a section of this form; accepted: {accepted}."))
            continue
        if section.system:
            issues.append(error(section_key, "system_section",
                                f"The {section.title!r} section is filled by k2desk, not from a file."))
            continue
        names = {f.name for f in section.fields}
        if section.repeating:
            if not isinstance(section_data, list):
                issues.append(error(section_key, "not_list",
                                    f"{section_key} must be a list of objects, one per line."))
                continue
            for n, row in enumerate(section_data, 1):
                if not isinstance(row, dict):
                    issues.append(error(f"{section_key}.{n}", "not_object",
                                        f"Line {n} of {section_key} must be an object."))
                    continue
                cells: dict[str, str] = {}
                for k, v in row.items():
                    key = f"{section_key}.{n}.{k}"
                    if k not in names:
                        issues.append(error(key, "unknown_field", f"{k!r} is not a field of "
                                            f"{section_key}; accepted: {', '.join(sorted(names))}."))
                        continue
                    t = _as_text(v)
                    if t is None:
                        issues.append(error(key, "not_text", "Give a text or number value."))
                        continue
                    cells[k] = t
                lines.append(OrderLine(ingredient=cells.get("ingredient", ""),
                                       strength=cells.get("strength", ""), unit=cells.get("unit", "")))
            continue
        if not isinstance(section_data, dict):
            issues.append(error(section_key, "not_object", f"{section_key} must be an object {{...}}."))
            continue
        for k, v in section_data.items():
            k = _KEY_ALIASES.get(f"{section_key}.{k}", k)
            key = f"{section_key}.{k}"
            if k not in names:
                issues.append(error(key, "unknown_field", f"{k!r} is not a field of {section_key}; "
                                    f"accepted: {', '.join(f.name for f in section.fields)}."))
                continue
            t = _as_text(v)
            if t is None:
                issues.append(error(key, "not_text", "Give a text, number or true/false value."))
                continue
            values[key] = t
    if rep is not None and rep.key not in data:
        issues.append(error(rep.key, "required", f"{rep.title}: give at least {max(rep.min_rows, 1)} line."))
    return values, lines, issues


# ----------------------------------------------------------------------------- field checks

def prescriber_last_name(name: str) -> str:
    """The surname a DEA number's second letter stands for: "Dr. Maria Lopez, MD" -> "Lopez"."""
    words = [w.strip(".,") for w in name.split(",")[0].split()]
    words = [w for w in words if w and w.lower() not in _NAME_SUFFIXES and w.lower() != "dr"]
    return words[-1] if words else ""


def is_scheduled(ingredient: str) -> bool:
    """True when the ingredient names a controlled substance (so a DEA number is needed)."""
    return name_matches(ingredient, SCHEDULED_INGREDIENTS)


def _check_field(f: FieldDef, key: str, value: str, *, today: dt.date, values: Mapping[str, str],
                 scheduled: bool, unit: str = "") -> list[FieldIssue]:
    multiline = f.type is FieldType.MULTILINE
    if f.type is FieldType.INT and re.search(r"\d", value) and not re.fullmatch(r"\s*[+-]?\d+\s*", value):
        # "2.5" refills is a wrong kind of number, not a too-long text (issue 18): say so first.
        accepted = (f"a whole number from 0 to {MAX_REFILLS}" if f.validator == "refills"
                    else "a whole number, such as 30")
        return [error(key, "int_invalid", f"{f.label} {value!r} is not a whole number; type "
                                          f"{accepted}.")]
    issues = check_text(value, key, label=f.label, max_length=f.max_length, multiline=multiline)
    if issues:
        return issues
    refused = number_issue(f, key, value)
    if refused is not None:
        return [refused]
    found = _check_value(f, key, value, today=today, values=values, scheduled=scheduled)
    if not found and value.strip():
        above = bound_issue(f, key, value, unit)
        if above is not None:
            return [above]
    return found


def _check_value(f: FieldDef, key: str, value: str, *, today: dt.date, values: Mapping[str, str],
                 scheduled: bool) -> list[FieldIssue]:
    v = value.strip()
    if f.validator == "dea_if_scheduled":
        return validate_dea(v, key, last_name=prescriber_last_name(values.get("prescriber.name", "")),
                            required=scheduled)
    if f.type is FieldType.NPI:
        return validate_npi(v, key, required=f.required)
    if not v:
        if f.required:
            what = f" ({f.help})" if f.help else ""
            return [error(key, "required", f"{f.label} is required{what}.")]
        return []
    if f.type is FieldType.DATE:
        if f.validator == "dob":
            return validate_dob(v, key, today=today)[1]
        d, found = parse_date(v, key, label=f.label)
        if d is not None and f.validator == "not_future" and d > today:
            return [error(key, "date_future", f"{f.label} {d.isoformat()} is in the future; "
                          f"accepted: today ({today.isoformat()}) or earlier.")]
        return found
    if f.type is FieldType.PHONE:
        return normalise_phone(v, key, label=f.label)[1]
    if f.type is FieldType.DEA:
        return validate_dea(v, key, last_name=prescriber_last_name(values.get("prescriber.name", "")))
    if f.type is FieldType.INT:
        try:
            n = int(v)
        except ValueError:
            return [error(key, "int_invalid", f"{f.label} {value!r} is not a whole number.")]
        if f.validator == "refills" and not 0 <= n <= MAX_REFILLS:
            return [error(key, "refills_range",
                          f"{f.label} must be from 0 to {MAX_REFILLS} (got {n}).")]
        if f.validator == "positive" and n <= 0:
            return [error(key, "not_positive", f"{f.label} must be greater than 0 (got {n}).")]
        return []
    if f.type is FieldType.DECIMAL:
        if f.validator == "positive":
            return parse_positive_quantity(v, key, label=f.label)[1]
        try:
            ok = Decimal(v).is_finite()
        except InvalidOperation:
            ok = False
        return [] if ok else [error(key, "number_invalid", f"{f.label} {value!r} is not a number.")]
    if f.type is FieldType.CHOICE and v not in f.choices:
        return [error(key, "bad_choice",
                      f"{f.label} {value!r} is not accepted; one of: {', '.join(f.choices)}.")]
    if f.type is FieldType.BOOL and v.lower() not in (YES, NO, "true", "false"):
        return [error(key, "bad_bool", f"{f.label} must be yes or no (got {value!r}).")]
    if f.type is FieldType.ICD10 and not _ICD10.match(v.upper()):
        return [error(key, "icd10_format", f"{f.label} {value!r} is not an ICD-10 code; "
                      "accepted: a letter, two characters, then optionally a dot and up to four "
                      "more, for example M81.0.")]
    return []


def validate_order(form: FormDefinition, values: Mapping[str, str], lines: Sequence[OrderLine], *,
                   dose_limits: Sequence[DoseLimit], today: dt.date) -> list[FieldIssue]:
    """Every issue with an order: field errors (not overridable) and warnings (overridable
    with a reason: identifier check digits, doses above the library's limits).

    System sections (pharmacy use) are not checked here: k2desk fills them.
    """
    issues: list[FieldIssue] = []
    scheduled = any(is_scheduled(line.ingredient) for line in lines)
    for section in form.sections:
        if section.system or section.repeating:
            continue
        for f in section.fields:
            unit = values.get(f"{section.key}.{f.unit_field}", "").strip() if f.unit_field else ""
            issues += _check_field(f, f.key, values.get(f.key, ""), today=today, values=values,
                                   scheduled=scheduled, unit=unit)
    rep = form.repeating_section()
    if rep is not None:
        if len(lines) < rep.min_rows:
            issues.append(error(rep.key, "too_few_lines",
                                f"{rep.title}: at least {rep.min_rows} line(s) needed."))
        if rep.max_rows and len(lines) > rep.max_rows:
            issues.append(error(rep.key, "too_many_lines",
                                f"{rep.title}: at most {rep.max_rows} lines (got {len(lines)})."))
        for n, line in enumerate(lines, 1):
            cells = {"ingredient": line.ingredient, "strength": line.strength, "unit": line.unit}
            for f in rep.fields:
                issues += _check_field(f, f"{rep.key}.{n}.{f.name}", cells.get(f.name, ""),
                                       today=today, values=values, scheduled=scheduled,
                                       unit=cells.get(f.unit_field, "").strip())
        if not any(i.field.startswith(f"{rep.key}.") for i in issues):
            issues += check_doses(lines, values.get("compound.sig", ""), dose_limits, rep.key)
    if not any(i.field in _SUPPLY_KEYS for i in issues):
        issues += days_supply_issues(values)
    return issues


_SUPPLY_KEYS = ("compound.quantity", "compound.quantity_unit", "compound.days_supply", "compound.sig")
# How a quantity unit is named in a sig ("take 1 capsule", "insert 1 suppository", "1 mL").
_SIG_NOUN = {"capsules": r"\bcaps?(?:ules?)?\b", "troches": r"\btroches?\b",
             "suppositories": r"\bsuppositor(?:y|ies)\b", "mL": r"\bml\b|\bmillilit",
             "g": r"\bg\b|\bgrams?\b"}


def days_supply_issues(values: Mapping[str, str]) -> list[FieldIssue]:
    """Warn when the days' supply does not follow from the quantity and the sig: 270 capsules
    at 1 capsule three times a day last 90 days, not 30. Said only when the sig can be read
    (how much per dose, how often) and names the quantity's unit; otherwise nothing is guessed."""
    days_text = values.get("compound.days_supply", "").strip()
    qty = plain_number(values.get("compound.quantity", ""))
    unit = values.get("compound.quantity_unit", "").strip()
    sig = values.get("compound.sig", "")
    if not days_text or qty is None or unit not in _SIG_NOUN:
        return []
    if not re.search(_SIG_NOUN[unit], sig.lower()):
        return []
    reading = read_sig(sig)
    if reading.per_dose is None or reading.per_day is None or reading.per_dose * reading.per_day <= 0:
        return []
    try:
        days = int(days_text)
    except ValueError:
        return []
    daily = reading.per_dose * reading.per_day
    lasts = qty / daily
    if math.floor(lasts) <= days <= math.ceil(lasts):
        return []
    shown = safe_number(format(lasts.quantize(Decimal("0.1")), "f"))
    per_day = safe_number(format(daily.quantize(Decimal("0.01")), "f"))  # weekly: 0.14, not 28 digits
    return [warning("compound.days_supply", "days_supply_mismatch",
                    f"Days' supply {days} does not follow from the quantity and the sig: "
                    f"{safe_number(str(qty))} {unit} at {per_day} "
                    f"{unit} a day last {shown} days. Check the quantity, the directions or the "
                    "days' supply.")]


# ----------------------------------------------------------------------------- status workflow

DRAFT = "draft"
SENT = "sent-for-signature"
SIGNED = "signed-original-received"
COMPOUNDED = "compounded"
DISPENSED = "dispensed"
CANCELLED = "cancelled"
STATUSES = (DRAFT, SENT, SIGNED, COMPOUNDED, DISPENSED, CANCELLED)

_NEXT: dict[str, tuple[str, ...]] = {
    DRAFT: (SENT, CANCELLED),
    SENT: (SIGNED, CANCELLED),
    SIGNED: (COMPOUNDED, CANCELLED),
    COMPOUNDED: (DISPENSED, CANCELLED),
    DISPENSED: (),
    CANCELLED: (),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses an order in ``status`` may move to (none after dispensed or cancelled)."""
    return _NEXT.get(status, ())


def check_transition(old: str, new: str) -> list[FieldIssue]:
    """Why ``old`` -> ``new`` is not allowed, or an empty list."""
    if new not in STATUSES:
        return [error("status", "unknown_status",
                      f"{new!r} is not an order status; one of: {', '.join(STATUSES)}.")]
    if new in next_statuses(old):
        return []
    if new == DISPENSED and old in (DRAFT, SENT):
        return [error("status", "not_signed",
                      "The order cannot be dispensed before the prescriber's signed original is "
                      f"received (status is {old!r}); record {SIGNED!r} first.")]
    allowed = next_statuses(old)
    return [error("status", "bad_transition",
                  f"An order that is {old!r} cannot become {new!r}; "
                  + (f"next: {', '.join(allowed)}." if allowed else "it is final."))]
