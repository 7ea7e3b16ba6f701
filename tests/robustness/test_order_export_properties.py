"""Order export with any stored text (formula payloads, RTL and mixed scripts, newlines, control
characters, OOXML escape look-alikes): the CSV and XLSX give back exactly what is stored (after
the guard's one apostrophe), no cell can run, and the JSON keeps every value exactly."""

from __future__ import annotations

import csv
import json

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from k2desk.domain.spreadsheet import could_run_as_formula
from k2desk.services import order_export as ex
from k2desk.storage.clock import now_iso

RELAXED = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Text as storage could hold it (an import or an older release): anything but NUL and lone
# surrogates, which SQLite text and UTF-8 files cannot carry.
ANY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
HOSTILE = st.sampled_from(['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                           "\n=1", "＝1", "محمد الأحمد", "דוד כהן\n=1", "_x0041_", "Take 1\r\ndaily",
                           "-12.5", "+18178606083", "\u202e=evil"])
TEXT = st.one_of(HOSTILE, ANY)
COLUMNS = {"prescriber.name": "prescriber_name", "compound.sig": "sig", "compound.base": "base",
           "patient.diagnosis": "diagnosis", "prescriber.phone": "prescriber_phone"}


def _store(ctx, values: dict[str, str], ingredient: str, note: str) -> int:
    now = now_iso()
    with ctx.store.write() as db:
        pid = db.execute("INSERT INTO patients (name, dob, nkda, created_at, created_by, updated_at)"
                         " VALUES (?, '1950-01-02', 1, ?, 'x', ?)",
                         [values["patient.name"], now, now]).lastrowid
        oid = db.execute("INSERT INTO orders (patient_id, status, fields, interactions, created_at,"
                         " created_by, updated_at) VALUES (?, 'cancelled', ?, '[]', ?, 'x', ?)",
                         [pid, json.dumps(values), now, now]).lastrowid
        db.execute("INSERT INTO order_lines (order_id, position, ingredient, strength, unit)"
                   " VALUES (?, 1, ?, '5', 'mg')", [oid, ingredient])
        db.execute("INSERT INTO order_status_history (order_id, status, at, operator, note)"
                   " VALUES (?, 'cancelled', ?, 'x', ?)", [oid, now, note])
    return int(oid or 0)


def _plain(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and could_run_as_formula(cell[1:]) else cell


@RELAXED
@given(values=st.fixed_dictionaries({k: TEXT for k in [*COLUMNS, "patient.name"]}),
       ingredient=TEXT, note=TEXT)
def test_any_stored_text_round_trips_and_never_runs(ctx, tmp_path, values, ingredient, note):
    with ctx.store.write() as db:  # one order per example
        for t in ("order_status_history", "order_lines", "orders"):
            db.execute(f"DELETE FROM {t}")  # noqa: S608 - fixed table names
    oid = _store(ctx, values, ingredient, note)
    expected = {COLUMNS[k]: v for k, v in values.items() if k in COLUMNS}
    expected |= {"patient_name": values["patient.name"], "ingredient": ingredient, "cancelled_reason": note}

    out = tmp_path / "p.csv"
    ex.export_orders(ctx, out, "csv")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1 and rows[0]["order_id"] == str(oid)
    for column, value in expected.items():
        cell = rows[0][column]
        assert not could_run_as_formula(cell), (column, cell)
        assert _plain(cell) == value, column

    out = tmp_path / "p.xlsx"
    ex.export_orders(ctx, out, "xlsx")
    ws = openpyxl.load_workbook(out)["Lines"]
    head = [c.value.removesuffix(" (UTC)") for c in ws[1]]
    row = {h: c for h, c in zip(head, ws[2], strict=True)}
    for column, value in expected.items():
        c = row[column]
        assert c.data_type != "f"
        text = unescape(c.value) if c.value is not None else ""
        assert not could_run_as_formula(text), (column, text)
        assert _plain(text) == value, column

    out = tmp_path / "p.json"
    ex.export_orders(ctx, out, "json")
    (o,) = json.loads(out.read_text("utf-8"))
    assert {k: o["fields"][k] for k in values} == values
    assert o["lines"][0]["ingredient"] == ingredient and o["status_history"][-1]["note"] == note
