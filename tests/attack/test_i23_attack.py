"""Attacks on issue 23 (speed): what the fast paths may have broken."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sqlite3

import phonenumbers
import pytest

from k2desk.domain.phone_fast import common_us_e164
from k2desk.domain.validation import normalise_phone
from k2desk.services.context import AppContext
from k2desk.storage import blobs
from k2desk.storage import documents as docs

N = 450


def _fill(ctx: AppContext, n: int = N) -> None:
    """``n`` documents sharing a handful of timestamps (out of id order), as a busy day has."""
    rng = random.Random(23)
    pdf = b"%PDF-1.4 attack 23"
    digest = docs.sha256_hex(pdf)
    times = [dt.datetime(2026, 3, 1, h, tzinfo=dt.UTC).isoformat(timespec="microseconds")
             for h in (3, 9, 15, 22)]
    with ctx.store.write() as db:
        blobs.add_blob(db, pdf)  # the PDF as a file beside the database (issue 24)
        db.conn.executemany(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size,"
            " pages, created_at, operator) VALUES (?, NULL, 'documents', 0, ?, ?, ?, 1, ?, 'rph')",
            [(rng.choice(["handout", "order"]), f"Doc {i}", digest, len(pdf), rng.choice(times))
             for i in range(n)])


def _another_process_adds_a_document(ctx: AppContext, created_at: str) -> None:
    """The CLI or a second workstation stores a document: the window is not told."""
    con = sqlite3.connect(ctx.store.path)
    try:
        digest = con.execute("SELECT sha256 FROM pdf_blobs LIMIT 1").fetchone()[0]
        con.execute(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size,"
            " pages, created_at, operator) VALUES ('handout', NULL, 'documents', 0, 'Late', ?, 10,"
            " 1, ?, 'rph')", [digest, created_at])
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("created_at", [
    "2026-11-30T12:00:00.000000+00:00",   # newest: every position below it moves down one
    "2026-03-01T09:00:00.000000+00:00",   # a clock behind (another workstation): in the middle
])
def test_log_page_never_shows_a_document_twice_or_hides_one_when_the_log_grows(
        window, ctx, settle, created_at) -> None:
    _fill(ctx)
    page = window.go("log")
    settle(window)
    m = page.model
    assert m.seeking and m.rowCount() == N
    first = [m.row(i).id for i in range(0, 50)]  # the top of the log, read and shown
    _another_process_adds_a_document(ctx, created_at)
    # The pharmacist drags the scroll bar down: every row after the first page is read now.
    shown = first + [m.row(i).id for i in range(50, m.rowCount())]
    assert len(set(shown)) == len(shown), "a document shown twice"
    everything = [r[0] for r in ctx.store.db.execute(
        "SELECT id FROM documents WHERE title != 'Late' ORDER BY created_at DESC, id DESC")]
    assert shown == everything, "a stored document missing from the log"


def test_tab_into_a_seeking_log_selects_nothing_and_end_reprints_the_oldest(window, qtbot, ctx,
                                                                             settle) -> None:
    from PySide6.QtCore import Qt

    _fill(ctx)
    page = window.go("log")
    settle(window)
    table = page.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    table.setFocus()  # Tab entered the table: Qt's current index, no selection (issue 20)
    assert page.current is None and not page.reprint_button.isEnabled()
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    settle(window)
    oldest = ctx.store.db.execute(
        "SELECT id FROM documents ORDER BY created_at, id LIMIT 1").fetchone()[0]
    assert page.current is not None and page.current.id == oldest
    assert page.printer.current() == oldest  # what Ctrl+P would reprint
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    settle(window)
    newest = ctx.store.db.execute(
        "SELECT id FROM documents ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()[0]
    assert page.current is not None and page.current.id == newest


def _k2desk(*args: str, **kw):
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("k2desk")
    return subprocess.run([str(exe), *args], capture_output=kw.pop("capture", True), text=True,
                          timeout=120, **kw)


def test_export_from_cron_with_stderr_closed_still_writes_the_file(ctx, tmp_path) -> None:
    import os

    _fill(ctx, 30)
    out = tmp_path / "log.csv"
    done = _k2desk("--data-dir", str(ctx.data_dir), "log", "export", "--format", "csv",
                   "-o", str(out), stderr=None, stdout=open(os.devnull, "w"), capture=False,
                   preexec_fn=lambda: os.close(2))
    assert done.returncode == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 31


def test_ctrl_c_while_the_command_line_starts_or_exports_shows_no_traceback(ctx, tmp_path) -> None:
    """Ctrl+C on a terminal (a pty) at several moments: while the modules load, while the
    export runs: a sentence, never a traceback, and never a half-written file."""
    import os
    import pty
    import select
    import signal
    import sys
    import time
    from pathlib import Path

    _fill(ctx, 3000)
    exe = str(Path(sys.executable).with_name("k2desk"))
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "log.csv"
    for delay in (0.4, 0.8, 1.2):
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child
            os.execv(exe, [exe, "--data-dir", str(ctx.data_dir), "log", "export", "--format",
                           "csv", "-o", str(out)])
        text, start, sent = b"", time.monotonic(), False
        while True:
            if not sent and time.monotonic() - start > delay:
                os.kill(pid, signal.SIGINT)
                sent = True
            ready, _w, _x = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                text += chunk
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        os.close(fd)
        said = text.decode(errors="replace")
        assert "Traceback" not in said, said
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and out.exists():
            # Ctrl+C came after the export had published its file (during the closing
            # housekeeping): the file is whole, as an uninterrupted export writes it.
            assert out.read_bytes().count(b"\n") == 3000 + 1
        # Stopped or not: no temporary file is ever left behind.
        assert [p.name for p in out.parent.iterdir()] in ([], ["log.csv"])
        out.unlink(missing_ok=True)


SPELLINGS = [
    "(800) 555-0199", "1-800-555-0199", "800.555.0199", "+1 888 555 0100", "(212) 555-0123",
    "212-555-0100", "212-555-0199", "911", "411-555-1212", "(611) 555-1234", "(268) 460-1234",
    "+1 (876) 927 1234", "1 (416) 555 0123", "(905) 555-0123", "(204) 555-0199",
    "817-860-6083 x123", "817-860-6083 ext. 4", "８１７-８６０-６０８３", "1-800-FLOWERS",
    "1-800-356-9377", "18178606083", "118178606083", "817-860-60833", "817 860  6083",
    "817--860-6083", "(817)860-6083", "+18178606083", "+1-817-860-6083", "1.817.860.6083",
    "(817) 860-6083.", "817 8606083", "8178606083 ", "(817 860-6083", "817) 860-6083",
    "+1 ", "1", "+44 20 7946 0958", "0800 123 4567", "(555) 123-4567", "(123) 456-7890",
    "(817) 160-6083", "(817) 960-6083", "(900) 555-1234", "(700) 555-1234", "(500) 555-1234",
    "(600) 555-1234", "(456) 555-1234", "(242) 555-1234", "(340) 555-1234", "(671) 555-1234",
]


def _phonenumbers_alone(text: str) -> str | None:
    """What every spelling got before the fast path: phonenumbers, parsed and validated."""
    try:
        num = phonenumbers.parse(text.strip(), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("text", SPELLINGS)
def test_fast_phone_path_answers_as_phonenumbers_does(text) -> None:
    e164, issues = normalise_phone(text)
    assert e164 == _phonenumbers_alone(text)
    assert bool(issues) == (e164 is None)
    fast = common_us_e164(text.strip())
    if fast is not None:  # the fast path took it: the same answer
        assert (fast or None) == _phonenumbers_alone(text)


AT_THE_COUNTER = ["1-800-555-0199", "911", "(268) 460-1234", "1 (416) 555 0123",
                  "817-860-6083 x123", "８１７-８６０-６０８３", "1-800-FLOWERS", "118178606083",
                  "(555) 123-4567", "(817) 160-6083"]


def test_import_and_patient_add_agree_on_every_spelling(tmp_path) -> None:
    """Each spelling typed at ``patient add`` and read from an import file: both stored the
    same number, or both refused it."""
    data = tmp_path / "data"
    rows = io.StringIO()
    w = csv.writer(rows)
    w.writerow(["name", "dob", "phone", "address", "medications", "allergies", "nkda"])
    added: dict[str, str | None] = {}
    for i, text in enumerate(AT_THE_COUNTER):
        done = _k2desk("--data-dir", str(data), "patient", "add", "--name", f"Add Person{i}",
                       "--dob", "1950-01-01", "--phone", text, "--nkda")
        added[text] = None if done.returncode else "ok"
        w.writerow([f"Import Person{i}", "1950-01-01", text, "", "", "", "yes"])
    f = tmp_path / "in.csv"
    f.write_text(rows.getvalue(), encoding="utf-8")
    done = _k2desk("--data-dir", str(data), "patient", "import", str(f))
    refused_lines = {int(m) for m in __import__("re").findall(r"line (\d+)\.phone", done.stderr)}
    for i, text in enumerate(AT_THE_COUNTER):
        assert (i + 2 in refused_lines) == (added[text] is None), text
    assert done.returncode != 0 or not refused_lines


def test_a_terminal_closed_during_an_export_does_not_stop_the_export(ctx, tmp_path) -> None:
    """``k2desk log export ... & disown``, then the terminal window is closed: the progress bar
    can no longer be drawn (EIO), but the export must still be written."""
    import os
    import pty
    import time

    from k2desk.cli.progress import progress_bar
    from k2desk.services.export import export_log

    _fill(ctx, 1200)
    master, slave = pty.openpty()
    term = os.fdopen(slave, "w", encoding="utf-8")
    assert term.isatty()
    out = tmp_path / "log.csv"
    with progress_bar("Exporting", "rows", stream=term) as tick:
        assert tick is not None
        tick(0, 1200)
        os.close(master)  # the window is gone: every further write fails
        time.sleep(0.25)  # the bar redraws at most ten times a second
        result = export_log(ctx, out, "csv", progress=tick)
        time.sleep(0.25)
        tick(1200, 1200)
    assert result.rows == 1200
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1201
    try:
        term.close()
    except OSError:
        pass


def test_nohup_export_survives_the_terminal_being_closed(ctx, tmp_path) -> None:
    """``nohup k2desk log export ...``: the long export was started so as to outlive the
    terminal (SIGHUP ignored); closing the terminal must not interrupt it."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    _fill(ctx, 20000)
    exe = str(Path(sys.executable).with_name("k2desk"))
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [exe, "--data-dir", str(ctx.data_dir), "log", "export", "--format", "csv", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    while proc.poll() is None:  # the terminal closes (again and again) while it works
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 20001


NASTY = ["a,b", 'say "hi"', "line1\nline2", "cr\rhere", "=1+1", "+1", "-2.5", "@SUM(A1)",
         "\t=x", "＝1", "－3", "é ü 漢字 🙂", "x" * 5000, "+18178606083", "-", "", " =1", "trail\n",
         "\u2028sep", "a\x1fb", "'quoted'", "=HYPERLINK(\"http://x\",\"y\")", "1,000", '"', "\r\n"]


def test_csv_export_lines_built_in_sqlite_match_the_csv_module(ctx, tmp_path) -> None:
    """Titles, operators and patient names people type (quotes, commas, line breaks, formula
    starts, full-width signs, very long text): each line as the csv module writes it, formula
    cells neutralised (the issue 22 rule)."""
    from k2desk.domain.spreadsheet import neutralise
    from k2desk.services.export import COLUMNS, export_log

    _fill(ctx, 60)
    with ctx.store.write() as db:
        for i, (doc_id,) in enumerate(db.execute("SELECT id FROM documents ORDER BY id").fetchall()):
            db.execute("UPDATE documents SET title = ?, operator = ? WHERE id = ?",
                       [NASTY[i % len(NASTY)], NASTY[(i + 7) % len(NASTY)], doc_id])
    out = tmp_path / "log.csv"
    export_log(ctx, out, "csv")
    expected = io.StringIO()
    w = csv.writer(expected)
    w.writerow(COLUMNS)
    for r in ctx.store.db.execute(
            "SELECT d.id, d.created_at, d.kind, d.patient_id, COALESCE(p.name, ''),"
            " COALESCE(p.dob, ''), d.title, d.operator, d.sha256, d.size, d.pages, o.status"
            " FROM documents d LEFT JOIN patients p ON p.id = d.patient_id"
            " LEFT JOIN orders o ON d.source_table = 'orders' AND o.id = d.source_id"
            " ORDER BY d.created_at, d.id"):
        w.writerow([neutralise(c) if isinstance(c, str) else c for c in r])
    assert out.read_bytes() == b"\xef\xbb\xbf" + expected.getvalue().encode("utf-8")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        back = list(csv.reader(fh))
    assert len(back) == 61
    assert all(not cell.startswith(("=", "+", "@", "＝")) or cell in ("+1", "+18178606083")
               for row in back for cell in row[4:8])


def test_status_filter_rows_stay_whole_when_another_process_moves_an_order_on(
        window, ctx, settle) -> None:
    """Log filtered to 'compounded'; a second workstation marks one of them dispensed. Rows read
    later must not repeat a document nor lose one that is still compounded."""
    from k2desk.services.patients import PatientInput, add_patient

    pid = add_patient(ctx, PatientInput(name="Ann Lee", dob="1950-01-01", nkda=True))
    pdf = b"%PDF-1.4 attack 23 orders"
    digest = docs.sha256_hex(pdf)
    with ctx.store.write() as db:
        blobs.add_blob(db, pdf)  # the PDF as a file beside the database (issue 24)
        for i in range(300):
            at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC).isoformat(timespec="microseconds")
            db.execute("INSERT INTO orders (patient_id, status, fields, created_at, created_by,"
                       " updated_at) VALUES (?, 'compounded', '{}', ?, 'rph', ?)", [pid, at, at])
            oid = db.execute("SELECT max(id) FROM orders").fetchone()[0]
            db.execute(
                "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256,"
                " size, pages, created_at, operator) VALUES ('order', ?, 'orders', ?, ?, ?, ?, 1,"
                " ?, 'rph')", [pid, oid, f"Order {i}", digest, len(pdf), at])
    page = window.go("log")
    settle(window)
    page.status.setCurrentIndex(page.status.findData("compounded"))
    settle(window)
    m = page.model
    assert m.rowCount() >= 200 or m.canFetchMore()
    first = [m.row(i).id for i in range(0, 50)]
    con = sqlite3.connect(ctx.store.path)
    con.execute("UPDATE orders SET status = 'dispensed' WHERE id = (SELECT source_id FROM documents"
                " WHERE id = ?)", [first[10]])
    con.commit()
    con.close()
    while m.canFetchMore():
        m.fetchMore()
    shown = first + [m.row(i).id for i in range(50, m.rowCount())]
    assert len(set(shown)) == len(shown), "a document shown twice"
    still = {r[0] for r in ctx.store.db.execute(
        "SELECT d.id FROM documents d JOIN orders o ON o.id = d.source_id"
        " WHERE d.source_table = 'orders' AND o.status = 'compounded'")}
    assert still <= set(shown), "a compounded order missing from the log"
