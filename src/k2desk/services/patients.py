"""Patient use cases: add, edit, show, list, search."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.languages import ENGLISH
from k2desk.domain.models import Medication, Patient
from k2desk.domain.text import check_text
from k2desk.domain.validation import normalise_phone, validate_allergies, validate_dob
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.services.inputs import PATIENT_CSV_LIMIT, decode_utf8, read_input_file
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
    language: str = "en"  # preferred language for handouts: a code with a handout template


def _printable(data: PatientInput, refused: set[str]) -> list[FieldIssue]:
    """The renderer's own font check, with its wording, on every field that prints (name,
    address, medicines, allergies): refused at entry, not later at "handout create"."""
    from k2desk.documents.fonts import check_printable

    fields = [("name", "Name", data.name), ("address", "Address", data.address)]
    fields += [(f"medications.{i}", f"Medication {i}", m) for i, m in enumerate(data.medications, 1)]
    fields += [(f"allergies.{i}", f"Allergy {i}", a) for i, a in enumerate(data.allergies, 1)]
    issues: list[FieldIssue] = []
    for key, label, value in fields:
        # Printable ASCII is in the body font (tests/services/test_patient_import.py checks every
        # character): most rows of an import need no font loaded and no lookup.
        if key not in refused and not (value.isascii() and value.isprintable()):
            issues += check_printable(value, key, label)
    return issues


def check_patient(data: PatientInput, *, stored_language: str | None = None
                  ) -> tuple[Patient | None, list[FieldIssue]]:
    """Validate every field; return the patient to store, or all the field issues at once.

    ``stored_language`` is the language already on the record being edited: keeping it is
    always allowed, even when its handout template has since been removed, so that a phone
    number or a medication can still be changed (handouts in it are refused, with a reason)."""
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
    language = (data.language or "").strip().lower() or ENGLISH
    if language != stored_language:
        issues += language_issues(language)
    issues += _printable(data, {i.field for i in issues})
    if issues or dob is None:
        return None, issues
    return Patient(
        name=data.name.strip(), dob=dob, phone=phone, address=data.address.strip(),
        notes=data.notes.strip(), nkda=data.nkda, language=language,
        medications=tuple(Medication(text=m.strip()) for m in data.medications),
        allergies=tuple(a.strip() for a in data.allergies),
    ), []


def language_choices() -> list[tuple[str, str]]:
    """(code, label) of every language handouts can be printed in, English first."""
    from k2desk.library.languages import available_languages

    return [(lang.code, lang.label) for lang in available_languages()]


def language_issues(code: str, field_name: str = "language") -> list[FieldIssue]:
    """A preferred language must be one k2desk has a handout template for."""
    from k2desk.library.languages import available_languages

    known = available_languages()
    if code in {lang.code for lang in known}:
        return []
    names = ", ".join(f"{lang.code} ({lang.label})" for lang in known)
    return [error(field_name, "unknown_language",
                  f"Language {code!r} is not one k2desk can print handouts in; available: {names}.")]


def same_patient_key(name: str, dob: dt.date) -> tuple[str, str]:
    """What makes two records the same person for the duplicate check: the name compared the
    way people read it (case folded, runs of spaces as one, accents ignored: a US keyboard types
    "Jose Alvarez" for "José Álvarez") and the date of birth."""
    if name.isascii():  # most names: NFKD leaves ASCII as it is and it has no accents
        return " ".join(name.casefold().split()), dob.isoformat()
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split()), dob.isoformat()


def _existing_same(ctx: AppContext, patients: Sequence[Patient],
                   keys: Sequence[tuple[str, str]] | None = None
                   ) -> dict[tuple[str, str], tuple[int, str]]:
    """Stored patients with the same name and date of birth as any of ``patients`` (whose
    ``same_patient_key``s may be given): key -> (id, name as stored)."""
    wanted = set(keys) if keys is not None else {same_patient_key(p.name, p.dob) for p in patients}
    found = repo.patients_born_on(ctx.store.db, sorted({dob for _n, dob in wanted}))
    return {key: (pid, name) for pid, name, dob in found
            if (key := same_patient_key(name, dt.date.fromisoformat(dob))) in wanted}


def duplicate_issue(ctx: AppContext, patient: Patient) -> FieldIssue | None:
    """The issue when a stored patient has the same name and date of birth, else None."""
    same = _existing_same(ctx, [patient]).get(same_patient_key(patient.name, patient.dob))
    if same is None:
        return None
    return error("name", "duplicate_patient",
                 f"{same[1]} born {patient.dob.isoformat()} is already recorded (patient "
                 f"{same[0]}). Open that record instead, or save this one anyway only if it is a "
                 "different person with the same name and date of birth.")


def add_patient(ctx: AppContext, data: PatientInput, *, allow_duplicate: bool = False) -> int:
    """Check and store a new patient in one transaction; return the new id.

    The same name and date of birth as a stored patient is refused unless ``allow_duplicate``
    (the pharmacist confirmed it is a different person): a second record of one person splits
    their medications and warnings in two (issue 18)."""
    patient, issues = check_patient(data)
    if patient is None:
        raise InputRefused(issues)
    if not allow_duplicate and (dup := duplicate_issue(ctx, patient)) is not None:
        raise InputRefused([dup])
    with ctx.store.write() as db:
        pid = repo.add_patient(db, patient, ctx.operator)
    ctx.changes.publish(Changes(patient=True, medications=True, patient_id=pid))
    return pid


IMPORT_COLUMNS = ("name", "dob", "phone", "address", "medications", "allergies", "nkda", "language")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _file_issue(path: Path, text: str, code: str = "bad_header") -> InputRefused:
    return InputRefused([error("file", code, f"{path.name}: {text}")])


def _read_csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(file line number, row) for each non-blank row; the header, its columns and each row's
    number of values are checked here. Line numbers count every line of the file (blank ones
    and the lines inside a quoted multi-line value too), so an editor's "go to line" finds it."""
    raw = read_input_file(path, PATIENT_CSV_LIMIT, "a patient import")
    text = decode_utf8(raw, path, "patient file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header_row: list[str] = []
        for header_row in reader:
            if any(c.strip() for c in header_row):
                break
        header = [h.strip().lower() for h in header_row]
        missing = [c for c in ("name", "dob") if c not in header]
        unknown = [c for c in header if c not in IMPORT_COLUMNS]
        if missing or unknown:
            raise _file_issue(path, "the header row must name the columns "
                              + ", ".join(IMPORT_COLUMNS)
                              + (f"; missing: {', '.join(missing)}" if missing else "")
                              + (f"; not known: {', '.join(unknown)}" if unknown else "") + ".")
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise _file_issue(path, f"the header row names {', '.join(twice)} more than once; "
                              "each column may appear once (which one would be meant?).",
                              "duplicate_header")
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue  # a blank line
            # Empty values after the last column (a spreadsheet's trailing commas) lose nothing.
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                raise _file_issue(path, f"line {start} has {len(values)} values but the header "
                                  f"names {len(header)} columns; the extra values would be lost. "
                                  "Quote values that contain a comma.", "extra_values")
            # A CRLF file keeps CRLF inside a quoted multi-line value too: that is a line break.
            rows.append((start, {h: (values[i].replace("\r\n", "\n") if i < len(values) else "")
                                 for i, h in enumerate(header)}))
    except csv.Error as exc:
        raise _file_issue(path, f"line {reader.line_num} cannot be read as CSV ({exc}).",
                          "unreadable") from exc
    return rows


def import_patients_csv(ctx: AppContext, path: Path, *, allow_duplicate: bool = False,
                        progress: Callable[[int, int | None], None] | None = None) -> list[int]:
    """Import patients from a CSV file (UTF-8, header row; see IMPORT_COLUMNS).

    ``medications`` and ``allergies`` hold several entries separated by ';'; ``nkda`` is yes/no.
    Every row is checked first; one bad row refuses the whole file (issues are named
    ``line N.field`` with N the line in the file) and nothing is written. A row with the same
    name and date of birth as a stored patient or an earlier row is refused unless
    ``allow_duplicate``. Good files go in with one transaction. ``progress(done, total)`` counts
    the rows checked, then reports all of them once they are stored.

    Where the time goes (100,000 rows): reading and checking each row in Python (names, dates,
    text, printable characters) is most of it; the phone check used to be half of everything
    (phonenumbers.parse + is_valid_number, ~150 µs a number) and is now a compiled pattern
    for the common US spellings (domain.phone_fast), parsed once per distinct number; the insert
    itself is three executemany calls, and sealing the rows (one SHA-256 a row, issue 17)
    happens once, under the single audit event of the import.
    """
    path = Path(path)
    rows = _read_csv_rows(path)
    checked: list[tuple[int, Patient]] = []
    issues: list[FieldIssue] = []
    total = len(rows)
    for done, (n, row) in enumerate(rows, 1):
        if progress is not None and done % 2000 == 0:
            progress(done, total + 1)  # the last step is the write
        nkda_raw = row.get("nkda", "").strip().lower()
        if nkda_raw not in _YES | _NO:
            issues.append(error(f"line {n}.nkda", "bad_choice",
                                f"Line {n}: nkda {nkda_raw!r} is not accepted; use yes or no."))
            continue
        data = PatientInput(
            name=row.get("name", ""), dob=row.get("dob", ""), phone=row.get("phone", ""),
            address=row.get("address", ""),
            medications=[m for m in row.get("medications", "").split(";") if m.strip()],
            allergies=[a for a in row.get("allergies", "").split(";") if a.strip()],
            nkda=nkda_raw in _YES, language=row.get("language", ""))
        patient, problems = check_patient(data)
        issues += [FieldIssue(f"line {n}.{i.field}", i.severity, i.code, f"Line {n}: {i.message}")
                   for i in problems]
        if patient is not None:
            checked.append((n, patient))
    if not allow_duplicate:
        keys = [same_patient_key(p.name, p.dob) for _n, p in checked]  # each worked out once
        stored = _existing_same(ctx, [p for _n, p in checked], keys)
        first_line: dict[tuple[str, str], int] = {}
        for (n, p), key in zip(checked, keys, strict=True):
            if key in stored:
                issues.append(error(f"line {n}.name", "duplicate_patient",
                                    f"Line {n}: {p.name} born {p.dob.isoformat()} is already "
                                    f"recorded (patient {stored[key][0]}, {stored[key][1]})."))
            elif key in first_line:
                issues.append(error(f"line {n}.name", "duplicate_patient",
                                    f"Line {n}: {p.name} born {p.dob.isoformat()} is also on "
                                    f"line {first_line[key]} of this file."))
            else:
                first_line[key] = n
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        ids = repo.add_patients_bulk(db, [p for _n, p in checked], ctx.operator)
    if progress is not None:
        progress(total + 1, total + 1)
    ctx.changes.publish(Changes(patient=True, medications=True))
    return ids


def update_patient(ctx: AppContext, patient_id: int, data: PatientInput) -> Patient:
    """Check and replace a stored patient's details; return the stored patient."""
    before = get_patient(ctx, patient_id)
    patient, issues = check_patient(data, stored_language=before.language)
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
