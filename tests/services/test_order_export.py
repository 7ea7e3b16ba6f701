"""Order log export: a demo log of orders with 1-6 lines through every status, exported to CSV,
XLSX and JSON on a real SQLite file, read back with csv, openpyxl and json, and compared with
what `order show --json` prints for each order."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from k2desk.cli import main
from k2desk.domain.order_log import LINE_ROW_COLUMNS, ORDER_ROW_COLUMNS, TIMESTAMP_COLUMNS
from k2desk.domain.spreadsheet import could_run_as_formula
from k2desk.services import order_export as ex
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.storage import audit
from order_log_data import HOSTILE_PRESCRIBER, HOSTILE_SIG, RTL_NAME, expected_dispensed, make_order_log

STATUS_PREFIX = {"sent-for-signature": "sent_for_signature",
                 "signed-original-received": "signed_original_received", "compounded": "compounded",
                 "dispensed": "dispensed", "cancelled": "cancelled"}


@pytest.fixture
def log(ctx: AppContext) -> dict[str, Any]:
    return make_order_log(ctx)


def show_json(capsys: pytest.CaptureFixture[str], order_id: int) -> dict[str, Any]:
    assert main(["order", "show", str(order_id), "--json"]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def expected_line_row(o: dict[str, Any], n: int) -> dict[str, Any]:
    """The CSV row for line n (1-based) of an order, worked out from `order show --json`."""
    f = o["fields"]
    line = o["lines"][n - 1]
    row = {
        "order_id": str(o["id"]), "document_ids": " ".join(map(str, o["documents"])),
        "created_at": o["created_at"], "created_by": o["created_by"], "patient_id": str(o["patient_id"]),
        "patient_name": o["patient"]["name"], "patient_dob": o["patient"]["dob"],
        "prescriber_name": f["prescriber.name"], "prescriber_npi": f["prescriber.npi"],
        "prescriber_dea": f["prescriber.dea"], "prescriber_licence": f["prescriber.licence"],
        "prescriber_phone": f["prescriber.phone"], "prescriber_fax": f["prescriber.fax"],
        "date_written": f["prescriber.date_written"], "diagnosis": f["patient.diagnosis"],
        "icd10": f["patient.icd10"], "line_number": str(n), "ingredient": line["ingredient"],
        "strength": line["strength"], "unit": line["unit"], "base": f["compound.base"],
        "dosage_form": f["compound.dosage_form"], "quantity": f["compound.quantity"],
        "quantity_unit": f["compound.quantity_unit"], "days_supply": f["compound.days_supply"],
        "sig": f["compound.sig"], "refills": f["compound.refills"], "daw": f["compound.daw"],
        "status": o["status"], "interaction_review": f["pharmacy_use.interaction_review"],
        "ack_finding": "\n".join(a["finding"] for a in o["acknowledgements"]),
        "ack_by": "\n".join(a["acknowledged_by"] for a in o["acknowledgements"]),
        "ack_reason": "\n".join(a["reason"] for a in o["acknowledgements"]),
        "ack_at": "\n".join(a["at"] for a in o["acknowledgements"]),
        "ack_contact": "\n".join(a["contact"] for a in o["acknowledgements"] if a["contact"]),
        "override_fields": "\n".join(v["field"] for v in o["overrides"]),
        "override_reasons": "\n".join(v["reason"] for v in o["overrides"]),
        "override_by": "\n".join(v["operator"] for v in o["overrides"]),
    }
    for prefix in STATUS_PREFIX.values():
        row[f"{prefix}_at"] = row[f"{prefix}_by"] = ""
    row["signed_original_received_how"] = row["cancelled_reason"] = ""
    for h in o["status_history"]:
        if h["status"] in STATUS_PREFIX:
            prefix = STATUS_PREFIX[h["status"]]
            row[f"{prefix}_at"], row[f"{prefix}_by"] = h["at"], h["operator"]
            if h["status"] == "signed-original-received":
                row["signed_original_received_how"] = h["note"]
            if h["status"] == "cancelled":
                row["cancelled_reason"] = h["note"]
    return row


def unneutralise(cell: str) -> str:
    """The stored text behind a neutralised cell (the guard adds one leading apostrophe)."""
    return cell[1:] if cell.startswith("'") and could_run_as_formula(cell[1:]) else cell


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def print_sheets(path: Path) -> None:
    """Show the workbook in the test output (pytest -s), as openpyxl reads it."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print(f"--- sheet {ws.title!r}: {ws.max_row} rows x {ws.max_column} columns, "
              f"frozen at {ws.freeze_panes}")
        for row in ws.iter_rows(values_only=True, max_row=6):
            print("   ", [v for v in row][:14])


def test_csv_one_row_per_line_equal_to_order_show(log, ctx, capsys, tmp_path):
    out = tmp_path / "orders.csv"
    result = ex.export_orders(ctx, out, "csv")
    header, body = read_csv(out)
    assert header == list(LINE_ROW_COLUMNS)
    shown = [show_json(capsys, oid) for oid in log["ids"]]
    assert len(body) == sum(len(o["lines"]) for o in shown) == result.rows == 6 * 7 // 2 + 2 + 1
    assert result.orders == len(log["ids"])
    expected = [expected_line_row(o, n) for o in shown for n in range(1, len(o["lines"]) + 1)]
    got = [{c: unneutralise(v) for c, v in zip(header, row, strict=True)} for row in body]
    assert got == expected
    assert raw_bytes_start(out) == b"\xef\xbb\xbf"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    # Every status, its date and operator, the how and the why are there.
    cancelled = [r for r in got if r["order_id"] == str(log["cancelled"])]
    assert {r["cancelled_reason"] for r in cancelled} == {"=Prescriber changed therapy; call back"}
    assert all(r["cancelled_at"] and r["cancelled_by"] == "test-rph" for r in cancelled)
    dispensed = [r for r in got if r["order_id"] == str(log["dispensed"][0])]
    assert all(r["signed_original_received_how"] == "mail" and r["dispensed_at"] for r in dispensed)
    warf = [r for r in got if r["order_id"] == str(log["warfarin_order"])][0]
    assert warf["ack_by"] == "Dana Reyes RPh" and "INR followed" in warf["ack_reason"] and warf["ack_at"]
    assert "warfarin" in warf["ack_finding"].lower() or "coumadin" in warf["ack_finding"].lower()
    assert warf["override_fields"] == "prescriber.npi" and warf["override_by"] == "test-rph"
    assert {r["status"] for r in got} == {"draft", "sent-for-signature", "signed-original-received",
                                         "compounded", "dispensed", "cancelled"}


def raw_bytes_start(path: Path) -> bytes:
    return path.read_bytes()[:3]


def test_csv_neutralises_formula_payloads_and_keeps_rtl_and_newlines(log, ctx, tmp_path):
    out = tmp_path / "orders.csv"
    ex.export_orders(ctx, out)
    header, body = read_csv(out)
    for row in body:
        for cell in row:
            assert not could_run_as_formula(cell), repr(cell)
    prescribers = {r[header.index("prescriber_name")] for r in body}
    sigs = {r[header.index("sig")] for r in body}
    assert "'" + HOSTILE_PRESCRIBER in prescribers
    assert "'" + HOSTILE_SIG in sigs, "the sig keeps its newlines inside one quoted cell"
    assert RTL_NAME in {r[header.index("patient_name")] for r in body}
    reasons = {r[header.index("cancelled_reason")] for r in body}
    assert "'=Prescriber changed therapy; call back" in reasons


def test_json_is_what_order_show_prints(log, ctx, capsys, tmp_path):
    out = tmp_path / "orders.json"
    result = ex.export_orders(ctx, out, "json")
    data = json.loads(out.read_text("utf-8"))
    assert result.rows == len(data) == len(log["ids"])
    assert data == [show_json(capsys, oid) for oid in log["ids"]]
    assert [h["status"] for h in data[4]["status_history"]] == [
        "draft", "sent-for-signature", "signed-original-received", "compounded", "dispensed"]
    assert data[5]["status_history"][-1]["note"] == "=Prescriber changed therapy; call back"


def test_xlsx_orders_lines_and_summary_sheets(log, ctx, capsys, tmp_path):
    out = tmp_path / "orders.xlsx"
    result = ex.export_orders(ctx, out)  # the format comes from the extension
    with capsys.disabled():
        print_sheets(out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Orders", "Lines", "Summary"]
    orders_ws, lines_ws = wb["Orders"], wb["Lines"]
    assert orders_ws.freeze_panes == "A2" and lines_ws.freeze_panes == "A2"
    assert lines_ws.column_dimensions["A"].width == 9  # order_id
    shown = [show_json(capsys, oid) for oid in log["ids"]]
    o_head = [c.value for c in orders_ws[1]]
    l_head = [c.value for c in lines_ws[1]]
    assert o_head == [c + " (UTC)" if c in TIMESTAMP_COLUMNS else c for c in ORDER_ROW_COLUMNS]
    assert l_head == [c + " (UTC)" if c in TIMESTAMP_COLUMNS else c for c in LINE_ROW_COLUMNS]
    o_rows = list(orders_ws.iter_rows(min_row=2, values_only=True))
    l_rows = list(lines_ws.iter_rows(min_row=2, values_only=True))
    assert len(o_rows) == len(shown) and len(l_rows) == result.rows == sum(len(o["lines"]) for o in shown)
    for o, row in zip(shown, o_rows, strict=True):
        cells = dict(zip(ORDER_ROW_COLUMNS, row, strict=True))
        assert cells["order_id"] == o["id"]
        assert cells["ingredients"] == "\n".join(f"{ln['ingredient']} {ln['strength']} {ln['unit']}"
                                                 for ln in o["lines"])
        assert cells["lines"] == len(o["lines"])
        created = dt.datetime.fromisoformat(o["created_at"]).astimezone(dt.UTC).replace(tzinfo=None)
        assert isinstance(cells["created_at"], dt.datetime)
        assert abs(cells["created_at"] - created) < dt.timedelta(seconds=1)  # Excel keeps ms
        assert cells["patient_dob"] == dt.datetime.fromisoformat(o["patient"]["dob"])  # a date cell
        assert cells["patient_name"] == o["patient"]["name"]
        for status, prefix in STATUS_PREFIX.items():
            h = [x for x in o["status_history"] if x["status"] == status]
            assert (cells[f"{prefix}_at"] is not None) == bool(h), (o["id"], status)
    # Every column of the Lines sheet equals what `order show --json` says (typed cells read back).
    expected = [expected_line_row(o, n) for o in shown for n in range(1, len(o["lines"]) + 1)]
    for want, row in zip(expected, l_rows, strict=True):
        for column, value in zip(LINE_ROW_COLUMNS, row, strict=True):
            if isinstance(value, dt.datetime) and column in TIMESTAMP_COLUMNS:
                stored = dt.datetime.fromisoformat(want[column]).astimezone(dt.UTC).replace(tzinfo=None)
                assert abs(value - stored) <= dt.timedelta(milliseconds=1), (column, value)  # Excel: ms
                continue
            assert _xlsx_text(column, value) == want[column], (want["order_id"], column, value)
    # No cell on any sheet is a formula; the hostile ones carry the apostrophe.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    names = {r[LINE_ROW_COLUMNS.index("prescriber_name")] for r in l_rows}
    sigs = {r[LINE_ROW_COLUMNS.index("sig")] for r in l_rows}
    assert "'" + HOSTILE_PRESCRIBER in names and "'" + HOSTILE_SIG in sigs
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def _xlsx_text(column: str, value: Any) -> str:
    """A cell read back by openpyxl, as the CSV would hold it (for comparison)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a date cell (date of birth, date written)
        return value.date().isoformat()
    if isinstance(value, str):
        return unneutralise(unescape(value))
    return str(value)


def summary_sheet(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    ws = openpyxl.load_workbook(path)["Summary"]
    tables: dict[str, list[tuple[Any, ...]]] = {}
    current: list[tuple[Any, ...]] | None = None
    for row in ws.iter_rows(values_only=True):
        row = tuple(row)
        if row[0] is None:
            current = None
        elif current is None and (len(row) < 2 or row[1] is None):
            current = tables.setdefault(str(row[0]), [])
        elif current is not None:
            current.append(row[:4])
        else:
            tables.setdefault("totals", []).append(row)
    return tables


def test_summary_counts_match_a_count_done_here(log, ctx, capsys, tmp_path):
    out = tmp_path / "orders.xlsx"
    ex.export_orders(ctx, out)
    shown = [show_json(capsys, oid) for oid in log["ids"]]
    tables = summary_sheet(out)
    n_lines = sum(len(o["lines"]) for o in shown)
    assert {r[0]: r[1] for r in tables["totals"]} == {"orders": len(shown), "order lines": n_lines}
    month = dt.datetime.now().astimezone().strftime("%Y-%m")
    by_ingredient: dict[str, list[int]] = {}
    for o in shown:
        for ing in {ln["ingredient"] for ln in o["lines"]}:
            c = by_ingredient.setdefault(ing, [0, 0])
            c[0] += 1
            c[1] += sum(1 for ln in o["lines"] if ln["ingredient"] == ing)
    rows = tables["Orders and lines by ingredient and month"]
    assert rows[0] == ("ingredient", "month", "orders", "lines")
    assert {r[0]: [r[2], r[3]] for r in rows[1:]} == by_ingredient
    assert {r[1] for r in rows[1:]} == {month}
    by_prescriber: dict[tuple[str, str], int] = {}
    for o in shown:
        key = (o["fields"]["prescriber.name"], o["fields"]["prescriber.npi"])
        by_prescriber[key] = by_prescriber.get(key, 0) + 1
    rows = tables["Orders and lines by prescriber"]
    assert {(r[0].removeprefix("'") if r[0].startswith("'=") else r[0], r[1]): r[2]
            for r in rows[1:]} == by_prescriber
    disp = expected_dispensed(shown)
    assert disp == {("capsule", "capsules"): Decimal(120)}
    rows = tables["Dispensed quantity by dosage form and unit"]
    assert rows[1:] == [("capsule", "capsules", 2, 120)]
    # The same counts on the command line.
    assert main(["order", "export", "--summary"]) == 0
    text = capsys.readouterr().out
    assert f"{len(shown)} orders, {sum(len(o['lines']) for o in shown)} order lines" in text
    assert "capsule" in text and "120" in text and "MK-7 (menaquinone-7)" in text


def test_each_filter_narrows_as_documented(log, ctx, capsys, tmp_path):
    shown = {oid: show_json(capsys, oid) for oid in log["ids"]}

    def ids(**filters: Any) -> list[int]:
        out = tmp_path / "f.json"
        ex.export_orders(ctx, out, "json", ex.OrderFilters(**filters))
        return [o["id"] for o in json.loads(out.read_text("utf-8"))]

    every = ids()
    assert every == log["ids"]
    assert ids(status="cancelled") == [log["cancelled"]]
    assert ids(status="dispensed") == log["dispensed"]
    assert ids(patient=str(log["rtl"])) == [i for i in every if shown[i]["patient_id"] == log["rtl"]]
    assert ids(patient="الأحمد") == ids(patient=log["rtl"]) != []
    assert ids(patient="souza") == [i for i in every if shown[i]["patient_id"] == log["ana"]]
    assert ids(prescriber="1234567890") == [log["warfarin_order"]]
    assert ids(prescriber="evil.example") == [log["ids"][1]]
    assert ids(prescriber="lopez") == [i for i in every if "Lopez" in shown[i]["fields"]["prescriber.name"]]
    assert ids(ingredient="boron") == [log["ids"][5]]
    assert ids(ingredient="magnesium") == [i for i in every if len(shown[i]["lines"]) >= 4]
    assert ids(ingredient="microcrystalline") == every, "the base matches too"
    assert ids(ingredient="100%_") == [], "LIKE wildcards are taken literally"
    today = dt.date.today()
    assert ids(since=today.isoformat(), until=today.isoformat()) == every
    assert ids(until=(today - dt.timedelta(days=1)).isoformat()) == []
    assert ids(since=(today + dt.timedelta(days=1)).isoformat()) == []
    assert ids(status="dispensed", ingredient="cholecalciferol") == log["dispensed"]
    # The CSV narrows the same way, line by line.
    out = tmp_path / "f.csv"
    result = ex.export_orders(ctx, out, "csv", ex.OrderFilters(status="dispensed"))
    _header, body = read_csv(out)
    assert len(body) == result.rows == sum(len(shown[i]["lines"]) for i in log["dispensed"])


def test_bad_filters_are_refused_with_what_is_accepted_and_write_nothing(log, ctx, tmp_path):
    out = tmp_path / "x.csv"
    before = sum(1 for _ in audit.iter_events(ctx.store.db))
    with pytest.raises(InputRefused) as exc:
        ex.export_orders(ctx, out, "csv", ex.OrderFilters(since="2026-13-01", until="yesterday",
                                                         status="shipped", prescriber="12345"))
    fields = {i.field for i in exc.value.issues}
    assert fields == {"since", "until", "status", "prescriber"}
    status_msg = next(i.message for i in exc.value.issues if i.field == "status")
    assert "shipped" in status_msg and "dispensed" in status_msg
    with pytest.raises(InputRefused) as exc:
        ex.export_orders(ctx, out, "csv", ex.OrderFilters(since="2026-05-02", until="2026-05-01"))
    assert exc.value.issues[0].code == "date_order"
    with pytest.raises(InputRefused) as exc:
        ex.export_orders(ctx, tmp_path / "x.pdf")
    assert exc.value.issues[0].field == "format"
    with pytest.raises(InputRefused) as exc:
        ex.export_orders(ctx, tmp_path / "missing" / "x.csv")
    assert exc.value.issues[0].code == "no_folder"
    assert not out.exists() and list(tmp_path.glob(".*part")) == []
    assert sum(1 for _ in audit.iter_events(ctx.store.db)) == before


def test_export_is_audited_without_names_and_cancel_leaves_no_file(log, ctx, tmp_path):
    out = tmp_path / "o.csv"
    ex.export_orders(ctx, out, "csv", ex.OrderFilters(patient="Souza", status="dispensed"))
    ev = [e for e, _ in audit.iter_events(ctx.store.db) if e.action == "export"][-1]
    assert ev.entity == "order_log" and ev.details["format"] == "csv"
    assert ev.details["filtered_by"] == ["patient"] and ev.details["status"] == "dispensed"
    assert "Souza" not in json.dumps(ev.details)
    seen: list[tuple[int, int]] = []

    def cancel(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    with pytest.raises(ex.ExportCancelled):
        ex.export_orders(ctx, tmp_path / "c.xlsx", progress=cancel)
    assert seen and not (tmp_path / "c.xlsx").exists() and list(tmp_path.glob(".*part")) == []


def test_cli_order_export(log, capsys, tmp_path):
    out = tmp_path / "orders.csv"
    assert main(["order", "export", "--format", "csv", "-o", str(out), "--status", "cancelled"]) == 0
    o, err = capsys.readouterr()
    assert o.strip() == str(out) and "1 orders, 6 rows exported (csv)" in err
    assert main(["order", "export", "--format", "csv", "-o", str(out), "--status", "lost"]) != 0
    o, err = capsys.readouterr()
    assert "status" in err and "'lost' is not an order status" in err and "Traceback" not in err
    assert main(["order", "export", "--format", "csv"]) != 0
    assert "-o FILE" in capsys.readouterr().err
