"""Attacks on issue 17 (every row under the audit chain, a head file outside the database), made
with the sqlite3 module on a real data dir by someone who did not build it. Tests named "found"
failed before their fix; the others are attacks the build already withstood."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.storage import anchor
from stored_documents import add_test_patient, store_document


def _edit(data_dir: Path, *sql: str) -> None:
    conn = sqlite3.connect(db_path(data_dir))
    try:
        for s in sql:
            conn.execute(s)
        conn.commit()
    finally:
        conn.close()


def _verify(data_dir: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["--data-dir", str(data_dir), "log", "verify"])
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_found_a_virtual_table_named_like_a_prefix_hid_a_real_table(ctx: AppContext, capsys):
    """Found: ``CREATE VIRTUAL TABLE pin USING fts5(x)`` made ``pin_attempts`` look like one of
    its shadow tables, so a row slipped into pin_attempts passed ``log verify``."""
    add_test_patient(ctx)
    data_dir = ctx.data_dir
    ctx.close()
    assert _verify(data_dir, capsys)[0] == 0
    _edit(data_dir, "CREATE VIRTUAL TABLE pin USING fts5(x)",
          "INSERT INTO pin_attempts (operator, failures) VALUES ('test-rph', 0)")
    rc, out = _verify(data_dir, capsys)
    assert rc == 1
    assert "pin_attempts row 1 was added outside k2desk" in out
    assert "Traceback" not in out


def test_found_a_since_in_the_head_file_hid_every_backup(ctx: AppContext):
    """Found: the chain cut short and the head file rewritten to match, with a ``since`` in the
    future (as a restore writes), made every backup be skipped as "set aside"."""
    store_document(ctx, patient_id=add_test_patient(ctx))
    svc.make_backup(ctx)
    add_test_patient(ctx, "After Backup")
    data_dir = ctx.data_dir
    ctx.close()
    conn = sqlite3.connect(db_path(data_dir))
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                    " AND tbl_name = 'audit_events'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DELETE FROM audit_events WHERE id > 1")
        conn.commit()
        head = anchor.chain_head(conn)
        anchor.head_path(data_dir).write_text(json.dumps(
            {"events": head.events, "hash": head.hash, "since": "9999-01-01T00:00:00+00:00"}))
        problem = anchor.check_backups(conn, data_dir)
    finally:
        conn.close()
    assert problem is not None and "backup" in problem and "removed or lost" in problem


def test_withstood_status_change_deleted_and_head_file_deleted(ctx: AppContext, capsys):
    """Withstood: a row deleted from a table, and tail events deleted with the head file gone."""
    add_test_patient(ctx)
    data_dir = ctx.data_dir
    ctx.close()
    _edit(data_dir, "DELETE FROM patients")
    rc, out = _verify(data_dir, capsys)
    assert rc == 1 and "patients row 1 was deleted" in out
    anchor.head_path(data_dir).unlink()
    rc, out = _verify(data_dir, capsys)
    assert rc == 1 and "head file" in out and "missing" in out


def test_withstood_a_setting_changed_by_hand(ctx: AppContext, capsys):
    add_test_patient(ctx)
    data_dir = ctx.data_dir
    ctx.close()
    conn = sqlite3.connect(db_path(data_dir))
    try:
        n = conn.execute("SELECT count(*) FROM settings").fetchone()[0]
    finally:
        conn.close()
    if n:
        _edit(data_dir, "UPDATE settings SET value = value || ' '"
              " WHERE rowid = (SELECT min(rowid) FROM settings)")
        rc, out = _verify(data_dir, capsys)
        assert rc == 1 and "settings '" in out and "was changed" in out
    else:
        assert _verify(data_dir, capsys)[0] == 0


_HAMMER = """
import sys
from pathlib import Path
from k2desk.storage import anchor
d, n = Path(sys.argv[1]), int(sys.argv[2])
for _ in range(400):
    anchor.write_head(d, anchor.Head(n, "a" * (n % 70)))
    anchor.read_head(d)
"""


def test_found_two_programs_writing_the_head_file_at_once(data_dir: Path):
    """Found: the head file's temporary name was shared, so two programs saving at once truncated
    and renamed it away under each other (FileNotFoundError, or a head file mixed from both)."""
    import subprocess
    import sys

    data_dir.mkdir(parents=True, exist_ok=True)
    procs = [subprocess.Popen([sys.executable, "-c", _HAMMER, str(data_dir), str(n)],
                              stderr=subprocess.PIPE, text=True) for n in (5, 123456, 77)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    head = anchor.read_head(data_dir)
    assert head is not None and head.events in (5, 123456, 77)
    assert not list(data_dir.glob("*.part"))


def test_found_dropping_the_row_seals_table_switched_the_row_check_off(ctx: AppContext, capsys):
    """Found: ``DROP TABLE row_seals`` and then every medication deleted: ``log verify`` said
    "0 rows ... verified" and passed, as if the data dir predated the seals."""
    pid = add_test_patient(ctx)
    assert pid
    data_dir = ctx.data_dir
    ctx.close()
    _edit(data_dir, "DROP TABLE row_seals", "DELETE FROM medications")
    rc, out = _verify(data_dir, capsys)
    assert rc == 1
    assert "row_seals" in out and "was removed" in out
    assert "Traceback" not in out


def test_found_dropping_the_audit_trail_table_crashed_verify_and_doctor(ctx: AppContext, capsys):
    """Found: ``DROP TABLE audit_events`` made ``log verify`` and ``doctor`` stop with
    "unexpected error (OperationalError)" instead of saying what was done."""
    add_test_patient(ctx)
    data_dir = ctx.data_dir
    ctx.close()
    _edit(data_dir, "DROP TABLE audit_events")
    rc, out = _verify(data_dir, capsys)
    assert rc == 1
    assert "verification FAILED" in out and "audit_events" in out and "removed" in out
    assert "unexpected error" not in out
    capsys.readouterr()
    main(["--data-dir", str(data_dir), "doctor"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "audit anchor" in text and "0 events" in text
    assert "unexpected error" not in text


def test_found_audit_details_that_are_not_json_crashed_verify(ctx: AppContext, capsys):
    """Triggers dropped and an event's details made into bytes: a clear "was altered"."""
    add_test_patient(ctx)
    data_dir = ctx.data_dir
    ctx.close()
    _edit(data_dir, "DROP TRIGGER audit_events_no_update",
          "UPDATE audit_events SET details = x'00ff' WHERE id = 1")
    rc, out = _verify(data_dir, capsys)
    assert rc == 1 and "audit event 1" in out and "was altered" in out
    assert "unexpected error" not in out


def test_withstood_restoring_an_older_backup_then_saving_verifies_clean(ctx: AppContext, tmp_path,
                                                                         capsys):
    """Normal use: back up, keep a copy, save more, back up again, restore the older copy, save:
    ``log verify`` passes at each step (the newer backup belongs to the history set aside)."""
    import shutil

    add_test_patient(ctx, "A One")
    older = tmp_path / "older-copy.sqlite3"
    shutil.copy(svc.make_backup(ctx), older)
    add_test_patient(ctx, "B Two")
    svc.make_backup(ctx)
    data_dir = ctx.data_dir
    assert _verify(data_dir, capsys)[0] == 0
    svc.restore_backup(ctx, older)
    assert _verify(data_dir, capsys)[0] == 0
    add_test_patient(ctx, "C Three")
    rc, out = _verify(data_dir, capsys)
    assert rc == 0, out
