"""`k2desk log list|search|export|verify`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from k2desk.cli.output import err, print_json, print_table
from k2desk.cli.progress import progress_bar
from k2desk.services import export as export_svc
from k2desk.services import log as svc
from k2desk.services.context import AppContext
from k2desk.storage.log import LogEntry


def entry_json(e: LogEntry) -> dict[str, Any]:
    return {"id": e.document_id, "created_at": e.created_at, "kind": e.kind, "patient_id": e.patient_id,
            "patient_name": e.patient_name, "patient_dob": e.patient_dob or None, "title": e.title,
            "operator": e.operator, "sha256": e.sha256, "size": e.size, "pages": e.pages,
            "order_status": e.order_status}


def _print(entries: list[LogEntry], as_json: bool) -> None:
    if as_json:
        print_json([entry_json(e) for e in entries])
        return
    print_table([(e.document_id, e.created_at[:19].replace("T", " "), e.kind, e.patient_name, e.title,
                  e.order_status or "") for e in entries],
                ("ID", "CREATED (UTC)", "KIND", "PATIENT", "TITLE", "STATUS"))


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    _print(svc.list_log(ctx, since=args.since, until=args.until, kind=args.kind, limit=args.limit), args.json)
    return 0


def cmd_search(ctx: AppContext, args: argparse.Namespace) -> int:
    _print(svc.search_log(ctx, args.query), args.json)
    return 0


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> int:
    with progress_bar("Exporting the log", "rows") as tick:
        result = export_svc.export_log(ctx, Path(args.output), args.format, since=args.since,
                                       until=args.until, kind=args.kind, jsonl=args.jsonl,
                                       progress=tick)
    sys.stdout.write(f"{result.path}\n")
    sys.stderr.write(f"k2desk: {result.rows} rows exported ({result.format})\n")
    return 0


def cmd_verify(ctx: AppContext, args: argparse.Namespace) -> int:
    with progress_bar("Hashing stored PDFs", "documents") as tick:
        report = svc.verify_log(ctx, progress=tick)
    if report.ok:
        sys.stdout.write(report.summary() + "\n")
        return 0
    err(f"verification FAILED: {report.problem}")
    return 1


def cmd_reanchor(ctx: AppContext, args: argparse.Namespace) -> int:
    report = svc.reanchor(ctx, args.reason)
    sys.stdout.write(f"re-anchored: the head file now records {report.events} events\n")
    return 0


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="YYYY-MM-DD", help="from this day (inclusive, local time)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="up to this day (inclusive, local time)")
    p.add_argument("--kind", choices=export_svc.KINDS)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("log", help="list, search, export and verify the document log")
    ps = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)

    ls = ps.add_parser("list", help="stored documents, newest first")
    _filters(ls)
    ls.add_argument("--limit", type=int, default=500)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    se = ps.add_parser("search", help="find documents by patient name, kind, title or id")
    se.add_argument("query")
    se.add_argument("--json", action="store_true")
    se.set_defaults(handler=cmd_search)

    ex = ps.add_parser("export", help="write the log to a CSV, Excel or JSON file")
    ex.add_argument("--format", choices=export_svc.FORMATS, required=True)
    _filters(ex)
    ex.add_argument("--jsonl", action="store_true", help="with --format json: one object per line")
    ex.add_argument("-o", "--output", required=True, metavar="FILE")
    ex.set_defaults(handler=cmd_export)

    ve = ps.add_parser("verify", help="check the audit chain, its head file and backups, every row "
                       "and every stored PDF's SHA-256")
    ve.set_defaults(handler=cmd_verify)
    ra = ps.add_parser("reanchor", help="write a new head file for the audit trail as it is now "
                       "(when the head file was lost; recorded in the trail)")
    ra.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    ra.set_defaults(handler=cmd_reanchor)
