"""`k2desk interactions ...`: check medications against the vitamin K interaction table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json
from k2desk.domain.interactions import POSSIBLE_MATCH, Acknowledgement, Certainty, Finding
from k2desk.domain.roles import CONTACT_METHODS
from k2desk.services import interactions as svc
from k2desk.services.context import AppContext
from k2desk.services.table_signoff import table_status


def finding_json(i: int, f: Finding, ack: Acknowledgement | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i, "severity": f.severity.value, "input": f.input, "matched": f.matched,
        "agent": f.agent, "drug_class": f.drug_class, "certainty": f.certainty.value,
        "message": f.patient_message, "pharmacist_message": f.pharmacist_message,
        "note": f.note, "citations": list(f.citations), "verified": f.verified,
    }
    if f.is_major:
        data["acknowledged_by"] = ack.operator if ack else None
        data["ack_reason"] = ack.reason if ack else None
        data["ack_at"] = ack.at if ack else None
    return data


def finding_line(f: Finding) -> str:
    how = "exact" if f.certainty is Certainty.EXACT else POSSIBLE_MATCH
    if not f.verified:
        how += ", name not confirmed against a source"
    line = f"{f.severity.value.upper():<8} {f.agent}  (typed: {f.input!r}, {how}) — {f.patient_message}"
    return line + (f" [{f.note}]" if f.note else "")


def _meds(ctx: AppContext, args: argparse.Namespace) -> list[str]:
    meds: list[str] = []
    if args.patient is not None:
        meds += svc.current_medication_texts(ctx, args.patient)
    return meds + list(args.med or [])


def cmd_check(ctx: AppContext, args: argparse.Namespace) -> int:
    meds = _meds(ctx, args)
    findings = svc.check(meds)
    acks: dict[str, Acknowledgement] = {}
    if args.patient is not None:
        svc.get_patient(ctx, args.patient)
        acks = svc.pending_acknowledgements(ctx, args.patient)  # used once, lapse at end of day
    signoff = table_status(ctx).text  # "interaction table not yet signed off ..." until it is
    table = svc.table()
    if args.json:
        # The table's version and this pharmacy's sign-off travel with every answer, even an
        # empty one (issues 11 and 13).
        print_json({"table_version": table.version, "table_reviewed": table.reviewed.isoformat(),
                    "table_signoff": signoff,
                    "findings": [finding_json(i, f, acks.get(f.text))
                                 for i, f in enumerate(findings, 1)]})
        return 0
    out = sys.stdout
    if not meds:
        out.write("No medications to check.\n")
        return 0
    for f in findings:
        out.write(finding_line(f) + "\n")
        if f.is_major and args.patient is not None:
            ack = acks.get(f.text)
            out.write(f"         acknowledged by {ack.operator} at {ack.at}: {ack.reason} "
                      "(pending: the next handout or order uses it; lapses at the end of today)\n"
                      if ack else "         NOT acknowledged: a pharmacist must acknowledge this "
                                  "for each handout or order.\n")
    if not findings:
        out.write(f"No interactions found in {len(meds)} medication(s).\n")
    out.write(f"(interaction table version {table.version}, reviewed {table.reviewed.isoformat()}; "
              f"{signoff})\n")
    return 0


def cmd_acknowledge(ctx: AppContext, args: argparse.Namespace) -> int:
    findings = svc.findings_for_patient(ctx, args.patient)
    for ack_id in svc.acknowledge(ctx, args.patient, findings, args.by, args.reason,
                                  contact=args.contact or "", contact_note=args.contact_note or ""):
        sys.stdout.write(f"{ack_id}\n")
    sys.stderr.write("Pending: the next handout or order for this patient uses it; "
                     "it lapses at the end of today.\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("interactions", help="check medications for vitamin K interactions")
    ps = p.add_subparsers(dest="interactions_command", metavar="ACTION", required=True)

    check = ps.add_parser(
        "check", help="list interaction findings (exit 0 whether or not any is found)",
        description="Check medications as typed (and/or a patient's current medications) "
                    "against the vitamin K interaction table.")
    check.add_argument("med", nargs="*", metavar="MED", help="a medication as typed, e.g. 'Coumadin 5 mg'")
    check.add_argument("--patient", type=int, metavar="ID",
                       help="also check this patient's current medications")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_check)

    ack = ps.add_parser(
        "acknowledge", help="acknowledge a patient's major findings; prints the new ids",
        description="A pending acknowledgement: the next handout or order made for the patient "
                    "uses it up, and it lapses at the end of the day. An order also needs "
                    "--contact (how the prescriber or clinic was reached).")
    ack.add_argument("--patient", type=int, required=True, metavar="ID")
    ack.add_argument("--by", required=True, metavar="NAME",
                     help="the pharmacist acknowledging (a listed pharmacist once operators exist)")
    ack.add_argument("--reason", required=True, metavar="TEXT")
    ack.add_argument("--contact", choices=tuple(CONTACT_METHODS), metavar="HOW",
                     help="for an order: " + ", ".join(CONTACT_METHODS))
    ack.add_argument("--contact-note", metavar="TEXT", help="who was reached, or why no one was")
    ack.set_defaults(handler=cmd_acknowledge)
