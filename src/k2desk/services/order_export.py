"""Exporting the order log (every compound order with its prescriber, ingredient lines, status
history, acknowledgements and overrides) to CSV, XLSX or JSON, streamed order by order.

Same conventions as the document log export (``services.export``): the file is written through
``write_export_file`` (0600 temporary file, moved into place when complete), text cells are
neutralised against formula injection (``domain.spreadsheet``), dates are the pharmacy's local
days, and the export is audited with its format, row count and filters (never the file name).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.order_log import (
    DATE_COLUMNS,
    LINE_ROW_COLUMNS,
    ORDER_ROW_COLUMNS,
    TIMESTAMP_COLUMNS,
    OrderLogEntry,
    OrderSummary,
    line_cells,
    order_cells,
    order_json,
    order_row,
)
from k2desk.domain.orders import STATUSES
from k2desk.domain.spreadsheet import FORMULA_TRIGGERS, neutralise
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.services.export import (
    PROGRESS_EVERY,
    ExportCancelled,
    Progress,
    _as_date,
    _utc_bound,
    _utc_end_bound,
    ooxml_text,
    save_workbook,
    write_export_file,
)
from k2desk.services.outputs import check_output_path
from k2desk.storage import audit
from k2desk.storage import order_log as repo
from k2desk.storage import patients as patients_repo
from k2desk.storage.order_log import OrderLogQuery

FORMATS = ("csv", "xlsx", "json")


@dataclass(frozen=True, slots=True)
class OrderFilters:
    """The filters as a person gives them (text); ``order_query`` checks them."""

    since: str | dt.date | None = None
    until: str | dt.date | None = None
    status: str | None = None
    patient: str | int | None = None
    prescriber: str | None = None
    ingredient: str | None = None

    def audit_details(self) -> dict[str, Any]:
        # Which filters were used, not their values: a patient or prescriber name is PHI.
        return {"since": str(self.since or "") or None, "until": str(self.until or "") or None,
                "status": self.status or None,
                "filtered_by": sorted(k for k in ("patient", "prescriber", "ingredient")
                                      if str(getattr(self, k) or "").strip())}


@dataclass(frozen=True, slots=True)
class OrderExportResult:
    path: Path
    format: str
    orders: int
    rows: int  # CSV and JSON: lines / orders written; XLSX: rows on the Lines sheet
    summary: OrderSummary


def order_query(f: OrderFilters) -> OrderLogQuery:
    """Check the filters; refuse them all at once with what is accepted."""
    start, issues = _as_date(f.since, "since", "Start date")
    end, more = _as_date(f.until, "until", "End date")
    issues = list(issues) + list(more)
    if start and end and start > end:
        issues.append(error("until", "date_order", f"End date {end} is before start date {start}."))
    status = (f.status or "").strip() or None
    if status and status not in STATUSES:
        issues.append(error("status", "bad_choice",
                            f"Status {status!r} is not an order status; one of: {', '.join(STATUSES)}."))
    patient_id: int | None = None
    patient_name: str | None = None
    if isinstance(f.patient, int):
        patient_id = f.patient
    elif f.patient is not None and f.patient.strip():
        text = f.patient.strip()
        if text.isdigit():
            patient_id = int(text)
        else:
            patient_name = text
    npi = name = None
    prescriber = (f.prescriber or "").strip()
    if prescriber.isdigit():
        if len(prescriber) != 10:
            issues.append(error("prescriber", "npi_length",
                                f"Prescriber {prescriber!r} looks like an NPI but has {len(prescriber)} "
                                "digits; an NPI has 10. Give the 10-digit NPI or part of the name."))
        npi = prescriber
    elif prescriber:
        name = prescriber
    ingredient = (f.ingredient or "").strip() or None
    for key, value in (("patient", patient_name), ("prescriber", name), ("ingredient", ingredient)):
        if value is not None and any(ord(c) < 32 for c in value):
            issues.append(error(key, "control_chars", f"The {key} filter holds a control character "
                                "(tab, new line); give plain text."))
    if issues:
        raise InputRefused(issues)
    return OrderLogQuery(since=_utc_bound(start) if start else None,
                         until=_utc_end_bound(end) if end else None,
                         status=status, patient_id=patient_id, patient_name=patient_name,
                         prescriber_npi=npi, prescriber_name=name, ingredient=ingredient)


def checked_query(ctx: AppContext, f: OrderFilters) -> OrderLogQuery:
    """``order_query``, and a patient number that names no patient refused (a mistyped number
    would otherwise give an empty export that reads as "no orders for this patient")."""
    query = order_query(f)
    if query.patient_id is not None and patients_repo.get_patient(ctx.store.db, query.patient_id) is None:
        raise InputRefused([error("patient", "not_found",
                                  f"There is no patient with number {query.patient_id}; give a number "
                                  "from the patient list, or part of the name.")])
    return query


def _format_for(path: Path, fmt: str | None) -> str:
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputRefused([error("format", "bad_choice",
                                  f"Export format {fmt!r} is not accepted; one of: {', '.join(FORMATS)}.")])
    return fmt


def order_entry(ctx: AppContext, order_id: int) -> OrderLogEntry:
    """One order as the order log holds it; NotFound for an unknown id."""
    entry = repo.get_entry(ctx.store.db, order_id)
    if entry is None:
        raise NotFound(f"There is no order with id {order_id}.")
    return entry


def iter_order_log(ctx: AppContext, filters: OrderFilters) -> Iterator[OrderLogEntry]:
    """The orders the filters choose, oldest first (checked filters; InputRefused otherwise)."""
    return repo.iter_orders(ctx.store.db, checked_query(ctx, filters))


def summarise_orders(ctx: AppContext, filters: OrderFilters) -> OrderSummary:
    """The summary counts of the orders the filters choose, without writing a file."""
    summary = OrderSummary()
    for entry in iter_order_log(ctx, filters):
        summary.add(entry)
    return summary


# ----------------------------------------------------------------------------- writers

def _csv_cell(value: Any) -> Any:
    # Most cells cannot run: test the first character before the full rule.
    if isinstance(value, str) and value and value[0] in FORMULA_TRIGGERS:
        return neutralise(value)
    return value


def _csv_rows(entry: OrderLogEntry) -> Iterator[list[Any]]:
    """The entry's CSV rows; the order's cells are neutralised once, not once per line."""
    row = {c: _csv_cell(v) for c, v in order_cells(entry).items()}
    for n, line in enumerate(entry.order.lines or (None,), 1):
        row.update({c: _csv_cell(v) for c, v in line_cells(n, line).items()})
        yield [row[c] for c in LINE_ROW_COLUMNS]


def _text(out: BinaryIO, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(out, encoding=encoding, newline="")


def _write_csv(out: BinaryIO, entries: Iterator[OrderLogEntry], tick: Callable[[int], None]) -> int:
    rows = 0
    fh = _text(out, "utf-8-sig")  # the BOM tells Excel it is UTF-8
    try:
        w = csv.writer(fh)
        w.writerow(LINE_ROW_COLUMNS)
        for entry in entries:
            batch = list(_csv_rows(entry))
            w.writerows(batch)
            rows += len(batch)
            tick(1)
    finally:
        fh.detach()  # flushes; the caller's ``replacing`` syncs and closes the file
    return rows


def _write_json(out: BinaryIO, entries: Iterator[OrderLogEntry], tick: Callable[[int], None]) -> int:
    n = 0
    fh = _text(out, "utf-8")
    try:
        fh.write("[")
        for entry in entries:
            fh.write(("\n" if n == 0 else ",\n") + json.dumps(order_json(entry), ensure_ascii=False))
            n += 1
            tick(1)
        fh.write("\n]\n")
    finally:
        fh.detach()
    return n


# Column widths (characters) for the sheets; anything not named gets 14.
_WIDTHS = {"patient_name": 24, "prescriber_name": 24, "ingredient": 28, "ingredients": 36, "sig": 40,
           "diagnosis": 28, "base": 24, "interaction_review": 40, "ack_finding": 36, "ack_reason": 36,
           "override_reasons": 36, "cancelled_reason": 28, "signed_original_received_how": 28,
           "document_ids": 12, "order_id": 9, "line_number": 6, "lines": 6, "strength": 9, "unit": 7}


def _write_xlsx(out: BinaryIO, entries: Iterator[OrderLogEntry], tick: Callable[[int], None],
                summary: OrderSummary) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook(write_only=True)  # each sheet streams to its own temporary file
    orders_ws = wb.create_sheet("Orders")
    lines_ws = wb.create_sheet("Lines")
    summary_ws = wb.create_sheet("Summary")

    def header(ws: Worksheet, columns: tuple[str, ...]) -> None:
        ws.freeze_panes = "A2"
        for i, c in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(c, 14)
        ws.append([c + " (UTC)" if c in TIMESTAMP_COLUMNS else c for c in columns])

    def cell(ws: Worksheet, column: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        if column in TIMESTAMP_COLUMNS and "\n" not in value:
            utc = dt.datetime.fromisoformat(value).astimezone(dt.UTC).replace(tzinfo=None)
            c = WriteOnlyCell(ws, value=utc)
            c.number_format = "yyyy-mm-dd hh:mm:ss"
            return c
        if column in DATE_COLUMNS:
            try:
                c = WriteOnlyCell(ws, value=dt.date.fromisoformat(value))
                c.number_format = "yyyy-mm-dd"
                return c
            except ValueError:
                pass  # stored text that is not a date is exported as the text
        text = ooxml_text(neutralise(value))
        if not text.startswith("="):
            return text  # openpyxl writes a plain string as text; only "=..." would be a formula
        c = WriteOnlyCell(ws, value=text)  # pragma: no cover - neutralise never leaves a leading "="
        c.data_type = "s"  # belt and braces: never a formula, whatever the text
        return c

    header(orders_ws, ORDER_ROW_COLUMNS)
    header(lines_ws, LINE_ROW_COLUMNS)
    rows = 0
    try:
        for entry in entries:
            summary.add(entry)
            o = order_row(entry)
            orders_ws.append([cell(orders_ws, c, o[c]) for c in ORDER_ROW_COLUMNS])
            # The order's cells once per order; each line row reuses them (rows are written as
            # they are appended, so a cell object can serve the next row).
            line = {c: cell(lines_ws, c, v) for c, v in order_cells(entry).items()}
            for n, ln in enumerate(entry.order.lines or (None,), 1):
                line.update({c: cell(lines_ws, c, v) for c, v in line_cells(n, ln).items()})
                lines_ws.append([line[c] for c in LINE_ROW_COLUMNS])
                rows += 1
            tick(1)
    except BaseException:
        # A cancel or failure part-way: close each sheet's streaming writer (and its temporary
        # file) now rather than leaving half-open XML writers to the garbage collector.
        for ws in (orders_ws, lines_ws, summary_ws):
            with contextlib.suppress(Exception):
                ws.close()
        raise
    summary_ws.column_dimensions["A"].width = 36
    summary_ws.column_dimensions["B"].width = 16
    summary_ws.append(["orders", summary.orders])
    summary_ws.append(["order lines", summary.lines])
    for title, head, table in summary.tables():
        summary_ws.append([])
        summary_ws.append([title])
        summary_ws.append(list(head))
        for r in table:
            summary_ws.append([_number(v) if h == "total_quantity" else cell(summary_ws, "", v)
                               for h, v in zip(head, r, strict=True)])
    save_workbook(wb, out)
    return rows


def _number(text: str) -> int | float:
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def export_orders(ctx: AppContext, path: str | os.PathLike[str], fmt: str | None = None,
                  filters: OrderFilters | None = None, *, summary: bool = False,
                  progress: Progress | None = None) -> OrderExportResult:
    """Write the order log (orders oldest first, filtered) to ``path`` and audit the export.

    ``fmt`` is csv (one row per ingredient line), xlsx (Orders, Lines and Summary sheets) or
    json (one object per order, as ``order show --json``); by default from the file's
    extension. ``progress(done, total)`` counts orders; returning False cancels (no file left).
    The result carries the summary counts when ``summary`` is asked for (always for XLSX,
    whose Summary sheet holds them).
    """
    filters = filters or OrderFilters()
    dest = Path(path).expanduser()
    fmt = _format_for(dest, fmt)
    query = checked_query(ctx, filters)
    dest = check_output_path(ctx.data_dir, dest)  # before any work: not the database, a backup...
    db = ctx.store.db
    total = repo.count_orders(db, query)
    done = 0
    counts = OrderSummary()
    rows = 0

    def tick(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if progress is not None and (done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == total):
            if progress(done, total) is False:
                raise ExportCancelled("The export was cancelled; no file was written.")

    def counted(entries: Iterator[OrderLogEntry]) -> Iterator[OrderLogEntry]:
        for e in entries:
            if summary and fmt != "xlsx":
                counts.add(e)
            yield e

    def write(out: BinaryIO) -> None:
        nonlocal rows
        entries = counted(repo.iter_orders(db, query))
        if fmt == "csv":
            rows = _write_csv(out, entries, tick)
        elif fmt == "json":
            rows = _write_json(out, entries, tick)
        else:
            rows = _write_xlsx(out, entries, tick, counts)

    write_export_file(dest, write, "The order log")
    if progress is not None and total == 0:
        progress(0, 0)
    with ctx.store.write() as wdb:
        audit.append(wdb, operator=ctx.operator, action="export", entity="order_log",
                     details={"format": fmt, "orders": done, "rows": rows, **filters.audit_details()})
    return OrderExportResult(dest, fmt, done, rows, counts)


def filter_issues(filters: OrderFilters) -> list[FieldIssue]:
    """The problems with the filters (empty when they are fine), for a window to show."""
    try:
        order_query(filters)
    except InputRefused as exc:
        return list(exc.issues)
    return []
