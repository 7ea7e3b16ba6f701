"""`k2desk handout ...`"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import err
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.outputs import check_output_path


def write_after_commit(ctx: AppContext, doc_id: int, path: str, what: str) -> int:
    """Write the stored PDF to ``path``; on failure say the document is kept and how to save it."""
    try:
        doc_svc.save_pdf(ctx, doc_id, path)
    except OperationFailed as exc:
        err(f"{exc} The {what} is stored as document {doc_id}; save a copy with "
            f"'k2desk document save {doc_id} -o FILE.pdf'.")
        return 1
    return 0


def cmd_create(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.output:  # checked before anything is stored, so a bad path adds no document
        check_output_path(ctx.data_dir, args.output)
    # Said before anything is made: which snippets the language leaves out, and why (issue 25).
    plan = svc.handout_plan(ctx, args.patient, topics=args.topic or [], snippet_ids=args.snippet or [],
                            language=args.language)
    for left in plan.left_out:
        err(f"left out of the {plan.name} handout: {left.snippet_id}: {left.reason}")
    if plan.foods_left_out:
        err(f"{plan.foods_left_out}")
    doc_id = svc.create_handout(ctx, args.patient, topics=args.topic or [],
                                snippet_ids=args.snippet or [], ack_by=args.ack_by,
                                ack_reason=args.ack_reason, language=args.language)
    sys.stdout.write(f"{doc_id}\n")
    sys.stdout.flush()
    return write_after_commit(ctx, doc_id, args.output, "handout") if args.output else 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("handout", help="make patient handouts from vetted evidence")
    ps = p.add_subparsers(dest="handout_command", metavar="ACTION", required=True)
    c = ps.add_parser("create", help="make and store a handout; prints the new document id")
    c.add_argument("--patient", type=int, required=True, metavar="ID")
    c.add_argument("--topic", action="append", metavar="T", help="a library topic (repeat for each)")
    c.add_argument("--snippet", action="append", metavar="ID",
                   help="a vetted snippet to include (repeat for each)")
    c.add_argument("--ack-by", metavar="NAME",
                   help="the pharmacist who reviewed a major interaction")
    c.add_argument("--ack-reason", metavar="TEXT", help="why it is safe to go ahead")
    c.add_argument("-o", "--output", required=True, metavar="FILE.pdf",
                   help="also save the PDF here (written after it is stored)")
    c.add_argument("--language", metavar="CODE",
                   help="the handout's language (default: the patient's); 'k2desk handout "
                        "languages' lists them")
    c.set_defaults(handler=cmd_create)
    langs = ps.add_parser("languages", help="list the languages handouts can be made in")
    langs.set_defaults(handler=cmd_languages)


def cmd_languages(ctx: AppContext, args: argparse.Namespace) -> int:
    """Each language with a template; one whose template has problems is marked and its
    problems named on stderr (exit 1), so 'listed' means a handout can be made in it."""
    broken = 0
    for lang in svc.languages():
        problems = svc.template_problems(lang.code)
        mark = "\ttemplate has problems: handouts are refused" if problems else ""
        sys.stdout.write(f"{lang.code}\t{lang.label}{mark}\n")
        for problem in problems:
            sys.stderr.write(f"k2desk: {lang.code}: {problem}\n")
        broken += bool(problems)
    return 1 if broken else 0
