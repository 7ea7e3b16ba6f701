"""Log export: hostile cells neutralised in CSV and XLSX, JSON forms, filters, streaming memory."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
import tracemalloc

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from k2desk.domain.spreadsheet import could_run_as_formula, neutralise
from k2desk.services import export
from k2desk.services.errors import InputRefused
from k2desk.storage.blobs import add_blob
from k2desk.storage.clock import now_iso
from stored_documents import add_test_patient, store_document

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _patient_raw(ctx, name: str) -> int:
    """Names with a tab or CR are refused by the patient form; an import could still bring them."""
    now = now_iso()
    with ctx.store.write() as db:
        return int(db.execute(
            "INSERT INTO patients (name, dob, created_at, created_by, updated_at)"
            " VALUES (?, '1950-01-02', ?, 'x', ?)", [name, now, now]).lastrowid)


@pytest.fixture
def hostile_log(ctx):
    for name in HOSTILE:
        store_document(ctx, patient_id=_patient_raw(ctx, name), title=name)
    store_document(ctx, patient_id=add_test_patient(ctx), title="+18178606083")
    store_document(ctx, patient_id=None, title="_x0041_ literal")
    store_document(ctx, patient_id=add_test_patient(ctx, "Bo Li"), title="-12.5", kind="order",
                   order_status="sent")
    return ctx


def test_the_rule():
    for text in HOSTILE + ["=1+1", "＝1+1", "\n=1", "-", "+"]:
        assert could_run_as_formula(text), text
        assert neutralise(text) == "'" + text
    for text in ["+18178606083", "-12.5", "+3", "12", "1e5", "Ann Lee", "", "O'Brien", " =1", "a=b"]:
        assert neutralise(text) == text, text


def test_csv_has_bom_and_no_cell_can_run(hostile_log, tmp_path):
    out = tmp_path / "log.csv"
    result = export.export_log(hostile_log, out, "csv")
    assert result.rows == 9
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header == list(export.COLUMNS)
    for row in body:
        for cell in row:
            assert not could_run_as_formula(cell), repr(cell)
    names = [r[header.index("patient_name")] for r in body]
    titles = [r[header.index("title")] for r in body]
    for hostile in HOSTILE:
        assert "'" + hostile in names and "'" + hostile in titles
    assert "+18178606083" in titles and "-12.5" in titles, "phones and plain numbers stay usable"
    order = body[titles.index("-12.5")]
    assert order[header.index("kind")] == "order" and order[header.index("order_status")] == "sent"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_xlsx_has_no_formula_and_typed_dates(hostile_log, tmp_path):
    out = tmp_path / "log.xlsx"
    export.export_log(hostile_log, out)  # the format comes from the extension
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[1] == "created_at (UTC)"
    for row in rows[1:]:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    # Excel decodes OOXML _xHHHH_ escapes (a CR cannot travel raw in XML); openpyxl leaves them.
    body = [[unescape(c.value) if isinstance(c.value, str) else c.value for c in r] for r in rows[1:]]
    names = [r[header.index("patient_name")] for r in body]
    for hostile in HOSTILE:
        assert "'" + hostile in names
    assert isinstance(rows[1][1].value, dt.datetime) and rows[1][1].number_format == "yyyy-mm-dd hh:mm:ss"
    dob_cell = rows[1][header.index("patient_dob")]
    assert dob_cell.value == dt.datetime(1950, 1, 2) and dob_cell.number_format == "yyyy-mm-dd"
    assert isinstance(rows[1][0].value, int)
    titles = [r[header.index("title")] for r in body]
    assert "+18178606083" in titles and "_x0041_ literal" in titles


def test_json_array_and_lines(hostile_log, tmp_path):
    arr = json.loads((export.export_log(hostile_log, tmp_path / "a.json", "json").path).read_text("utf-8"))
    assert [r["patient_name"] for r in arr[:6]] == HOSTILE, "JSON keeps the text exactly"
    assert set(arr[0]) == set(export.COLUMNS)
    result = export.export_log(hostile_log, tmp_path / "a.jsonl", "json", jsonl=True)
    lines = result.path.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == arr and result.format == "jsonl"


def test_filters_and_audit(ctx, tmp_path):
    pid = add_test_patient(ctx)
    store_document(ctx, patient_id=pid, created_at="2026-01-01T12:00:00.000000+00:00")
    store_document(ctx, patient_id=pid, created_at="2026-02-10T12:00:00.000000+00:00", kind="order")
    store_document(ctx, patient_id=pid, created_at="2026-03-20T12:00:00.000000+00:00")
    out = tmp_path / "f.json"
    assert export.export_log(ctx, out, "json", since="2026-02-01").rows == 2
    assert export.export_log(ctx, out, "json", until="2026-02-10").rows == 2
    assert export.export_log(ctx, out, "json", since="2026-02-01", kind="handout").rows == 1
    (event,) = [json.loads(r[0]) for r in ctx.store.conn.execute(
        "SELECT details FROM audit_events WHERE action='export' ORDER BY id DESC LIMIT 1")]
    assert event == {"format": "json", "rows": 1, "since": "2026-02-01", "until": None, "kind": "handout"}
    details = " ".join(r[0] for r in ctx.store.conn.execute("SELECT details FROM audit_events"))
    assert "Ann Lee" not in details


def test_bad_filters_are_refused_with_fields(ctx, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(InputRefused) as info:
        export.export_log(ctx, tmp_path / "x.csv", "csv", since="2026-02-30", kind="memo")
    assert {i.field for i in info.value.issues} == {"since", "kind"}
    with pytest.raises(InputRefused):
        export.export_log(ctx, tmp_path / "x.txt")
    assert not list(tmp_path.iterdir())


def test_progress_and_cancel_leave_no_file(ctx, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    pid = add_test_patient(ctx)
    for _ in range(3):
        store_document(ctx, patient_id=pid)
    seen = []
    export.export_log(ctx, tmp_path / "ok.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)
    with pytest.raises(export.ExportCancelled):
        export.export_log(ctx, tmp_path / "no.csv", progress=lambda d, t: False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.csv"]


def _bulk(ctx, n: int) -> None:
    pid = add_test_patient(ctx, "Zoë Bulk")
    now = now_iso()
    with ctx.store.write() as db:
        sha = add_blob(db, b"%PDF-fake")
        db.conn.executemany(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size, pages,"
            " created_at, operator) VALUES ('handout', ?, 'handouts', ?, ?, ?, 9, 1, ?, 'rph')",
            ((pid, i, f"Handout number {i}", sha, now) for i in range(n)))


# XLSX goes through openpyxl's XML writer, many times slower under tracemalloc: fewer rows there.
@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "small_n", "big_n"),
                         [("csv", 5_000, 50_000), ("json", 5_000, 50_000), ("xlsx", 1_000, 10_000)])
def test_memory_stays_flat(ctx, tmp_path, fmt, small_n, big_n):
    def peak(n_rows: int) -> int:
        out = tmp_path / f"m{n_rows}.{fmt}"
        tracemalloc.start()
        try:
            result = export.export_log(ctx, out, fmt, progress=lambda d, t: None)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert result.rows == n_rows

    _bulk(ctx, small_n)
    small = peak(small_n)
    _bulk(ctx, big_n - small_n)
    big = peak(big_n)
    # Ten times the rows may not cost ten times the memory: a fixed few MB at most.
    assert big < small + 3_000_000, (small, big)
    assert big < 12_000_000, big


def test_log_page_and_export_agree_on_local_calendar_days(ctx, monkeypatch):
    # 23:30 in Chicago on March 3 is 05:30 UTC on March 4: both the Log page's date filter and the
    # export must count it on March 3, the day the pharmacist made it.
    import time

    from k2desk.services.log_browse import LogFilter, log_page

    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        pid = add_test_patient(ctx)
        doc = store_document(ctx, patient_id=pid, created_at="2026-03-04T05:30:00.000000+00:00")
        on_day = [r.id for r in log_page(ctx, LogFilter(date_from="2026-03-03", date_to="2026-03-03"))]
        next_day = [r.id for r in log_page(ctx, LogFilter(date_from="2026-03-04", date_to="2026-03-04"))]
        assert on_day == [doc] and next_day == []
        q = export.log_query("2026-03-03", "2026-03-03")
        assert q.since <= "2026-03-04T05:30:00.000000+00:00" < q.until
    finally:
        monkeypatch.undo()
        time.tzset()
