"""Load form definitions from ``forms/<name>.toml`` with strict checks.

Every problem is reported with the file, the section and the field key, and all problems in a
file are reported together. Unknown keys are refused so a typo never silently drops a rule.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from k2desk.domain.forms import (
    KNOWN_ELEMENTS,
    KNOWN_VALIDATORS,
    FieldDef,
    FieldType,
    FormDefinition,
    SectionDef,
)
from k2desk.resources import ResourceError, form_path

_FORM_KEYS = {"id", "title", "version", "sections"}
_SECTION_KEYS = {"key", "title", "fields", "repeating", "help", "min_rows", "max_rows", "system",
                 "elements"}
_FIELD_KEYS = {"key", "label", "type", "required", "validator", "help", "print_width", "choices",
               "max_length", "max_value", "unit_field", "max_by_unit"}
_TYPES = {t.value for t in FieldType}


class FormDefinitionError(Exception):
    """A form definition file is missing or malformed; ``problems`` lists every one."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _ident_ok(name: object) -> bool:
    return isinstance(name, str) and name.replace("_", "a").isalnum() and name[:1].isalpha() \
        and name.isascii() and name == name.lower()


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def say(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}" if where else what)

    def unknown(self, where: str, data: dict[str, Any], allowed: set[str]) -> None:
        for k in sorted(set(data) - allowed):
            self.say(where, f"unknown key {k!r} (accepted: {', '.join(sorted(allowed))})")

    def string(self, where: str, data: dict[str, Any], key: str, *, required: bool = True) -> str:
        v = data.get(key, None)
        if v is None:
            if required:
                self.say(where, f"{key!r} is missing")
            return ""
        if not isinstance(v, str) or (required and not v.strip()):
            self.say(where, f"{key!r} must be non-empty text")
            return ""
        return v

    def boolean(self, where: str, data: dict[str, Any], key: str) -> bool:
        v = data.get(key, False)
        if not isinstance(v, bool):
            self.say(where, f"{key!r} must be true or false")
            return False
        return v

    def integer(self, where: str, data: dict[str, Any], key: str, default: int, lo: int) -> int:
        v = data.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            self.say(where, f"{key!r} must be a whole number of at least {lo}")
            return default
        return v


def _field(c: _Checker, section_key: str, where: str, data: Any) -> FieldDef | None:
    if not isinstance(data, dict):
        c.say(where, "each field must be a table ([[sections.fields]])")
        return None
    name = c.string(where, data, "key")
    if name and not _ident_ok(name):
        c.say(where, f"field key {name!r} must be lower-case letters, digits and _")
    where = f"section {section_key or '?'} field {section_key}.{name or '?'}"
    c.unknown(where, data, _FIELD_KEYS)
    label = c.string(where, data, "label")
    ftype = data.get("type", "text")
    if ftype not in _TYPES:
        c.say(where, f"type {ftype!r} is not one of: {', '.join(sorted(_TYPES))}")
        ftype = "text"
    validator = data.get("validator")
    if validator is not None and validator not in KNOWN_VALIDATORS:
        c.say(where, f"validator {validator!r} is not one of: {', '.join(sorted(KNOWN_VALIDATORS))}")
    width = data.get("print_width", 1.0)
    if isinstance(width, bool) or not isinstance(width, int | float) or not 0 < width <= 1:
        c.say(where, f"print_width {width!r} must be a fraction of the line, above 0 and at most 1")
        width = 1.0
    choices = data.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(x, str) and x for x in choices):
        c.say(where, "choices must be a list of non-empty text")
        choices = []
    if ftype == "choice" and not choices:
        c.say(where, "a choice field needs choices")
    if choices and ftype != "choice":
        c.say(where, f"choices are only allowed on a choice field (type is {ftype!r})")
    if len(set(choices)) != len(choices):
        c.say(where, "choices repeat a value")
    max_length = c.integer(where, data, "max_length", 500, 1)
    max_value, unit_field, by_unit = _bounds(c, where, data, ftype)
    return FieldDef(
        key=f"{section_key}.{name}", label=label, type=FieldType(ftype),
        required=c.boolean(where, data, "required"),
        validator=validator if isinstance(validator, str) else None,
        help=c.string(where, data, "help", required=False),
        print_width=float(width), choices=tuple(choices), max_length=max_length,
        max_value=max_value, unit_field=unit_field, max_by_unit=by_unit,
    )


def _positive(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < float("inf")


def _bounds(c: _Checker, where: str, data: dict[str, Any], ftype: str
            ) -> tuple[float | None, str, tuple[tuple[str, float], ...]]:
    """A number field's upper bounds: ``max_value``, or ``max_by_unit`` with ``unit_field``."""
    max_value = data.get("max_value")
    unit_field = data.get("unit_field", "")
    by_unit = data.get("max_by_unit", {})
    if (max_value is not None or unit_field or by_unit) and ftype not in ("int", "decimal"):
        c.say(where, "max_value, unit_field and max_by_unit apply only to an int or decimal field")
        return None, "", ()
    if max_value is not None and not _positive(max_value):
        c.say(where, f"max_value {max_value!r} must be a number above 0")
        max_value = None
    if not isinstance(unit_field, str) or (unit_field and not _ident_ok(unit_field)):
        c.say(where, "unit_field must name a field of the same section")
        unit_field = ""
    if not isinstance(by_unit, dict) or not all(_positive(v) for v in by_unit.values()):
        c.say(where, "max_by_unit must be a table of unit = a number above 0")
        by_unit = {}
    if bool(unit_field) != bool(by_unit):
        c.say(where, "max_by_unit and unit_field go together")
    return (float(max_value) if max_value is not None else None, unit_field,
            tuple((str(k), float(v)) for k, v in by_unit.items()))


def _section(c: _Checker, where: str, data: Any) -> SectionDef | None:
    if not isinstance(data, dict):
        c.say(where, "each section must be a table ([[sections]])")
        return None
    key = c.string(where, data, "key")
    if key and not _ident_ok(key):
        c.say(where, f"section key {key!r} must be lower-case letters, digits and _")
    where = f"section {key or '?'}"
    c.unknown(where, data, _SECTION_KEYS)
    title = c.string(where, data, "title")
    raw_fields = data.get("fields", [])
    if not isinstance(raw_fields, list) or not raw_fields:
        c.say(where, "a section needs at least one field ([[sections.fields]])")
        raw_fields = []
    fields: list[FieldDef] = []
    for i, fd in enumerate(raw_fields, 1):
        f = _field(c, key, f"{where} field {i}", fd)
        if f is None:
            continue
        if any(g.key == f.key for g in fields):
            c.say(f"{where} field {f.key}", "duplicate field key")
        fields.append(f)
    elements = data.get("elements", [])
    if not isinstance(elements, list) or any(e not in KNOWN_ELEMENTS for e in elements):
        c.say(where, f"elements must be a list of: {', '.join(sorted(KNOWN_ELEMENTS))}")
        elements = []
    repeating = c.boolean(where, data, "repeating")
    min_rows = c.integer(where, data, "min_rows", 0, 0)
    max_rows = c.integer(where, data, "max_rows", 0, 0)
    if not repeating and (min_rows or max_rows):
        c.say(where, "min_rows and max_rows only apply to a repeating section")
    if max_rows and max_rows < min_rows:
        c.say(where, "max_rows is less than min_rows")
    return SectionDef(
        key=key, title=title, fields=tuple(fields), repeating=repeating,
        help=c.string(where, data, "help", required=False), min_rows=min_rows, max_rows=max_rows,
        system=c.boolean(where, data, "system"), elements=tuple(elements),
    )


def parse_form(data: dict[str, Any], source: Path | str) -> FormDefinition:
    """Check a parsed TOML document and build the definition; raise with every problem."""
    c = _Checker()
    c.unknown("", data, _FORM_KEYS)
    form_id = c.string("", data, "id")
    title = c.string("", data, "title")
    version = c.integer("", data, "version", 1, 1)
    raw_sections = data.get("sections", [])
    if not isinstance(raw_sections, list) or not raw_sections:
        c.say("", "a form needs at least one section ([[sections]])")
        raw_sections = []
    sections: list[SectionDef] = []
    for i, sd in enumerate(raw_sections, 1):
        s = _section(c, f"section {i}", sd)
        if s is None:
            continue
        if any(t.key == s.key for t in sections):
            c.say(f"section {s.key}", "duplicate section key")
        sections.append(s)
    for s in sections:
        for f in s.fields:
            if not f.unit_field:
                continue
            unit = next((g for g in s.fields if g.name == f.unit_field), None)
            if unit is None or unit.type is not FieldType.CHOICE:
                c.say(f"section {s.key} field {f.key}", f"unit_field {f.unit_field!r} is not a choice "
                      "field of the same section")
                continue
            for u, _limit in f.max_by_unit:
                if u not in unit.choices:
                    c.say(f"section {s.key} field {f.key}", f"max_by_unit names {u!r}, which is not "
                          f"one of {unit.key}'s choices ({', '.join(unit.choices)})")
            missing = [u for u in unit.choices if u not in dict(f.max_by_unit)]
            if missing:
                c.say(f"section {s.key} field {f.key}", "max_by_unit gives no bound for "
                      + ", ".join(missing))
    if sum(s.repeating for s in sections) > 1:
        c.say("", "at most one section may be repeating")
    if c.problems:
        raise FormDefinitionError(source, c.problems)
    return FormDefinition(id=form_id, title=title, version=version, sections=tuple(sections))


def load_form_file(path: Path) -> FormDefinition:
    """Load and check one form definition file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FormDefinitionError(path, ["the form definition file does not exist"]) from exc
    except OSError as exc:
        raise FormDefinitionError(path, [f"cannot be read ({exc.strerror})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormDefinitionError(path, [f"is not valid TOML ({exc})"]) from exc
    return parse_form(data, path)


@cache
def load_form(name: str) -> FormDefinition:
    """The shipped form ``forms/<name>.toml`` (for example ``compound_order``)."""
    try:
        path = form_path(f"{name}.toml")
    except ResourceError as exc:
        raise FormDefinitionError(f"{name}.toml", [str(exc)]) from exc
    form = load_form_file(path)
    if form.id != name:
        raise FormDefinitionError(path, [f"id {form.id!r} does not match the file name {name!r}"])
    return form
