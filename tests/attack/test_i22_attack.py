"""Attacks on the order log export (issue 22): the output path aimed at k2desk's own database,
calendar-edge dates, a patient number that names no patient, hostile text read back column by
column, SQL wildcards in the filters, and the window's Export orders… dialog by keyboard."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from k2desk.cli import main
from k2desk.paths import backup_dir, db_path
from k2desk.services import orders as svc
from k2desk.services.context import AppContext
from k2desk.services.order_export import OrderFilters, export_orders
from k2desk.services.patients import PatientInput, add_patient
from order_log_data import make_order_log, order_file

TRIGGERS = tuple("=+-@\t\r\n＝＋－＠")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _orders_in_db(data_dir: Path) -> int:
    con = sqlite3.connect(db_path(data_dir))
    try:
        return con.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def log(data_dir: Path) -> dict:
    with AppContext(data_dir, "test-rph") as ctx:
        return make_order_log(ctx)


# --------------------------------------------------------------------------- found and fixed

@pytest.mark.parametrize("argv", [
    ("order", "export", "--format", "csv"),
    ("order", "export", "--format", "json"),
    ("log", "export", "--format", "csv"),
])
def test_export_onto_the_database_itself_is_refused_and_the_log_survives(capsys, data_dir, log, argv):
    before = _orders_in_db(data_dir)
    db_bytes = db_path(data_dir).read_bytes()[:16]
    code, _out, err = run(capsys, *argv, "-o", str(db_path(data_dir)))
    assert code == 2, err
    assert "own database" in err and "Traceback" not in err
    assert db_path(data_dir).read_bytes()[:16] == db_bytes == b"SQLite format 3\x00"
    assert _orders_in_db(data_dir) == before
    code, out, _ = run(capsys, "order", "list")
    assert code == 0 and str(log["ids"][0]) in out


def test_export_into_a_backup_or_through_a_symlink_to_the_database_is_refused(capsys, data_dir, log,
                                                                               tmp_path):
    run(capsys, "backup", "create")
    backups = sorted(backup_dir(data_dir).glob("*.sqlite3"))
    assert backups
    code, _o, err = run(capsys, "order", "export", "--format", "csv", "-o", str(backups[-1]))
    assert code == 2 and "backups folder" in err
    assert backups[-1].read_bytes()[:15] == b"SQLite format 3"
    link = tmp_path / "orders.csv"
    link.symlink_to(db_path(data_dir))
    code, _o, err = run(capsys, "order", "export", "-o", str(link))
    assert code == 2 and "own database" in err
    assert _orders_in_db(data_dir) == len(log["ids"])
    # The printed order log too (a .pdf inside the backups folder).
    code, _o, err = run(capsys, "order", "report", "-o", str(backup_dir(data_dir) / "log.pdf"))
    assert code == 2 and "backups folder" in err
    assert not (backup_dir(data_dir) / "log.pdf").exists()


@pytest.mark.parametrize("dates", [
    ("--since", "0001-01-01"),
    ("--until", "9999-12-31"),
    ("--since", "0001-01-01", "--until", "9999-12-31"),
])
def test_calendar_edge_dates_mean_everything_not_a_crash(capsys, data_dir, log, tmp_path, dates):
    out_csv = tmp_path / "all.csv"
    code, _out, err = run(capsys, "order", "export", *dates, "-o", str(out_csv))
    assert code == 0, err
    with open(out_csv, encoding="utf-8-sig", newline="") as fh:
        ids = {r["order_id"] for r in csv.DictReader(fh)}
    assert ids == {str(i) for i in log["ids"]}
    code, out, err = run(capsys, "order", "export", "--summary", *dates)
    assert code == 0 and "unexpected error" not in err, err
    code, _out, err = run(capsys, "order", "report", *dates, "-o", str(tmp_path / "r.pdf"))
    assert code == 0, err
    code, _out, err = run(capsys, "log", "export", "--format", "json", *dates,
                          "-o", str(tmp_path / "log.json"))
    assert code == 0, err


@pytest.mark.parametrize("argv", [
    ("order", "export", "-o", "{out}/p.csv"),
    ("order", "export", "--summary"),
    ("order", "report", "-o", "{out}/p.pdf"),
])
def test_a_patient_number_that_names_no_patient_is_refused(capsys, data_dir, log, tmp_path, argv):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = tuple(a.format(out=out_dir) for a in argv)
    code, out, err = run(capsys, *argv, "--patient", "9999")
    assert code == 2, (out, err)
    assert "no patient with number 9999" in err
    assert list(out_dir.iterdir()) == []
    # A real patient's number still works.
    code, _out, err = run(capsys, "order", "export", "--patient", str(log["ana"]),
                          "-o", str(out_dir / "ana.csv"))
    assert code == 0, err


# --------------------------------------------------------------------------- withstood

def _neutral(v: str) -> str:
    return "'" + v if v.startswith(TRIGGERS) else v


def test_hostile_text_reads_back_column_by_column_against_order_show(capsys, data_dir, tmp_path):
    with AppContext(data_dir, "test-rph") as ctx:
        make_order_log(ctx)
        pid = add_patient(ctx, PatientInput(name="＝HYPERLINK(\"http://x\") O'Brien_%", dob="1950-01-02",
                                            nkda=True))
        data = order_file(3, prescriber="Dr. O'Hara_% ＠home", sig="＋1 capsule\n-then 2\n" + "y" * 900)
        data["patient"]["diagnosis"] = "@diag מרים"
        data["compound"]["base"] = "=base"
        data["prescriber"]["licence"] = "+TX 1"
        oid, _ = svc.create_order(ctx, pid, data)
        svc.order_status(ctx, oid, "sent-for-signature", "")
        svc.order_status(ctx, oid, "signed-original-received", "=fax")
        svc.order_status(ctx, oid, "cancelled", "-wrong strength; 'call back'")
    out = tmp_path / "o.csv"
    code, _o, err = run(capsys, "order", "export", "-o", str(out))
    assert code == 0, err
    assert os.stat(out).st_mode & 0o777 == 0o600
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["order_id"] == str(oid)]
    _c, show, _e = run(capsys, "order", "show", str(oid), "--json")
    j = json.loads(show)
    f = j["fields"]
    assert len(rows) == 3
    hist = {h["status"]: h for h in j["status_history"]}
    for n, r in enumerate(rows, 1):
        assert r["line_number"] == str(n)
        assert r["ingredient"] == _neutral(j["lines"][n - 1]["ingredient"])
        for col, key in (("patient_name", "patient.name"), ("prescriber_name", "prescriber.name"),
                         ("prescriber_licence", "prescriber.licence"), ("diagnosis", "patient.diagnosis"),
                         ("base", "compound.base"), ("sig", "compound.sig")):
            assert r[col] == _neutral(f[key]), col
        assert r["signed_original_received_how"] == "'=fax"
        assert r["cancelled_reason"] == "'-wrong strength; 'call back'"
        assert r["cancelled_at"] == hist["cancelled"]["at"] and r["status"] == "cancelled"
    assert rows[0]["patient_name"].startswith("'＝") and rows[0]["sig"].startswith("'＋")
    xlsx = tmp_path / "o.xlsx"
    assert run(capsys, "order", "export", "-o", str(xlsx))[0] == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Orders", "Lines", "Summary"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                assert not (isinstance(c.value, str) and c.value.startswith(TRIGGERS)), c.value


def test_sql_wildcards_and_quotes_in_filters_match_literally(capsys, data_dir, tmp_path):
    with AppContext(data_dir, "test-rph") as ctx:
        make_order_log(ctx)
        pct = add_patient(ctx, PatientInput(name="Zoe 100%_off", dob="1950-01-02", nkda=True))
        quote = add_patient(ctx, PatientInput(name="Liam O'Neil", dob="1950-01-03", nkda=True))
        a, _ = svc.create_order(ctx, pct, order_file(1, prescriber="Dr. 50%_Off"))
        b, _ = svc.create_order(ctx, quote, order_file(2))

    def ids(*filt: str) -> set[str]:
        out = tmp_path / "f.json"
        code, _o, err = run(capsys, "order", "export", *filt, "-o", str(out))
        assert code == 0, err
        return {str(o["id"]) for o in json.loads(out.read_text("utf-8"))}

    assert ids("--patient", "%") == {str(a)}
    assert ids("--patient", "_") == {str(a)}
    assert ids("--patient", "'") == {str(b)}
    assert ids("--prescriber", "%_") == {str(a)}
    assert ids("--patient", "' OR 1=1 --") == set()
    assert ids("--ingredient", "%") == set()


def test_bad_check_digit_npi_finds_the_overridden_order_and_reversed_range_writes_nothing(
        capsys, data_dir, log, tmp_path):
    out = tmp_path / "n.csv"
    code, _o, err = run(capsys, "order", "export", "--prescriber", "1234567890", "-o", str(out))
    assert code == 0, err
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert {r["order_id"] for r in csv.DictReader(fh)} == {str(log["warfarin_order"])}
    out.unlink()
    code, _o, err = run(capsys, "order", "export", "--since", "2026-12-01", "--until", "2026-11-01",
                        "-o", str(out))
    assert code == 2 and "before start date" in err and not out.exists()
    code, _o, err = run(capsys, "order", "export", "--since", "2026-02-30", "-o", str(out))
    assert code == 2 and "not a real date" in err and not out.exists()
    assert list(tmp_path.glob(".*part")) == []


def test_existing_file_is_replaced_whole_with_0600_and_no_part_file(capsys, data_dir, log, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "orders.json"
    out.write_text("old")
    out.chmod(0o644)
    code, _o, err = run(capsys, "order", "export", "-o", str(out))
    assert code == 0, err
    assert len(json.loads(out.read_text("utf-8"))) == len(log["ids"])
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["orders.json"]


def test_cancelling_without_a_reason_is_refused(capsys, data_dir, log):
    oid = log["ids"][0]
    code, _o, err = run(capsys, "order", "status", str(oid), "cancelled")
    assert code == 2 and "why" in err.lower()
    code, _o, err = run(capsys, "order", "status", str(oid), "cancelled", "--note", "x\r\ny")
    assert code == 2 and "control character" in err


# --------------------------------------------------------------------------- the window

@pytest.fixture
def window(qtbot, ctx: AppContext) -> Iterator[object]:
    from k2desk.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.worker.wait()
    w.close()


def test_window_export_dialog_keyboard_only_edge_dates_unknown_patient_and_the_database(
        window, qtbot, ctx, tmp_path):
    from PySide6.QtCore import Qt

    log = make_order_log(ctx)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    page = window.go("orders")
    page.export_button.setFocus()
    qtbot.keyClick(page.export_button, Qt.Key.Key_Space)
    dlg = page.export_dialog
    qtbot.waitUntil(dlg.isVisible)

    def type_into(widget, text: str) -> None:
        widget.setFocus()
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
        qtbot.keyClicks(widget, text)

    def export_and_wait() -> None:
        qtbot.keyClick(dlg.path, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.worker.busy() and not dlg.running, timeout=20_000)

    # The database itself typed as the file: refused in words; the log survives.
    db = db_path(ctx.data_dir)
    type_into(dlg.path, str(db))
    dlg.format.setFocus()
    csv_index = dlg.format.findData("csv")
    while dlg.format.currentIndex() != csv_index:
        key = Qt.Key.Key_Down if dlg.format.currentIndex() < csv_index else Qt.Key.Key_Up
        qtbot.keyClick(dlg.format, key)
    type_into(dlg.path, str(db))
    export_and_wait()
    assert "own database" in dlg.message.text()
    assert db.read_bytes()[:15] == b"SQLite format 3" and _orders_in_db(ctx.data_dir) == len(log["ids"])
    # A patient number that names no patient: said in the dialog, nothing written.
    type_into(dlg.patient, "9999")
    type_into(dlg.path, str(out_dir / "p.csv"))
    export_and_wait()
    assert "no patient with number 9999" in dlg.message.text()
    assert list(out_dir.iterdir()) == []
    # The edges of the calendar as "everything": every order exported.
    type_into(dlg.patient, "")
    type_into(dlg.since, "0001-01-01")
    type_into(dlg.until, "9999-12-31")
    type_into(dlg.path, str(out_dir / "all.csv"))
    export_and_wait()
    assert dlg.show_folder.isEnabled(), dlg.message.text()
    with open(out_dir / "all.csv", encoding="utf-8-sig", newline="") as fh:
        assert {r["order_id"] for r in csv.DictReader(fh)} == {str(i) for i in log["ids"]}


def test_service_refuses_the_database_as_output_even_without_the_cli(ctx):
    make_order_log(ctx)
    with pytest.raises(Exception) as exc:
        export_orders(ctx, db_path(ctx.data_dir), "csv", OrderFilters())
    assert "own database" in str(exc.value) or any("own database" in i.message
                                                   for i in getattr(exc.value, "issues", []))


_FULL_DISK_SCRIPT = r"""
import os, resource, sys
from pathlib import Path
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.export import export_log
from k2desk.services.order_export import export_orders

data_dir, out = Path(sys.argv[1]), Path(sys.argv[2])


def attempt(name, run):
    try:
        run(out / name)
    except OperationFailed as exc:
        print(exc)
    else:
        print("WROTE", name)


with AppContext(data_dir, "test-rph") as ctx:
    ctx.store  # opened (and its journal written) before the disk "fills"
    # 1. A file size limit: the sheets' XML buffers stop growing at 6 kB.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (6000, hard))
    attempt("limited.xlsx", lambda p: export_orders(ctx, p))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    # 2. The disk fills under each format's own file. (The temporary name is random and made
    # exclusively (issue 16), so a link planted in advance, to /dev/full, is no longer followed:
    # a file size limit stands in for the full disk.)
    for name, run in (("orders.xlsx", lambda p: export_orders(ctx, p)),
                      ("orders.csv", lambda p: export_orders(ctx, p)),
                      ("orders.json", lambda p: export_orders(ctx, p)),
                      ("log.xlsx", lambda p: export_log(ctx, p, "xlsx"))):
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, hard))
        attempt(name, run)
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
"""


def test_full_disk_during_xlsx_export_says_so_without_traceback_and_leaves_nothing(data_dir, log, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "TMPDIR": str(out)}  # openpyxl's sheet buffers hit the limit too
    p = subprocess.run([sys.executable, "-c", _FULL_DISK_SCRIPT, str(data_dir), str(out)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "WROTE" not in p.stdout
    assert p.stdout.count("could not be written") == 5, p.stdout
    assert "too large" in p.stdout
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_terminated_export_leaves_no_patient_data_behind(tmp_path, signame):
    """The terminal window closed (SIGHUP) or the machine shutting down (SIGTERM) during a long
    XLSX export: no half file under the final name, no '.part' file and no sheet buffers in the
    temporary folder (they hold every patient's name in plain XML)."""
    import signal
    import subprocess
    import sys
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import bench_order_export

    data = tmp_path / "big"
    data.mkdir()
    bench_order_export.fill(str(data), 8000)
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "K2DESK_OPERATOR": "test-rph"}
    p = subprocess.Popen([sys.executable, "-m", "k2desk", "--data-dir", str(data), "order", "export",
                          "-o", str(out / "orders.xlsx")], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(tmp.iterdir()) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert p.poll() is None, "the export ended before it could be interrupted"
    p.send_signal(getattr(signal, signame))
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.iterdir()) == []
    assert list(tmp.iterdir()) == []
