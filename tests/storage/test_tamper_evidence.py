"""Issue 17: every row that matters is under the audit chain, and the chain is anchored outside
the database (head file, backups). Each edit is made as someone with the sqlite3 tool would make
it; `k2desk log verify` must exit 1 and name what changed, and untouched data verifies clean."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services.backups import make_backup
from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient
from k2desk.storage import audit, seals
from k2desk.storage.anchor import chain_head, check, head_path, read_head, write_head
from stored_documents import store_document


@pytest.fixture
def shop(ctx):
    ids = {}
    ids["warfarin"] = add_patient(ctx, PatientInput(name="Ann Lee", dob="1950-02-03",
                                                    medications=["warfarin 5 mg daily"], nkda=True))
    ids["other"] = add_patient(ctx, PatientInput(name="Bo Chan", dob="1961-07-08", nkda=True))
    ids["docs"] = [store_document(ctx, patient_id=ids["warfarin"], title=f"Handout {i}") for i in range(3)]
    with ctx.store.write() as db:
        ids["ack"] = db.execute(
            "INSERT INTO acknowledgements (patient_id, finding, severity, operator, reason, at)"
            " VALUES (?, 'vka', 'warning', 'test-rph', 'discussed with patient', 'now')",
            [ids["warfarin"]]).lastrowid
    return ids


def _attacker(ctx: AppContext) -> sqlite3.Connection:
    ctx.close()
    return sqlite3.connect(db_path(ctx.data_dir), isolation_level=None)


def _verify(capsys) -> tuple[int, str]:
    code = main(["log", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_untouched_data_verifies_clean(shop, ctx, capsys):
    ctx.close()
    code, text = _verify(capsys)
    assert code == 0, text
    assert "documents verified" in text and "head file" in text
    head = read_head(ctx.data_dir)
    assert head is not None and head.events > 0
    assert oct(head_path(ctx.data_dir).stat().st_mode & 0o777) == "0o600"


def test_a_document_row_deleted_from_the_middle(shop, ctx, capsys):
    conn = _attacker(ctx)
    conn.execute("DELETE FROM documents WHERE id = ?", [shop["docs"][1]])
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and f"documents row {shop['docs'][1]} was deleted" in text


def test_a_document_moved_to_another_patient_and_back_dated(shop, ctx, capsys):
    conn = _attacker(ctx)
    conn.execute("UPDATE documents SET patient_id = ?, created_at = '2020-01-01T00:00:00+00:00'"
                 " WHERE id = ?", [shop["other"], shop["docs"][0]])
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and f"documents row {shop['docs'][0]} was changed" in text
    assert "documents row" in text and f"documents row {shop['docs'][1]}" not in text


def test_the_warfarin_removed_from_a_medication_list(shop, ctx, capsys):
    conn = _attacker(ctx)
    mid = conn.execute("SELECT id FROM medications WHERE text LIKE 'warfarin%'").fetchone()[0]
    conn.execute("DELETE FROM medications WHERE patient_id = ?", [shop["warfarin"]])
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and f"medications row {mid} was deleted" in text
    assert "patients row" not in text and "documents row" not in text  # only what changed


def test_a_row_added_behind_k2desks_back(shop, ctx, capsys):
    conn = _attacker(ctx)
    conn.execute("INSERT INTO settings (key, value, updated_at, updated_by)"
                 " VALUES ('print.large', '1', 'now', 'x')")
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and "settings 'print.large' was added outside k2desk" in text


def test_a_setting_changed(ctx, capsys):
    from k2desk.storage import settings as settings_repo

    with ctx.store.write() as db:
        settings_repo.save_setting(db, "pharmacy.name", "Corner Pharmacy", "test-rph")
    conn = _attacker(ctx)
    conn.execute("UPDATE settings SET value = 'Other' WHERE key = 'pharmacy.name'")
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and "settings 'pharmacy.name' was changed" in text


def test_triggers_dropped_and_tail_events_deleted(shop, ctx, capsys):
    conn = _attacker(ctx)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DROP TRIGGER audit_events_no_update")
    last = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    conn.execute("DELETE FROM row_seals WHERE event_id >= ?", [last - 1])
    conn.execute("DELETE FROM audit_events WHERE id >= ?", [last - 1])
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and "events were removed or lost" in text
    assert f"recorded {last}" in text


def _rewrite_chain(conn: sqlite3.Connection, min_events: int) -> None:
    """A whole new chain that agrees with the rows as they now are: every event and seal
    removed, one baseline sealing the rows, then events until it is longer than before."""
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("DELETE FROM row_seals")
    conn.execute("DELETE FROM audit_events")
    db = Database(conn)
    with db.atomic():
        seals.baseline(db, operator="test-rph", reason="migration")
        while chain_head(conn).events <= min_events:
            audit.append(db, operator="test-rph", action="note", entity="x")


def test_chain_recomputed_with_the_head_file_left_as_it_was(shop, ctx, capsys):
    before = read_head(ctx.data_dir)
    assert before is not None
    conn = _attacker(ctx)
    assert conn.execute("SELECT count(*) FROM acknowledgements").fetchone()[0] == 1
    conn.execute("DELETE FROM acknowledgement_links")
    conn.execute("DELETE FROM acknowledgements")
    _rewrite_chain(conn, before.events)
    conn.close()
    code, text = _verify(capsys)
    assert code == 1
    assert f"event {before.events} is not the one the head file beside the database recorded" in text


def test_chain_and_head_file_rewritten_but_an_older_backup_kept(shop, ctx, capsys):
    make_backup(ctx, reason="manual")
    head = read_head(ctx.data_dir)
    assert head is not None
    conn = _attacker(ctx)
    conn.execute("DELETE FROM medications")
    _rewrite_chain(conn, head.events)
    write_head(ctx.data_dir, chain_head(conn))
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and "the backup k2desk-" in text and "was rewritten" in text
    assert main(["doctor"]) == 1
    assert "BAD  audit anchor" in capsys.readouterr().out


def test_dropped_wal_frames_are_caught_on_the_next_open(data_dir, capsys, tmp_path):
    """A power cut leaves the database and its WAL; bytes flipped in the WAL make SQLite drop
    the committed frames from there on. The head file still knows how long the chain was."""
    with AppContext(data_dir, "test-rph") as c:
        c.store.conn.execute("PRAGMA wal_autocheckpoint=0")
        add_patient(c, PatientInput(name="First Patient", dob="1950-01-01", nkda=True))
        c.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(30):
            add_patient(c, PatientInput(name=f"Patient {i}", dob="1960-01-01", nkda=True))
        copy = tmp_path / "after-power-cut"
        copy.mkdir(mode=0o700)
        for p in data_dir.iterdir():
            if p.is_file():
                shutil.copy2(p, copy / p.name)
    wal = copy / (db_path(copy).name + "-wal")
    raw = bytearray(wal.read_bytes())
    assert len(raw) > 100_000
    raw[len(raw) // 3] ^= 0xFF  # a frame a third of the way in: it and everything after are dropped
    wal.write_bytes(bytes(raw))
    os.environ["K2DESK_DATA_DIR"] = str(copy)
    code, text = _verify(capsys)
    assert code == 1 and "events were removed or lost" in text and "write-ahead" in text
    # Nothing more is saved on top of the lost work.
    assert main(["patient", "add", "--name", "New One", "--dob", "1970-01-01", "--nkda"]) != 0
    assert "Nothing can be saved" in capsys.readouterr().err


def test_a_lost_head_file_is_named_and_reanchored_only_on_request(shop, ctx, capsys):
    ctx.close()
    head_path(ctx.data_dir).unlink()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "BAD  audit anchor" in out and "is missing" in out
    assert not head_path(ctx.data_dir).exists()  # doctor re-anchors nothing
    code, text = _verify(capsys)
    assert code == 1 and "is missing" in text
    assert main(["log", "reanchor", "--reason", "deleted by mistake"]) == 0
    capsys.readouterr()
    assert head_path(ctx.data_dir).exists()
    conn = sqlite3.connect(db_path(ctx.data_dir))
    row = conn.execute("SELECT operator, details FROM audit_events WHERE action = 'reanchor'").fetchone()
    conn.close()
    assert row[0] == "test-rph" and json.loads(row[1])["reason"] == "deleted by mistake"
    code, text = _verify(capsys)
    assert code == 0, text


def test_a_bulk_import_is_one_event(ctx, tmp_path: Path):
    from k2desk.services.patients import import_patients_csv

    f = tmp_path / "p.csv"
    f.write_text("name,dob,phone,medications,allergies,nkda\n"
                 + "".join(f"Pat {i},1950-01-0{1 + i % 9},,warfarin 5 mg,,yes\n" for i in range(50)),
                 encoding="utf-8")
    before = chain_head(ctx.store.conn).events
    import_patients_csv(ctx, f)
    conn = ctx.store.conn
    events = conn.execute("SELECT details FROM audit_events ORDER BY id LIMIT -1 OFFSET ?",
                          [before]).fetchall()
    assert len(events) == 1  # the import's own event covers every row it wrote
    sealed = json.loads(events[0][0])["sealed"]
    assert sealed["tables"]["patients"] == 50 and sealed["tables"]["medications"] == 50
    assert seals.verify_rows(ctx.store.db).summary() is None


def test_the_head_written_after_each_save_is_the_counted_one(shop, ctx):
    """The head after a commit is moved on by the ids appended, not counted (issue 23): after
    a run of saves it still equals a count of the trail."""
    for i in range(5):
        add_patient(ctx, PatientInput(name=f"Extra {i}", dob="1970-01-01", nkda=True))
    head = read_head(ctx.data_dir)
    conn = ctx.store.conn
    count, last, last_hash = conn.execute(
        "SELECT count(*), max(id), (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1)"
        " FROM audit_events").fetchone()
    assert head is not None and head.last_id == last
    assert (head.events, head.hash) == (count, last_hash) == (chain_head(conn).events, chain_head(conn).hash)


def test_tail_events_deleted_after_saves_with_the_uncounted_head(shop, ctx, capsys):
    for i in range(3):
        add_patient(ctx, PatientInput(name=f"Extra {i}", dob="1970-01-01", nkda=True))
    head = read_head(ctx.data_dir)
    assert head is not None and head.last_id is not None  # written without a count
    conn = _attacker(ctx)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DELETE FROM row_seals WHERE event_id >= ?", [head.last_id - 2])
    conn.execute("DELETE FROM audit_events WHERE id >= ?", [head.last_id - 2])
    conn.close()
    code, text = _verify(capsys)
    assert code == 1 and "events were removed or lost" in text
    assert f"recorded {head.events}" in text


def test_an_event_deleted_from_the_middle_while_the_program_runs(shop, ctx, capsys):
    """Removed behind a running program's back, then the program saves: the uncounted head
    still counts the removed event, so the next open refuses the shortened trail."""
    other = sqlite3.connect(db_path(ctx.data_dir), isolation_level=None)
    other.execute("DROP TRIGGER audit_events_no_delete")
    middle = other.execute("SELECT max(id) / 2 FROM audit_events").fetchone()[0]
    other.execute("DELETE FROM row_seals WHERE event_id = ?", [middle])
    other.execute("DELETE FROM audit_events WHERE id = ?", [middle])
    other.close()
    add_patient(ctx, PatientInput(name="After Cut", dob="1970-01-01", nkda=True))
    ctx.close()
    code, text = _verify(capsys)
    assert code == 1 and f"audit event {middle + 1} does not follow" in text
    # The head file, too, no longer matches the trail (a count would have taken the cut in).
    conn = sqlite3.connect(db_path(ctx.data_dir))
    problem, missing = check(conn, ctx.data_dir)
    conn.close()
    assert not missing and problem is not None and "events were removed or lost" in problem
