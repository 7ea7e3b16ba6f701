"""`k2desk interactions ...`: check medications against the vitamin K interaction table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json
from k2desk.domain.interactions import POSSIBLE_MATCH, Acknowledgement, Certainty, Finding
from k2desk.services import interactions as svc
from k2desk.services.context import AppContext


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
        acks = {a.finding: a for a in reversed(svc.acknowledgements_for_patient(ctx, args.patient))}
    table = svc.table()
    if args.json:
        # The table's version travels with every answer, even an empty one (issue #11).
        print_json({"table_version": table.version, "table_reviewed": table.reviewed.isoformat(),
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
            out.write(f"         acknowledged by {ack.operator} at {ack.at}: {ack.reason}\n" if ack
                      else "         NOT acknowledged: a named operator must acknowledge this "
                           "before a handout or order.\n")
    if not findings:
        out.write(f"No interactions found in {len(meds)} medication(s).\n")
    out.write(f"(interaction table version {table.version}, reviewed {table.reviewed.isoformat()})\n")
    return 0


def cmd_acknowledge(ctx: AppContext, args: argparse.Namespace) -> int:
    findings = svc.findings_for_patient(ctx, args.patient)
    for ack_id in svc.acknowledge(ctx, args.patient, findings, args.by, args.reason):
        sys.stdout.write(f"{ack_id}\n")
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

    ack = ps.add_parser("acknowledge", help="acknowledge a patient's major findings; prints the new ids")
    ack.add_argument("--patient", type=int, required=True, metavar="ID")
    ack.add_argument("--by", required=True, metavar="NAME", help="the pharmacist acknowledging")
    ack.add_argument("--reason", required=True, metavar="TEXT")
    ack.set_defaults(handler=cmd_acknowledge)
