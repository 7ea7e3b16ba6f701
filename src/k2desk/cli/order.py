"""`k2desk order ...`"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from k2desk.cli.handout import write_after_commit
from k2desk.cli.output import print_json, print_table, record_id
from k2desk.cli.progress import progress_bar
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.order_log import OrderSummary
from k2desk.domain.order_log import order_json as log_order_json
from k2desk.domain.orders import STATUSES
from k2desk.domain.roles import CONTACT_METHODS
from k2desk.services import order_copy
from k2desk.services import order_export as export_svc
from k2desk.services import order_report as report_svc
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.inputs import ORDER_JSON_LIMIT, JsonRefused, decode_utf8, load_json, read_input_file
from k2desk.services.outputs import check_output_path


def _override(text: str) -> tuple[str, str]:
    key, sep, reason = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not FIELD=REASON (for example prescriber.npi=\"Verified on NPPES\")")
    return key.strip(), reason


def _read_order_file(path: str) -> Any:
    if not Path(path).exists():
        raise InputRefused([error("file", "not_found", f"The order file {path} does not exist.")])
    # At most 1 MB is read (/dev/zero is refused, not a MemoryError); a UTF-8 byte-order mark,
    # as Windows editors write it, is accepted as CSV import accepts it (issue 18).
    raw = read_input_file(path, ORDER_JSON_LIMIT, "an order")
    text = decode_utf8(raw, path, "order file")
    try:
        return load_json(text)
    except JsonRefused as exc:
        raise InputRefused([error("file", "bad_json",
                                  f"The order file {path} is not accepted: {exc}.")]) from None
    except json.JSONDecodeError as exc:
        raise InputRefused([error("file", "bad_json",
                                  f"The order file {path} is not valid JSON: {exc.msg} at line "
                                  f"{exc.lineno}, column {exc.colno}.")]) from None


def cmd_create(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.output:  # checked before anything is stored, so a bad path adds no document
        check_output_path(ctx.data_dir, args.output)
    patient_id = args.patient
    if args.copy_from is not None:
        # A refill: lines, compound, sig and prescriber from the earlier order, dated today; the
        # interaction review, acknowledgement and overrides are the new order's own.
        patient_id, data = order_copy.order_json_from(ctx, args.copy_from, patient_id=patient_id,
                                                      field="--patient")
    elif patient_id is None:
        raise InputRefused([error("--patient", "required", "--patient is required with --file.")])
    else:
        data = _read_order_file(args.file)
    overrides = dict(args.override or [])
    notes: list[FieldIssue] = []
    order_id, doc_id = svc.create_order(ctx, patient_id, data, overrides, ack_by=args.ack_by,
                                        ack_reason=args.ack_reason, ack_contact=args.ack_contact,
                                        ack_contact_note=args.ack_contact_note, notes=notes)
    for n in notes:  # what was normalised goes to stderr; stdout stays the order id alone
        sys.stderr.write(f"{n.field}: normalised: {n.message}\n")
    sys.stdout.write(f"{order_id}\n")
    sys.stdout.flush()
    return write_after_commit(ctx, doc_id, args.output, f"order {order_id}") if args.output else 0


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = export_svc.order_entry(ctx, args.id)
    o, docs = entry.order, list(entry.documents)
    if args.json:
        print_json(log_order_json(entry))
        return 0
    out = [f"Order {o.id} for patient {o.patient_id}: {o.status}",
           f"  Created {o.created_at} by {o.created_by}; documents: {', '.join(map(str, docs)) or 'none'}"]
    form = svc.order_form()
    for section in form.sections:
        if section.repeating:
            out.append(f"  {section.title}:")
            out += [f"    {n}. {ln.ingredient} {ln.strength} {ln.unit}" for n, ln in enumerate(o.lines, 1)]
            continue
        out.append(f"  {section.title}:")
        for f in section.fields:
            value = o.values.get(f.key, "")
            if value:
                out.append(f"    {f.label}: " + value.replace("\n", "\n      "))
    for v in o.overrides:
        out.append(f"  Override {v.field} by {v.operator}: {v.reason}")
    out.append("  Status history (UTC):")
    for h in entry.history:
        note = f": {h.note}" if h.note else ""
        out.append(f"    {h.at[:19].replace('T', ' ')}  {h.status} by {h.operator}{note}")
    if not entry.history:
        out.append("    (not recorded)")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _filters(args: argparse.Namespace) -> export_svc.OrderFilters:
    return export_svc.OrderFilters(since=args.since, until=args.until, status=args.status,
                                   patient=args.patient, prescriber=args.prescriber,
                                   ingredient=args.ingredient)


def _print_summary(summary: OrderSummary) -> None:
    sys.stdout.write(f"{summary.orders} orders, {summary.lines} order lines\n")
    for title, head, rows in summary.tables():
        sys.stdout.write(f"\n{title}\n")
        print_table(rows, tuple(h.upper().replace("_", " ") for h in head))


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> int:
    filters = _filters(args)
    if args.output is None:
        if not args.summary:
            raise InputRefused([error("output", "required",
                                      "Give the file to write with -o FILE (or ask for --summary only).")])
        _print_summary(export_svc.summarise_orders(ctx, filters))
        return 0
    with progress_bar("Exporting orders", "orders") as tick:
        result = export_svc.export_orders(ctx, Path(args.output), args.format, filters,
                                          summary=args.summary, progress=tick)
    if args.summary:
        _print_summary(result.summary)
    else:
        sys.stdout.write(f"{result.path}\n")
    sys.stderr.write(f"k2desk: {result.orders} orders, {result.rows} rows exported ({result.format})\n")
    return 0


def cmd_report(ctx: AppContext, args: argparse.Namespace) -> int:
    result = report_svc.order_report(ctx, Path(args.output), _filters(args))
    sys.stdout.write(f"{result.path}\n")
    sys.stderr.write(f"k2desk: {result.orders} orders in the order log report (pdf)\n")
    return 0


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    orders = svc.list_orders(ctx, patient_id=args.patient)
    if args.json:
        print_json([log_order_json(export_svc.order_entry(ctx, o.id)) for o in orders])
        return 0
    print_table([(o.id, o.patient_id, o.status, o.created_at[:10], len(o.lines)) for o in orders],
                ("ID", "PATIENT", "STATUS", "CREATED", "LINES"))
    return 0


def cmd_status(ctx: AppContext, args: argparse.Namespace) -> int:
    o = svc.order_status(ctx, args.id, args.new_status, args.note or "")
    sys.stdout.write(f"Order {o.id} is now {o.status}.\n")
    return 0


def _filter_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="YYYY-MM-DD", help="orders created from this day (local time)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="orders created up to this day (inclusive)")
    p.add_argument("--status", metavar="STATUS", help="one of: " + ", ".join(STATUSES))
    p.add_argument("--patient", metavar="ID|NAME", help="a patient id, or part of the name")
    p.add_argument("--prescriber", metavar="NPI|NAME", help="the prescriber's NPI, or part of the name")
    p.add_argument("--ingredient", metavar="TEXT", help="part of an ingredient (or the base)")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("order", help="compound order forms: create, show, status")
    ps = p.add_subparsers(dest="order_command", metavar="ACTION", required=True)

    c = ps.add_parser("create", help="check, store and render an order; prints the new order id")
    c.add_argument("--patient", type=int, metavar="ID", help="required with --file")
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", metavar="ORDER.json",
                     help="the order as JSON (see 'Order file format' in the README)")
    src.add_argument("--from", dest="copy_from", type=record_id, metavar="ORDER_ID",
                     help="copy an earlier order of the patient (lines, compound, sig, prescriber; "
                          "dated today); its interaction review and overrides are not copied")
    c.add_argument("--override", action="append", type=_override, metavar="FIELD=REASON",
                   help="let a warning on FIELD (a dotted key such as prescriber.npi) through, "
                        "with the reason recorded (repeat for each; once operators exist, "
                        "--operator must be a pharmacist)")
    c.add_argument("--ack-by", metavar="NAME", help="the pharmacist who reviewed a major interaction")
    c.add_argument("--ack-reason", metavar="TEXT", help="why it is safe to go ahead")
    c.add_argument("--ack-contact", choices=tuple(CONTACT_METHODS), metavar="HOW",
                   help="how the prescriber or anticoagulation clinic was reached: "
                        + ", ".join(CONTACT_METHODS) + " (not-reached is printed as such)")
    c.add_argument("--ack-contact-note", metavar="TEXT",
                   help="who was reached, or why no one was (printed with the contact method)")
    c.add_argument("-o", "--output", metavar="FILE.pdf",
                   help="also save the order PDF here (written after it is stored)")
    c.set_defaults(handler=cmd_create)

    show = ps.add_parser("show", help="show one order")
    show.add_argument("id", type=record_id)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    ls = ps.add_parser("list", help="list orders, newest first")
    ls.add_argument("--patient", type=int, metavar="ID")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    ex = ps.add_parser("export", help="write the order log (orders, lines, status history) to "
                                      "a CSV, Excel or JSON file")
    ex.add_argument("--format", choices=export_svc.FORMATS,
                    help="csv: one row per ingredient line; xlsx: Orders, Lines and Summary "
                         "sheets; json: one object per order (default: from the file's extension)")
    _filter_arguments(ex)
    ex.add_argument("--summary", action="store_true",
                    help="print counts by ingredient and month, by prescriber, and the dispensed "
                         "quantity by dosage form (with no -o: print them only)")
    ex.add_argument("-o", "--output", metavar="FILE")
    ex.set_defaults(handler=cmd_export)

    rp = ps.add_parser("report", help="print the order log as a fax-ready PDF table "
                                      "(an export: audited, not stored in the log)")
    _filter_arguments(rp)
    rp.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    rp.set_defaults(handler=cmd_report)

    st = ps.add_parser("status", help="move an order to its next status")
    st.add_argument("id", type=record_id)
    st.add_argument("new_status", metavar="NEW_STATUS", help="one of: " + ", ".join(STATUSES))
    st.add_argument("--note", metavar="TEXT",
                    help="for signed-original-received: how it came in (fax, mail, hand); "
                         "for cancelled: why (required)")
    st.set_defaults(handler=cmd_status)
