"""`k2desk library ...`: browse, vet, export and import the evidence library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from k2desk.cli.output import err, print_json, print_table
from k2desk.domain.evidence import (
    OUTCOME_LABELS,
    Citation,
    LocalDecision,
    TranslationDecision,
    english_sha256,
)
from k2desk.services import interactions as interactions_svc
from k2desk.services import library as svc
from k2desk.services.context import AppContext
from k2desk.services.table_signoff import sign_off_table

EXIT_OK, EXIT_FAILED = 0, 1


def citation_json(c: Citation) -> dict[str, Any]:
    return {"id": c.id, "authors": c.authors, "title": c.title, "journal": c.journal,
            "year": c.year, "volume": c.volume, "issue": c.issue, "pages": c.pages, "doi": c.doi,
            "pmid": c.pmid, "formatted": c.formatted()}


def view_json(v: svc.SnippetView, *, full: bool = False) -> dict[str, Any]:
    s, st = v.snippet, v.state
    out: dict[str, Any] = {
        "id": s.id, "version": s.version, "status": st.label, "usable": st.usable,
        "shipped_status": s.status.value, "status_source": st.source.value, "why": v.why,
        "topics": list(s.topics), "section": s.section.value, "question": s.section.question,
        "study_type": s.study_type.value, "evidence_label": s.evidence_label,
        "outcome": s.outcome.value,
        "review_due": st.review_due.isoformat() if st.review_due else None,
        "origin": "imported" if v.imported else "shipped", "citations": list(s.citations),
    }
    if full:
        out.update({
            "text": dict(s.text), "pharmacist_note": s.pharmacist_note, "reading_grade": v.reading_grade,
            "reason": s.reason, "vetted_by": s.vetted_by,
            "vetted_on": s.vetted_on.isoformat() if s.vetted_on else None,
            "citations": [citation_json(c) for c in v.citations],
            "dose": None if s.dose is None else {
                "ingredient": s.dose.ingredient, "aliases": list(s.dose.aliases),
                "max_daily": s.dose.max_daily, "unit": s.dose.unit},
        })
    return out


def _print_views(views: list[svc.SnippetView], as_json: bool) -> None:
    if as_json:
        print_json([view_json(v) for v in views])
        return
    print_table([(v.id, v.snippet.version, v.state.label, v.snippet.study_type.value,
                  v.state.review_due.isoformat() if v.state.review_due else "",
                  ",".join(v.snippet.topics)) for v in views],
                ("ID", "VER", "STATUS", "STUDY TYPE", "REVIEW DUE", "TOPICS"))


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    _print_views(svc.list_snippets(ctx, topic=args.topic, status=args.status), args.json)
    return EXIT_OK


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> int:
    v = svc.show(ctx, args.id)
    if args.json:
        print_json(view_json(v, full=True))
        return EXIT_OK
    s = v.snippet
    grade = v.reading_grade
    lines = [
        f"Snippet {s.id} (version {s.version}, {'imported' if v.imported else 'shipped'})",
        f"  Status: {v.state.label}{'' if v.state.usable else ' (does not print)'}",
        f"  Why: {v.why}",
        f"  Topics: {', '.join(s.topics)}",
        f"  Handout question: {s.section.question}",
        f"  Evidence: {s.evidence_label} ({s.study_type.value}); outcome: {OUTCOME_LABELS[s.outcome]}",
        f"  Reading grade: {grade:.1f}" + ("  (above grade 8: simplify)" if grade > 8 else ""),
    ]
    if v.state.review_due:
        lines.append(f"  Review due: {v.state.review_due.isoformat()}")
    if s.reason:
        lines.append(f"  Reason: {s.reason}")
    if s.dose is not None:
        lines.append(f"  Dose limit: {s.dose.ingredient} up to {s.dose.max_daily:g} {s.dose.unit} a day")
    for lang, text in s.text.items():
        lines.append(f"  Patient text ({lang}): {text}")
    # What a translation of this text must record as source_sha256 (issue 25, docs/languages.md).
    lines.append(f"  English text SHA-256: {english_sha256(s)}")
    lines.append(f"  Pharmacist note: {s.pharmacist_note or '(none)'}")
    lines.append("  Citations:" if v.citations else "  Citations: none")
    for i, c in enumerate(v.citations, 1):
        lines.append(f"    [{i}] {c.formatted()}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_validate(ctx: AppContext, args: argparse.Namespace) -> int:
    report = svc.validation_report(Path(args.dir) if args.dir else None)
    if report.problems:
        for p in report.problems:
            err(p)
        n = len(report.problems)
        err(f"{n} problem{'s' if n != 1 else ''} in {report.folder}; the library cannot be used until "
            "they are fixed.")
        return EXIT_FAILED
    sys.stdout.write(f"{report.snippets} snippets ({report.vetted} vetted), {report.citations} "
                     "citations: ok\n")
    # The interaction table's names that could not be confirmed: they still match (a missed VKA
    # is worse than an unconfirmed brand), and are listed here so they get checked.
    table = interactions_svc.table()
    unverified = interactions_svc.unverified_names()
    sys.stdout.write(f"interaction table version {table.version}: {len(unverified)} "
                     "unverified entr" + ("y" if len(unverified) == 1 else "ies")
                     + (" (they still match; check them against a label or formulary):\n"
                        if unverified else "\n"))
    for line in unverified:
        sys.stdout.write(f"  {line}\n")
    return EXIT_OK


def _decided(d: LocalDecision) -> int:
    sys.stdout.write(f"{d.snippet_id} version {d.version}: {d.status.value} by {d.operator}\n")
    return EXIT_OK


def _translation_decided(d: TranslationDecision) -> int:
    sys.stdout.write(f"{d.snippet_id} ({d.language}) translation version {d.version}, for English "
                     f"version {d.snippet_version}: {d.status.value} by {d.operator}\n")
    return EXIT_OK


def cmd_vet(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.language and args.language != "en":
        return _translation_decided(svc.vet_translation(ctx, args.id, args.language, args.by))
    return _decided(svc.vet(ctx, args.id, args.by))


def cmd_reject(ctx: AppContext, args: argparse.Namespace) -> int:
    if getattr(args, "language", None) and args.language != "en":
        return _translation_decided(svc.reject_translation(ctx, args.id, args.language, args.by,
                                                           args.reason))
    return _decided(svc.reject(ctx, args.id, args.by, args.reason))


def cmd_translations(ctx: AppContext, args: argparse.Namespace) -> int:
    """Each snippet's translation into one language: prints or not, why, reading level."""
    rows = []
    for v in svc.translation_views(ctx, args.language):
        level = v.reading_level
        score = "" if level is None or level[1] is None else f"{level[0]} {level[1]:.1f}"
        rows.append((v.id, "prints" if v.printable else "does not print", score, v.why))
    if args.json:
        print_json([dict(zip(("id", "state", "reading_level", "why"), r, strict=True)) for r in rows])
    else:
        print_table(rows, ("ID", "STATE", "READING LEVEL", "WHY"))
    return EXIT_OK


def cmd_retire(ctx: AppContext, args: argparse.Namespace) -> int:
    return _decided(svc.retire(ctx, args.id, args.by, args.reason))


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> int:
    n = svc.export(ctx, Path(args.output))
    sys.stdout.write(f"Exported {n} snippets to {args.output}\n")
    return EXIT_OK


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> int:
    report = svc.import_file(ctx, Path(args.file))
    for item in report.added + report.updated + report.skipped:
        sys.stdout.write(f"{item.action}: {item.id}: {item.note}\n")
    if report.new_citations:
        sys.stdout.write("citations added: " + ", ".join(c.id for c in report.new_citations) + "\n")
    sys.stdout.write(f"{len(report.added)} added, {len(report.updated)} updated, "
                     f"{len(report.skipped)} skipped, {len(report.unchanged)} unchanged\n")
    changed = report.added + report.updated
    if any("/" not in item.id for item in changed):
        sys.stdout.write("New and updated snippets are not vetted here yet: review them with "
                         "'k2desk library show ID' and vet them with 'k2desk library vet ID --by NAME'.\n")
    if any("/" in item.id for item in changed):  # translations are named "snippet/language"
        sys.stdout.write("New and updated translations are not vetted here yet: review them with "
                         "'k2desk library translations --language CODE' and vet each with "
                         "'k2desk library vet ID --language CODE --by NAME'.\n")
    return EXIT_OK


def cmd_sign_off_table(ctx: AppContext, args: argparse.Namespace) -> int:
    sys.stdout.write(sign_off_table(ctx, args.by, args.note or "").text + "\n")
    return EXIT_OK


def cmd_due(ctx: AppContext, args: argparse.Namespace) -> int:
    _print_views(svc.due_for_review(ctx, args.days), args.json)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("library", help="the evidence library: list, show, vet, export, import")
    ps = p.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    ls = ps.add_parser("list", help="list snippets with the status that counts in this pharmacy")
    ls.add_argument("--topic", metavar="T")
    ls.add_argument("--status", metavar="S", help="draft, vetted, rejected, retired or expired")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    show = ps.add_parser("show", help="one snippet with its citations, evidence label and status")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    val = ps.add_parser("validate", help="check a library folder (default: the shipped one)")
    val.add_argument("dir", nargs="?", metavar="DIR")
    val.set_defaults(handler=cmd_validate)

    vet = ps.add_parser("vet", help="mark a snippet (or its translation) vetted in this pharmacy")
    vet.add_argument("id")
    vet.add_argument("--by", required=True, metavar="NAME", help="the pharmacist who vetted it")
    vet.add_argument("--language", metavar="CODE",
                     help="vet the snippet's translation into this language (e.g. es), not the English")
    tr = ps.add_parser("translations", help="every snippet's translation into one language, and "
                       "whether it prints")
    tr.add_argument("--language", required=True, metavar="CODE")
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(handler=cmd_translations)
    vet.set_defaults(handler=cmd_vet)

    for name, handler, what in (("reject", cmd_reject, "refuse a snippet"),
                                ("retire", cmd_retire, "take a snippet out of use")):
        action = ps.add_parser(name, help=f"{what} in this pharmacy, with a reason")
        action.add_argument("id")
        action.add_argument("--by", required=True, metavar="NAME")
        action.add_argument("--reason", required=True, metavar="R")
        if name == "reject":
            action.add_argument("--language", metavar="CODE",
                                help="refuse the snippet's translation into this language instead")
        action.set_defaults(handler=handler)

    exp = ps.add_parser("export", help="write the library with this pharmacy's decisions as JSON")
    exp.add_argument("-o", "--output", required=True, metavar="FILE")
    exp.set_defaults(handler=cmd_export)

    imp = ps.add_parser("import", help="merge another pharmacy's exported library")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(handler=cmd_import)

    so = ps.add_parser("sign-off-table",
                       help="record that a pharmacist reviewed and signed off the interaction table")
    so.add_argument("--by", required=True, metavar="NAME", help="the pharmacist signing it off")
    so.add_argument("--note", metavar="TEXT")
    so.set_defaults(handler=cmd_sign_off_table)

    due = ps.add_parser("due", help="vetted snippets whose review date is past or near")
    due.add_argument("--days", type=int, default=30, metavar="N")
    due.add_argument("--json", action="store_true")
    due.set_defaults(handler=cmd_due)
