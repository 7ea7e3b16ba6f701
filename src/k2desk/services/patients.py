"""Patient use cases: add, edit, show, list, search."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.models import Medication, Patient
from k2desk.domain.text import check_text
from k2desk.domain.validation import normalise_phone, validate_allergies, validate_dob
from k2desk.services.changes import Changes
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


def _printable(data: PatientInput, refused: set[str]) -> list[FieldIssue]:
    """The renderer's own font check, with its wording, on every field that prints (name,
    address, medicines, allergies): refused at entry, not later at "handout create"."""
    from k2desk.documents.fonts import check_printable

    fields = [("name", "Name", data.name), ("address", "Address", data.address)]
    fields += [(f"medications.{i}", f"Medication {i}", m) for i, m in enumerate(data.medications, 1)]
    fields += [(f"allergies.{i}", f"Allergy {i}", a) for i, a in enumerate(data.allergies, 1)]
    issues: list[FieldIssue] = []
    for key, label, value in fields:
        if key not in refused:
            issues += check_printable(value, key, label)
    return issues


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
    issues += _printable(data, {i.field for i in issues})
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
        pid = repo.add_patient(db, patient, ctx.operator)
    ctx.changes.publish(Changes(patient=True, medications=True, patient_id=pid))
    return pid


IMPORT_COLUMNS = ("name", "dob", "phone", "address", "medications", "allergies", "nkda")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def import_patients_csv(ctx: AppContext, path: Path) -> list[int]:
    """Import patients from a CSV file (UTF-8, header row; see IMPORT_COLUMNS).

    ``medications`` and ``allergies`` hold several entries separated by ';'; ``nkda`` is yes/no.
    Every row is checked first; one bad row refuses the whole file (issues are named
    ``row N.field``) and nothing is written. Good files go in with one transaction.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in ("name", "dob") if c not in header]
            unknown = [c for c in header if c not in IMPORT_COLUMNS]
            if missing or unknown:
                raise InputRefused([error(
                    "file", "bad_header",
                    f"{path.name}: the header row must name the columns "
                    + ", ".join(IMPORT_COLUMNS)
                    + (f"; missing: {', '.join(missing)}" if missing else "")
                    + (f"; not known: {', '.join(unknown)}" if unknown else "") + ".")])
            rows = [{(k or "").strip().lower(): (v or "") for k, v in r.items()} for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputRefused([error("file", "unreadable",
                                  f"{path}: cannot be read as a UTF-8 CSV file ({exc}).")]) from exc
    checked: list[Patient] = []
    issues: list[FieldIssue] = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        nkda_raw = row.get("nkda", "").strip().lower()
        if nkda_raw not in _YES | _NO:
            issues.append(error(f"row {n}.nkda", "bad_choice",
                                f"Row {n}: nkda {nkda_raw!r} is not accepted; use yes or no."))
            continue
        data = PatientInput(
            name=row.get("name", ""), dob=row.get("dob", ""), phone=row.get("phone", ""),
            address=row.get("address", ""),
            medications=[m for m in row.get("medications", "").split(";") if m.strip()],
            allergies=[a for a in row.get("allergies", "").split(";") if a.strip()],
            nkda=nkda_raw in _YES)
        patient, problems = check_patient(data)
        issues += [FieldIssue(f"row {n}.{i.field}", i.severity, i.code, f"Row {n}: {i.message}")
                   for i in problems]
        if patient is not None:
            checked.append(patient)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        ids = repo.add_patients_bulk(db, checked, ctx.operator)
    ctx.changes.publish(Changes(patient=True, medications=True))
    return ids


def update_patient(ctx: AppContext, patient_id: int, data: PatientInput) -> Patient:
    """Check and replace a stored patient's details; return the stored patient."""
    before = get_patient(ctx, patient_id)
    patient, issues = check_patient(data)
    if patient is None:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        repo.update_patient(db, replace(patient, id=patient_id), ctx.operator)
    after = get_patient(ctx, patient_id)
    meds_changed = [m.text for m in before.medications] != [m.text for m in after.medications]
    ctx.changes.publish(Changes(patient=True, medications=meds_changed, patient_id=patient_id))
    return after


def get_patient(ctx: AppContext, patient_id: int) -> Patient:
    p = repo.get_patient(ctx.store.db, patient_id)
    if p is None:
        raise NotFound(f"There is no patient with id {patient_id}.")
    return p


def list_patients(ctx: AppContext, *, limit: int = 1000, offset: int = 0) -> list[Patient]:
    return repo.list_patients(ctx.store.db, limit=limit, offset=offset)


def search_patients(ctx: AppContext, query: str, *, limit: int = 50) -> list[Patient]:
    return repo.search_patients(ctx.store.db, query, limit=limit)
