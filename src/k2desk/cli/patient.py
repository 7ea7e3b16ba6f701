"""`k2desk patient ...`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from k2desk.cli.output import print_json, print_table
from k2desk.cli.progress import progress_bar
from k2desk.domain.models import Patient
from k2desk.domain.validation import format_phone
from k2desk.services import patients as svc
from k2desk.services.context import AppContext


def patient_json(p: Patient) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "dob": p.dob.isoformat(), "phone": p.phone,
        "address": p.address, "notes": p.notes, "nkda": p.nkda, "language": p.language,
        "medications": [m.text for m in p.medications], "allergies": list(p.allergies),
        "created_at": p.created_at,
    }


def _print_list(patients: list[Patient], as_json: bool) -> None:
    if as_json:
        print_json([patient_json(p) for p in patients])
        return
    print_table([(p.id, p.name, p.dob.isoformat(), format_phone(p.phone)) for p in patients],
                ("ID", "NAME", "DOB", "PHONE"))


def cmd_add(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = svc.add_patient(ctx, svc.PatientInput(
        name=args.name, dob=args.dob, phone=args.phone or "", address=args.address or "",
        medications=args.med or [], allergies=args.allergy or [], nkda=args.nkda,
        language=args.language or "en"),
        allow_duplicate=args.allow_duplicate)
    sys.stdout.write(f"{pid}\n")
    return 0


def _remove(current: list[str], wanted: list[str], what: str) -> tuple[list[str], list[str]]:
    """``current`` without each of ``wanted`` (matched as typed, ignoring case and spacing);
    the ``wanted`` entries that were not there."""
    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    missing = []
    out = list(current)
    for w in wanted:
        hit = next((c for c in out if key(c) == key(w)), None)
        if hit is None:
            missing.append(f"{what} {w!r} is not on the patient's list")
        else:
            out.remove(hit)
    return out, missing


def cmd_edit(ctx: AppContext, args: argparse.Namespace) -> int:
    """Change a stored patient: the same checks, audit and acknowledgement rules as the window
    (``services.patients.update_patient``). Medications and allergies not named stay."""
    p = svc.get_patient(ctx, args.id)
    meds, missing_meds = _remove([m.text for m in p.medications], args.remove_med or [], "medication")
    allergies, missing_all = _remove(list(p.allergies), args.remove_allergy or [], "allergy")
    missing = missing_meds + missing_all
    if missing:
        from k2desk.domain.issues import error
        from k2desk.services.errors import InputRefused

        raise InputRefused([error("remove", "not_listed", m + "; nothing was changed.")
                            for m in missing])
    meds += args.add_med or []
    allergies += args.add_allergy or []
    nkda = p.nkda if args.nkda is None else args.nkda
    stored = svc.update_patient(ctx, args.id, svc.PatientInput(
        name=p.name if args.name is None else args.name,
        dob=p.dob.isoformat() if args.dob is None else args.dob,
        phone=(p.phone or "") if args.phone is None else args.phone,
        address=(p.address or "") if args.address is None else args.address,
        notes=(p.notes or "") if args.notes is None else args.notes,
        medications=meds, allergies=allergies, nkda=nkda,
        language=p.language if args.language is None else args.language))
    sys.stdout.write(f"Patient {stored.id} saved.\n")
    return 0


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> int:
    with progress_bar("Checking and importing", "rows") as tick:
        ids = svc.import_patients_csv(ctx, Path(args.file), allow_duplicate=args.allow_duplicate,
                                      progress=tick)
    sys.stdout.write(f"imported {len(ids)} patients" + (f" (ids {ids[0]}-{ids[-1]})" if ids else "")
                     + "\n")
    return 0


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    _print_list(svc.list_patients(ctx), args.json)
    return 0


def cmd_search(ctx: AppContext, args: argparse.Namespace) -> int:
    _print_list(svc.search_patients(ctx, args.query), args.json)
    return 0


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> int:
    p = svc.get_patient(ctx, args.id)
    if args.json:
        print_json(patient_json(p))
        return 0
    lines = [
        f"Patient {p.id}: {p.name}",
        f"  Date of birth: {p.dob.isoformat()}",
        f"  Phone: {format_phone(p.phone)}",
        f"  Address: {p.address}",
        f"  Allergies: {p.allergy_text}",
        f"  Handout language: {p.language}",
        "  Medications: " + ("; ".join(m.text for m in p.medications) or "none recorded"),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("patient", help="add, list, show and search patients")
    ps = p.add_subparsers(dest="patient_command", metavar="ACTION", required=True)

    add = ps.add_parser("add", help="add a patient; prints the new id")
    add.add_argument("--name", required=True)
    add.add_argument("--dob", required=True, metavar="DATE",
                     help="date of birth, MM/DD/YYYY or YYYY-MM-DD (never DD/MM); stored as YYYY-MM-DD")
    add.add_argument("--phone")
    add.add_argument("--address")
    add.add_argument("--med", action="append", metavar="TEXT",
                     help="a medication as the patient says it (repeat for each)")
    add.add_argument("--allergy", action="append", metavar="TEXT", help="repeat for each")
    add.add_argument("--nkda", action="store_true", help="no known drug allergies")
    add.add_argument("--language", metavar="CODE",
                     help="preferred language for handouts, e.g. es (default en); "
                          "'k2desk handout languages' lists them")
    add.add_argument("--allow-duplicate", action="store_true",
                     help="save even when a patient with the same name and date of birth exists "
                          "(a different person)")
    add.set_defaults(handler=cmd_add)

    edit = ps.add_parser("edit", help="change a patient (the same checks and audit as the window)")
    edit.add_argument("id", type=int)
    edit.add_argument("--name")
    edit.add_argument("--dob", metavar="DATE", help="MM/DD/YYYY or YYYY-MM-DD")
    edit.add_argument("--phone")
    edit.add_argument("--address")
    edit.add_argument("--notes", metavar="TEXT")
    edit.add_argument("--language", metavar="CODE", help="preferred language for handouts, e.g. es")
    edit.add_argument("--add-med", action="append", metavar="TEXT",
                      help="a medication started, as the patient says it (repeat for each)")
    edit.add_argument("--remove-med", action="append", metavar="TEXT",
                      help="a medication stopped, as listed (repeat for each)")
    edit.add_argument("--add-allergy", action="append", metavar="TEXT", help="repeat for each")
    edit.add_argument("--remove-allergy", action="append", metavar="TEXT", help="repeat for each")
    nk = edit.add_mutually_exclusive_group()
    nk.add_argument("--nkda", dest="nkda", action="store_true", default=None,
                    help="no known drug allergies")
    nk.add_argument("--no-nkda", dest="nkda", action="store_false",
                    help="the patient has allergies (list them with --add-allergy)")
    edit.set_defaults(handler=cmd_edit)

    imp = ps.add_parser("import", help="import patients from a CSV file (all rows or none)")
    imp.add_argument("file", help="UTF-8 CSV with columns: " + ", ".join(svc.IMPORT_COLUMNS))
    imp.add_argument("--allow-duplicate", action="store_true",
                     help="import rows with the same name and date of birth as a stored patient "
                          "or another row (different people)")
    imp.set_defaults(handler=cmd_import)

    ls = ps.add_parser("list", help="list patients")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    show = ps.add_parser("show", help="show one patient")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    search = ps.add_parser("search", help="find patients by name or phone")
    search.add_argument("query")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)
