"""Exporting the document log to CSV, XLSX or JSON, streamed row by row.

Rows are read from a cursor and written as they come, so a million-row log needs no more
memory than a ten-row one. The file is written next to the destination under a temporary name
(created 0600: it holds patient names) and moved into place only when complete, so a failed or
cancelled export leaves no half-written file. Spreadsheet cells are neutralised by
``domain.spreadsheet.neutralise`` (README: "Spreadsheet export safety").
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import gc
import io
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.spreadsheet import neutralise
from k2desk.domain.validation import parse_date
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, OperationFailed
from k2desk.services.outputs import check_output_path, replacing
from k2desk.storage import audit
from k2desk.storage import log as repo
from k2desk.storage.log import LogEntry, LogQuery

FORMATS = ("csv", "xlsx", "json")
KINDS = ("handout", "order")
COLUMNS = ("document_id", "created_at", "kind", "patient_id", "patient_name", "patient_dob", "title",
           "operator", "sha256", "size", "pages", "order_status")
PROGRESS_EVERY = 500

# Called with (rows written, rows in total); returning False cancels the export.
Progress = Callable[[int, int], object]


class ExportCancelled(OperationFailed):
    """The person cancelled the export; no file was left behind."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: str
    rows: int


def _as_date(value: str | dt.date | None, field: str, label: str) -> tuple[dt.date | None, list[FieldIssue]]:
    if value is None or value == "":
        return None, []
    if isinstance(value, dt.date):
        return value, []
    return parse_date(value, field, label=label)


def _utc_bound(day: dt.date) -> str:
    # A date means the pharmacy's local day; stored times are UTC.
    try:
        local_midnight = dt.datetime.combine(day, dt.time.min).astimezone()
        return local_midnight.astimezone(dt.UTC).isoformat(timespec="microseconds")
    except (OverflowError, ValueError, OSError):
        # A day at the very edge of the calendar (0001-01-01, 9999-12-31 typed as "everything")
        # has no local midnight the platform can convert; no stored order is near it, so the
        # UTC midnight is as good a bound.
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).isoformat(timespec="microseconds")


def _utc_end_bound(day: dt.date) -> str | None:
    """The bound just after the local day ``day`` (inclusive ``--until``); None (no bound) for
    the last day of the calendar, which has no day after it."""
    if day >= dt.date.max:
        return None
    return _utc_bound(day + dt.timedelta(days=1))


def log_query(since: str | dt.date | None = None, until: str | dt.date | None = None,
              kind: str | None = None) -> LogQuery:
    """Check the filters (dates YYYY-MM-DD, both inclusive local days; kind handout|order)."""
    start, issues = _as_date(since, "since", "Start date")
    end, more = _as_date(until, "until", "End date")
    issues += more
    if kind and kind not in KINDS:
        issues.append(error("kind", "bad_choice",
                            f"Kind {kind!r} is not accepted; one of: {', '.join(KINDS)}."))
    if start and end and start > end:
        issues.append(error("until", "date_order", f"End date {end} is before start date {start}."))
    if issues:
        raise InputRefused(issues)
    return LogQuery(since=_utc_bound(start) if start else None,
                    until=_utc_end_bound(end) if end else None,
                    kind=kind or None)


def _format_for(path: Path, fmt: str | None, jsonl: bool) -> tuple[str, bool]:
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        if suffix == "jsonl":
            return "json", True
        fmt = suffix
    if fmt not in FORMATS:
        raise InputRefused([error("format", "bad_choice",
                                  f"Export format {fmt!r} is not accepted; one of: {', '.join(FORMATS)}.")])
    if jsonl and fmt != "json":
        raise InputRefused([error("jsonl", "bad_combination",
                                  "JSON Lines is a form of JSON; use --format json.")])
    return fmt, jsonl


def _plain(row: LogEntry) -> dict[str, Any]:
    return {"document_id": row.document_id, "created_at": row.created_at, "kind": row.kind,
            "patient_id": row.patient_id, "patient_name": row.patient_name,
            "patient_dob": row.patient_dob or None, "title": row.title, "operator": row.operator,
            "sha256": row.sha256, "size": row.size, "pages": row.pages, "order_status": row.order_status}


def _spreadsheet_value(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def _write_csv(out: BinaryIO, blocks: Iterator[tuple[int, bytes]], tick: Callable[[int], None]) -> None:
    # The lines come finished from storage (formula cells neutralised, quoted like csv.writer),
    # as UTF-8 bytes in blocks of thousands: one write a block.
    header = io.StringIO(newline="")
    csv.writer(header).writerow(COLUMNS)
    out.write(header.getvalue().encode("utf-8-sig"))  # the BOM tells Excel it is UTF-8
    for n, block in blocks:
        out.write(block)
        tick(n)


def _write_json(fh: TextIO, rows: Iterator[LogEntry], tick: Callable[[], None], jsonl: bool) -> None:
    if jsonl:
        for row in rows:
            fh.write(json.dumps(_plain(row), ensure_ascii=False) + "\n")
            tick()
        return
    fh.write("[")
    first = True
    for row in rows:
        fh.write(("\n" if first else ",\n") + json.dumps(_plain(row), ensure_ascii=False))
        first = False
        tick()
    fh.write("\n]\n")


_OOXML_ESCAPE_LIKE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_OOXML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\r\x0e-\x1f]")


def ooxml_text(value: str) -> str:
    """Text as an XLSX cell must hold it: control characters XML cannot carry (and a carriage
    return, which XML would turn into a line feed) written as OOXML ``_xHHHH_`` escapes, and a
    literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``, so Excel shows exactly the text."""
    value = _OOXML_ESCAPE_LIKE.sub(r"_x005F_x\1_", value)
    return _OOXML_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _write_xlsx(path: Path | BinaryIO, rows: Iterator[LogEntry], tick: Callable[[], None]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)  # streams rows to disk; strings are written inline
    ws = wb.create_sheet("Log")
    ws.append([c if c != "created_at" else "created_at (UTC)" for c in COLUMNS])

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=ooxml_text(neutralise(value)))
        cell.data_type = "s"  # belt and braces: never a formula, whatever the text
        return cell

    def when(value: dt.datetime | dt.date, fmt: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell

    for row in rows:
        created = dt.datetime.fromisoformat(row.created_at).astimezone(dt.UTC).replace(tzinfo=None)
        dob: Any = None
        if row.patient_dob:
            try:
                dob = when(dt.date.fromisoformat(row.patient_dob), "yyyy-mm-dd")
            except ValueError:
                dob = text(row.patient_dob)
        ws.append([row.document_id, when(created, "yyyy-mm-dd hh:mm:ss"), text(row.kind), row.patient_id,
                   text(row.patient_name), dob, text(row.title), text(row.operator), text(row.sha256),
                   row.size, row.pages, None if row.order_status is None else text(row.order_status)])
        tick()
    save_workbook(wb, path)


def save_workbook(wb: Any, path: Path | BinaryIO) -> None:
    """``wb.save(path)``; when the disk refuses part-way (full disk, file size limit), the
    half-written zip and the sheets' streaming writers are discarded here, quietly, instead of
    printing "Exception ignored ... Traceback" lines when the garbage collector meets them."""
    try:
        wb.save(path)
    except BaseException as exc:
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()
        _discard_quietly(exc)
        raise


def _discard_quietly(exc: BaseException) -> None:
    """Drop what a failed write left in ``exc``'s frames (openpyxl's streaming sheet writers,
    whose generators complain from the garbage collector) without printing anything."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _u: None
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def write_export_file(dest: Path, write: Callable[[BinaryIO], None], what: str) -> None:
    """The one place exports reach the disk: ``write(out)`` fills a new 0600 file beside ``dest``
    (random name, created exclusively, never through a link; ``outputs.replacing``), which is
    synced and moved into place only when complete. A failure or cancel (ExportCancelled raised
    from ``write``) leaves no file behind; a disk error becomes OperationFailed naming ``what``.
    The caller has checked ``dest`` with ``outputs.check_output_path`` before any work."""
    try:
        with replacing(dest) as out:
            write(out)
    except ExportCancelled:
        raise
    except OperationFailed as exc:
        raise OperationFailed(f"{what} could not be written to {dest}: {exc}") from exc
    except BaseException as exc:
        _discard_quietly(exc)  # a sheet writer stopped mid-row by the disk
        reason = _xml_io_error(exc)  # ``replacing`` has removed the temporary file already
        if reason is not None:
            raise OperationFailed(f"{what} could not be written to {dest}: {reason}.") from exc
        raise


def _xml_io_error(exc: BaseException) -> str | None:
    """The disk error inside an XLSX writer's XML serialiser (lxml reports a full disk or a file
    size limit as ``SerialisationError('IO_ENOSPC')``, not as an OSError), in words; else None."""
    text = str(exc)
    if type(exc).__name__ != "SerialisationError" or not text.startswith("IO_"):
        return None
    code = getattr(errno, text[3:], None)
    return os.strerror(code) if isinstance(code, int) else f"the disk refused a write ({text})"


def export_log(ctx: AppContext, path: str | os.PathLike[str], fmt: str | None = None, *,
               since: str | dt.date | None = None, until: str | dt.date | None = None,
               kind: str | None = None, jsonl: bool = False,
               progress: Progress | None = None) -> ExportResult:
    """Write the log (documents oldest first, filtered) to ``path`` and audit the export.

    ``fmt`` is csv, xlsx or json (by default taken from the file's extension; ``.jsonl`` means
    JSON Lines). ``progress(done, total)`` is called every few hundred rows; if it returns False
    the export stops and no file is left.
    """
    dest = Path(path).expanduser()
    fmt, jsonl = _format_for(dest, fmt, jsonl)
    query = log_query(since, until, kind)
    dest = check_output_path(ctx.data_dir, dest)
    db = ctx.store.db
    total = repo.count_rows(db, query)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        before, done = done, done + n
        if progress is not None and (done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == total):
            if progress(done, total) is False:
                raise ExportCancelled("The export was cancelled; no file was written.")

    def write(out: BinaryIO) -> None:
        rows = repo.iter_rows(db, query)
        if fmt == "xlsx":
            _write_xlsx(out, rows, tick)
        elif fmt == "csv":
            _write_csv(out, repo.iter_csv_blocks(db, query), tick)
        else:
            fh = io.TextIOWrapper(out, encoding="utf-8", newline="")
            try:
                _write_json(fh, rows, tick, jsonl)
            finally:
                fh.detach()  # flushes; ``replacing`` syncs and closes the file itself

    write_export_file(dest, write, "The log")
    if progress is not None and total == 0:
        progress(0, 0)
    with ctx.store.write() as wdb:
        # Format, size and filters only: the file name could itself carry a patient's name.
        audit.append(wdb, operator=ctx.operator, action="export", entity="log",
                     details={"format": "jsonl" if jsonl else fmt, "rows": done,
                              "since": str(since or "") or None, "until": str(until or "") or None,
                              "kind": kind or None})
    return ExportResult(dest, "jsonl" if jsonl else fmt, done)
