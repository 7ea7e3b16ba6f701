"""Frozen records that move between the layers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Medication:
    text: str
    started: dt.date | None = None
    stopped: dt.date | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    name: str
    dob: dt.date
    phone: str | None = None  # E.164
    address: str = ""
    notes: str = ""
    nkda: bool = False
    medications: tuple[Medication, ...] = ()
    language: str = "en"  # preferred language for handouts (issue 25): the builder's default
    allergies: tuple[str, ...] = ()
    id: int | None = None
    created_at: str | None = None

    @property
    def current_medications(self) -> tuple[Medication, ...]:
        return tuple(m for m in self.medications if m.stopped is None)

    @property
    def allergy_text(self) -> str:
        """What a document prints for allergies: the list, or NKDA spelled out."""
        if self.nkda:
            return "NKDA (no known drug allergies)"
        return ", ".join(self.allergies)


@dataclass(frozen=True, slots=True)
class Prescriber:
    name: str
    npi: str = ""
    dea: str = ""
    licence: str = ""
    phone: str | None = None
    fax: str | None = None
    address: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    initials: str = ""
    has_pin: bool = False
    id: int | None = None
    role: str = "pharmacist"  # pharmacist | technician (k2desk.domain.roles)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: str
    operator: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, object] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
