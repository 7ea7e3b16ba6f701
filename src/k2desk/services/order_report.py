"""The printed order log: the chosen orders (the same filters as ``order export``) rendered as a
fax-ready PDF table. An export, not a patient document: audited as an export of the order log,
written through ``write_export_file`` and never stored in the document log."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import BinaryIO

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.order_log import OrderLogReport, OrderSummary, ReportRow, report_row
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.export import (
    PROGRESS_EVERY,
    ExportCancelled,
    Progress,
    write_export_file,
)
from k2desk.services.order_export import OrderExportResult, OrderFilters, checked_query
from k2desk.services.outputs import check_output_path
from k2desk.storage import audit
from k2desk.storage import order_log as repo


def _selection_text(f: OrderFilters) -> str:
    parts = []
    if f.since or f.until:
        parts.append(f"Orders created {f.since or 'from the first'} to {f.until or 'today'}")
    else:
        parts.append("All orders")
    for label, value in (("status", f.status), ("patient", f.patient), ("prescriber", f.prescriber),
                         ("ingredient or base", f.ingredient)):
        if value is not None and str(value).strip():
            parts.append(f"{label} {str(value).strip()}")
    return "; ".join(parts) + "."


def order_report(ctx: AppContext, path: str | os.PathLike[str], filters: OrderFilters | None = None, *,
                 progress: Progress | None = None) -> OrderExportResult:
    """Render the chosen orders as the printable order log (a fax-ready PDF table) to ``path``.

    The report is an export, not a patient document: it is audited as an export of the order
    log and is not stored in the document log.
    """
    from k2desk.documents.order_log_report import render_order_log
    from k2desk.services.rendering import paper_size, pharmacy_profile

    filters = filters or OrderFilters()
    dest = Path(path).expanduser()
    issues: list[FieldIssue] = []
    if dest.suffix.lower() != ".pdf":
        issues.append(error("output", "not_pdf", f"The order log report is a PDF; give a file name "
                            f"ending in .pdf (got {dest.name!r})."))
    try:
        query = checked_query(ctx, filters)
    except InputRefused as exc:
        issues = list(exc.issues) + issues
    if issues:
        raise InputRefused(issues)
    dest = check_output_path(ctx.data_dir, dest)  # before any work: not the database, a backup...
    db = ctx.store.db
    total = repo.count_orders(db, query)
    rows: list[ReportRow] = []
    summary = OrderSummary()
    for entry in repo.iter_orders(db, query):
        rows.append(report_row(entry))
        summary.add(entry)
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            if progress(len(rows), total) is False:
                raise ExportCancelled("The report was cancelled; no file was written.")
    report = OrderLogReport(pharmacy=pharmacy_profile(ctx), paper_size=paper_size(ctx),
                            printed_on=dt.date.today(), selection=_selection_text(filters), rows=tuple(rows))
    pdf = render_order_log(report)

    def write(out: BinaryIO) -> None:
        out.write(pdf)

    write_export_file(dest, write, "The order log report")
    if progress is not None:
        progress(total, total)
    with ctx.store.write() as wdb:
        audit.append(wdb, operator=ctx.operator, action="export", entity="order_log",
                     details={"format": "pdf", "orders": len(rows), "rows": len(rows),
                              "pages": _pages(pdf), **filters.audit_details()})
    return OrderExportResult(dest, "pdf", len(rows), len(rows), summary)


def _pages(pdf: bytes) -> int:
    from k2desk.services.rendering import count_pages

    return count_pages(pdf)
