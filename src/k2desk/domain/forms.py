"""Form definitions: the one description of a form that drives validation, the editor and the PDF.

A definition is loaded from ``forms/<name>.toml`` by ``k2desk.library.forms``; here it is plain
frozen data. Field keys are dotted (``section.field``), and those are the keys a person names for
an override (``--override prescriber.npi=...``). Repeating sections (the ingredient lines) are
keyed per line as ``<section>.<n>.<field>`` with n counted from 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    PHONE = "phone"
    NPI = "npi"
    DEA = "dea"
    INT = "int"
    DECIMAL = "decimal"
    CHOICE = "choice"
    BOOL = "bool"
    ICD10 = "icd10"


# Validators a field may name beyond what its type implies; checked at load time.
KNOWN_VALIDATORS = frozenset({
    "dob",  # a date of birth: not in the future, not before 1900
    "not_future",  # a date that is today or earlier (date written)
    "positive",  # a number greater than 0
    "refills",  # a whole number 0-11
    "allergies",  # a list of allergies, or NKDA, never empty
    "dea_if_scheduled",  # required only when an ingredient line is scheduled
})


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field: ``key`` is the full dotted key, e.g. ``prescriber.npi``."""

    key: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    validator: str | None = None
    help: str = ""
    print_width: float = 1.0  # fraction of the printed line (0 < w <= 1)
    choices: tuple[str, ...] = ()
    max_length: int = 500
    # Upper bounds of a number field (a slipped decimal point is refused, and so is 1e999):
    # ``max_value`` alone, or per unit, the unit read from the sibling field ``unit_field``.
    max_value: float | None = None
    unit_field: str = ""
    max_by_unit: tuple[tuple[str, float], ...] = ()

    def upper_bound(self, unit: str) -> float | None:
        """The most this number field accepts in ``unit`` (None: no bound)."""
        if self.max_by_unit:
            return dict(self.max_by_unit).get(unit)
        return self.max_value

    @property
    def name(self) -> str:
        """The key without its section, e.g. ``npi``."""
        return self.key.rsplit(".", 1)[-1]


# Printed elements that are not fields: the blank box for the prescriber's handwritten
# signature, and the pharmacy's "fax the signed order to" line.
KNOWN_ELEMENTS = frozenset({"signature_box", "fax_to"})

# Boolean field values are stored and printed as these strings.
YES, NO = "yes", "no"


@dataclass(frozen=True, slots=True)
class SectionDef:
    """A titled group of fields; ``repeating`` sections hold one row of fields per line.

    ``system`` sections are filled by k2desk (pharmacy use), never from an order file;
    ``elements`` are layout elements printed after the fields (``KNOWN_ELEMENTS``).
    """

    key: str
    title: str
    fields: tuple[FieldDef, ...]
    repeating: bool = False
    help: str = ""
    min_rows: int = 0
    max_rows: int = 0  # 0 means no limit
    system: bool = False
    elements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FormDefinition:
    id: str
    title: str
    version: int
    sections: tuple[SectionDef, ...]

    def section(self, key: str) -> SectionDef:
        """The section with this key (KeyError if there is none)."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def field(self, key: str) -> FieldDef:
        """The field with this dotted key; a per-line key such as ``ingredients.2.strength``
        resolves to the repeating section's ``ingredients.strength`` definition."""
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            key = f"{parts[0]}.{parts[2]}"
        for f in self.fields():
            if f.key == key:
                return f
        raise KeyError(key)

    def fields(self, *, repeating: bool | None = None) -> Iterator[FieldDef]:
        """Every field in print order; ``repeating=False`` leaves out the per-line fields."""
        for s in self.sections:
            if repeating is None or s.repeating == repeating:
                yield from s.fields

    def repeating_section(self) -> SectionDef | None:
        """The section with one row per line (the ingredients), if the form has one."""
        return next((s for s in self.sections if s.repeating), None)

    def has_key(self, key: str) -> bool:
        """True when ``key`` (or a per-line key such as ``ingredients.2.unit``) is a field."""
        try:
            self.field(key)
        except KeyError:
            return False
        return True
