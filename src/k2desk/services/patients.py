"""Patient use cases: add, edit, show, list, search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from k2desk.domain.issues import FieldIssue
from k2desk.domain.models import Medication, Patient
from k2desk.domain.text import check_text
from k2desk.domain.validation import normalise_phone, validate_allergies, validate_dob
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.storage import patients as repo


@dataclass
class PatientInput:
    """What a person typed for a patient, before checking."""

    name: str
    dob: str
    phone: str = ""
    address: str = ""
    notes: str = ""
    medications: Sequence[str] = ()
    allergies: Sequence[str] = ()
    nkda: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def check_patient(data: PatientInput) -> tuple[Patient | None, list[FieldIssue]]:
    """Validate every field; return the patient to store, or all the field issues at once."""
    issues: list[FieldIssue] = []
    issues += check_text(data.name, "name", label="Name", required=True, max_length=1000)
    dob, dob_issues = validate_dob(data.dob, "dob")
    issues += dob_issues
    phone, phone_issues = normalise_phone(data.phone, "phone", label="Phone")
    issues += phone_issues
    issues += check_text(data.address, "address", label="Address", max_length=2000, multiline=True)
    issues += check_text(data.notes, "notes", label="Notes", max_length=5000, multiline=True)
    for i, med in enumerate(data.medications, 1):
        issues += check_text(med, f"medications.{i}", label=f"Medication {i}", required=True,
                             max_length=500)
    for i, allergy in enumerate(data.allergies, 1):
        issues += check_text(allergy, f"allergies.{i}", label=f"Allergy {i}", required=True,
                             max_length=500)
    issues += validate_allergies(list(data.allergies), data.nkda)
    if issues or dob is None:
        return None, issues
    return Patient(
        name=data.name.strip(), dob=dob, phone=phone, address=data.address.strip(),
        notes=data.notes.strip(), nkda=data.nkda,
        medications=tuple(Medication(text=m.strip()) for m in data.medications),
        allergies=tuple(a.strip() for a in data.allergies),
    ), []


def add_patient(ctx: AppContext, data: PatientInput) -> int:
    """Check and store a new patient in one transaction; return the new id."""
    patient, issues = check_patient(data)
    if patient is None:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        return repo.add_patient(db, patient, ctx.operator)


def update_patient(ctx: AppContext, patient_id: int, data: PatientInput) -> Patient:
    """Check and replace a stored patient's details; return the stored patient."""
    get_patient(ctx, patient_id)
    patient, issues = check_patient(data)
    if patient is None:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        repo.update_patient(db, replace(patient, id=patient_id), ctx.operator)
    return get_patient(ctx, patient_id)


def get_patient(ctx: AppContext, patient_id: int) -> Patient:
    p = repo.get_patient(ctx.store.db, patient_id)
    if p is None:
        raise NotFound(f"There is no patient with id {patient_id}.")
    return p


def list_patients(ctx: AppContext, *, limit: int = 1000, offset: int = 0) -> list[Patient]:
    return repo.list_patients(ctx.store.db, limit=limit, offset=offset)


def search_patients(ctx: AppContext, query: str, *, limit: int = 50) -> list[Patient]:
    return repo.search_patients(ctx.store.db, query, limit=limit)
