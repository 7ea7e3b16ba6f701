"""`k2desk document ...`: the stored document log."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import err, print_json, print_table, record_id
from k2desk.domain.records import StoredDocument
from k2desk.domain.reprint import REPRINT_REASONS
from k2desk.services import doc_use
from k2desk.services import documents as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.outputs import check_output_path


def document_json(d: StoredDocument) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind, "patient_id": d.patient_id, "source_table": d.source_table,
            "source_id": d.source_id, "title": d.title, "sha256": d.sha256, "size": d.size,
            "pages": d.pages, "created_at": d.created_at, "operator": d.operator}


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.id is not None:
        # A document number as typed or scanned (D-123, 123); other filters still apply.
        found = svc.document_by_reference(ctx, args.id, field="--id")
        docs = [d for d in [found] if d is not None and (args.patient is None or d.patient_id == args.patient)
                and (args.kind is None or d.kind == args.kind)]
    else:
        docs = svc.list_documents(ctx, patient_id=args.patient, kind=args.kind)
    if args.json:
        print_json([document_json(d) for d in docs])
        return 0
    print_table([(d.id, d.kind, d.patient_id or "", d.title, d.pages, d.created_at[:19], d.operator)
                 for d in docs], ("ID", "KIND", "PATIENT", "TITLE", "PAGES", "CREATED", "BY"))
    return 0


def cmd_reprint(ctx: AppContext, args: argparse.Namespace) -> int:
    reason = doc_use.checked_reason(args.reason, args.note or "")
    doc_use.reprint_to_file(ctx, args.doc_id, reason, args.output)
    return 0


def cmd_reprints(ctx: AppContext, args: argparse.Namespace) -> int:
    svc.get_document(ctx, args.doc_id)  # an unknown id is an error, not an empty list
    rows = doc_use.reprints(ctx, args.doc_id)
    if args.json:
        print_json([{"at": r.at, "operator": r.operator, "reason": r.reason.code if r.reason else None,
                     "reason_note": r.reason.note if r.reason else "", "pages": r.pages} for r in rows])
        return 0
    print_table([(r.at[:19].replace("T", " "), r.operator,
                  r.reason.label() if r.reason else "(none recorded)")
                 for r in rows], ("REPRINTED (UTC)", "BY", "REASON"))
    return 0


def cmd_save(ctx: AppContext, args: argparse.Namespace) -> int:
    svc.save_pdf(ctx, args.doc_id, args.output)
    return 0


def cmd_fax_image(ctx: AppContext, args: argparse.Namespace) -> int:
    svc.fax_image(ctx, args.doc_id, args.output, fine=not args.standard)
    return 0


def cmd_cover(ctx: AppContext, args: argparse.Namespace) -> int:
    check_output_path(ctx.data_dir, args.output)  # before the cover sheet is stored
    cover_id, pdf = svc.create_cover_sheet(ctx, args.doc_id, args.to_fax, to_name=args.to_name or "",
                                           to_organisation=args.to_organisation or "",
                                           to_phone=args.to_phone or "", note=args.note or "")
    sys.stdout.write(f"{cover_id}\n")
    sys.stdout.flush()
    try:
        svc.write_file(ctx, args.output, pdf)
    except OperationFailed as exc:
        err(f"{exc} The cover sheet is stored as document {cover_id}; save a copy with "
            f"'k2desk document save {cover_id} -o FILE.pdf'.")
        return 1
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("document", help="the stored document log: list, save, fax image, cover")
    ps = p.add_subparsers(dest="document_command", metavar="ACTION", required=True)

    ls = ps.add_parser("list", help="list stored documents, newest first")
    ls.add_argument("--patient", type=int, metavar="ID")
    ls.add_argument("--kind", choices=("handout", "order", "fax-cover"))
    ls.add_argument("--id", metavar="D-123",
                    help="only this document (as printed under the QR code, or its number)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    save = ps.add_parser("save", help="save a copy of the stored PDF (the exact stored bytes)")
    save.add_argument("doc_id", type=record_id, metavar="DOC_ID")
    save.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    save.set_defaults(handler=cmd_save)

    rp = ps.add_parser("reprint", help="write the stored PDF to a file for printing again, with the reason")
    rp.add_argument("doc_id", type=record_id, metavar="DOC_ID")
    rp.add_argument("--reason", required=True, choices=tuple(REPRINT_REASONS))
    rp.add_argument("--note", metavar="TEXT", help="a few words (required with --reason other)")
    rp.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    rp.set_defaults(handler=cmd_reprint)

    rs = ps.add_parser("reprints", help="when a document was reprinted, by whom and why")
    rs.add_argument("doc_id", type=record_id, metavar="DOC_ID")
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(handler=cmd_reprints)

    fi = ps.add_parser("fax-image", help="save the document as a TIFF Class F fax image")
    fi.add_argument("doc_id", type=record_id, metavar="DOC_ID")
    fi.add_argument("-o", "--output", required=True, metavar="FILE.tiff")
    fi.add_argument("--standard", action="store_true",
                    help="98 lines per inch instead of fine (196)")
    fi.set_defaults(handler=cmd_fax_image)

    cv = ps.add_parser("cover", help="make and store a fax cover sheet for a document; prints its id")
    cv.add_argument("doc_id", type=record_id, metavar="DOC_ID")
    cv.add_argument("--to-fax", required=True, metavar="NUMBER")
    cv.add_argument("--to-name", metavar="NAME")
    cv.add_argument("--to-organisation", metavar="TEXT")
    cv.add_argument("--to-phone", metavar="NUMBER")
    cv.add_argument("--note", metavar="TEXT")
    cv.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    cv.set_defaults(handler=cmd_cover)
