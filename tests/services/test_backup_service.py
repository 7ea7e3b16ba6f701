"""Backups: daily automatic backup, rotation, private files, restore refusing a broken chain."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat

import pytest

from blob_files import pdf_file
from k2desk.cli import main
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.services.log import verify_log
from stored_documents import add_test_patient, store_document


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def _fake(folder, t: dt.datetime, reason: str = "auto"):
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    p = folder / f"k2desk-{t:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"
    conn = sqlite3.connect(p)  # a whole SQLite file: only whole files take part in rotation
    conn.execute("CREATE TABLE old_backup (x)")
    conn.close()
    return p


def _events(ctx, action):
    return [json.loads(r[0]) for r in ctx.store.conn.execute(
        "SELECT details FROM audit_events WHERE action=? ORDER BY id", [action])]


def test_auto_backup_only_with_data_and_once_a_day(ctx):
    assert svc.auto_backup_if_due(ctx) is None, "an empty new database is not backed up"
    add_test_patient(ctx)
    first = svc.auto_backup_if_due(ctx)
    assert first is not None and first.name.endswith("-auto.sqlite3")
    assert mode(first) == 0o600 and mode(backup_dir(ctx.data_dir)) == 0o700
    assert svc.auto_backup_if_due(ctx) is None, "not due again the same day"
    copy = sqlite3.connect(f"file:{first}?mode=ro", uri=True)
    assert copy.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
    copy.close()
    assert svc.auto_backup_if_due(ctx, now=dt.datetime.now() + dt.timedelta(hours=25)) is not None
    assert [e["reason"] for e in _events(ctx, "backup")] == ["auto", "auto"]


def test_rotation_keeps_7_daily_4_weekly_and_leaves_special_files(ctx):
    add_test_patient(ctx)
    folder = backup_dir(ctx.data_dir)
    today = dt.datetime.now().replace(hour=3, minute=0, second=0, microsecond=0)
    fakes = [_fake(folder, today - dt.timedelta(days=d)) for d in range(1, 41)]
    special = [_fake(folder, today - dt.timedelta(days=90), "pre-migration-20250101-000000"),
               _fake(folder, today - dt.timedelta(days=80), "replaced-by-restore")]
    foreign = folder / "my-own-copy.sqlite3"
    foreign.write_bytes(b"x")
    made = svc.make_backup(ctx)
    left = {p.name for p in folder.iterdir()}
    assert made.name in left and foreign.name in left and {p.name for p in special} <= left
    kept_fakes = [p for p in fakes if p.name in left]
    # today's new backup is one of the 7 days: 6 of the fakes are the other days
    assert fakes[:6] == kept_fakes[:6]
    weeks = {(today - dt.timedelta(days=d)).isocalendar()[:2] for d in range(0, 41)}
    assert 6 < len(kept_fakes) <= 6 + 4 and len(weeks) > 4
    assert len({dt.date.fromisoformat(f"{p.name[7:11]}-{p.name[11:13]}-{p.name[13:15]}").isocalendar()[:2]
                for p in kept_fakes} | {today.isocalendar()[:2]}) == 4
    (event,) = _events(ctx, "backup")
    assert sorted(event["rotated_out"]) == sorted(p.name for p in fakes if p.name not in left)


def test_restore_refuses_a_backup_with_a_broken_chain(ctx):
    pid = add_test_patient(ctx)
    store_document(ctx, patient_id=pid)
    backup = svc.make_backup(ctx)
    conn = sqlite3.connect(backup)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET operator='mallory' WHERE id=1")
    conn.commit()
    conn.close()
    add_test_patient(ctx, "After Backup")
    before = sorted(p.name for p in backup_dir(ctx.data_dir).iterdir())
    with pytest.raises(OperationFailed, match="audit check") as info:
        svc.restore_backup(ctx, backup)
    assert "audit event 1" in str(info.value) and "nothing was restored" in str(info.value)
    assert sorted(p.name for p in backup_dir(ctx.data_dir).iterdir()) == before
    assert ctx.store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 2


def test_restore_refuses_a_backup_whose_pdf_was_changed(ctx):
    store_document(ctx, patient_id=add_test_patient(ctx))
    backup = svc.make_backup(ctx)
    sha = ctx.store.conn.execute("SELECT sha256 FROM documents").fetchone()[0]
    pdf_file(backup.parent, sha).write_bytes(b"%PDF forged")
    with pytest.raises(OperationFailed, match="document 1"):
        svc.restore_backup(ctx, backup)


def test_restore_keeps_the_replaced_database_privately(ctx):
    store_document(ctx, patient_id=add_test_patient(ctx))
    backup = svc.make_backup(ctx)
    add_test_patient(ctx, "After Backup")
    kept = svc.restore_backup(ctx, backup)
    assert kept.parent == backup_dir(ctx.data_dir) and "replaced-by-restore" in kept.name
    assert mode(kept) == 0o600 and mode(db_path(ctx.data_dir)) == 0o600
    old = sqlite3.connect(kept)
    assert old.execute("SELECT count(*) FROM patients").fetchone()[0] == 2
    old.close()
    assert ctx.store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
    assert _events(ctx, "restore")[0]["kept"] == kept.name
    assert verify_log(ctx).ok


def test_every_successful_command_ends_with_the_daily_backup(capsys, data_dir):
    assert main(["patient", "add", "--name", "Ann", "--dob", "1950-01-01", "--dob", "1950-13-01"]) == 2
    assert not backup_dir(data_dir).exists(), "a refused command writes nothing, not even a backup"
    assert main(["patient", "add", "--name", "Ann", "--dob", "1950-01-01", "--nkda"]) == 0
    (auto,) = backup_dir(data_dir).glob("*-auto.sqlite3")
    assert mode(auto) == 0o600
    copy = sqlite3.connect(f"file:{auto}?mode=ro", uri=True)
    assert copy.execute("SELECT name FROM patients").fetchall() == [("Ann",)], "it has today's change"
    copy.close()
    assert main(["patient", "list"]) == 0
    assert len(list(backup_dir(data_dir).glob("*.sqlite3"))) == 1, "once a day"
    capsys.readouterr()


def test_a_failed_automatic_backup_is_only_a_warning(capsys, data_dir):
    data_dir.mkdir(mode=0o700)
    backup_dir(data_dir).write_bytes(b"not a folder")  # no backup can be written
    assert main(["patient", "add", "--name", "Ann", "--dob", "1950-01-01", "--nkda"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().isdigit() and "automatic daily backup failed" in err
    assert main(["patient", "list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [p["name"] for p in json.loads(out)] == ["Ann"]


def test_the_pre_migration_backup_is_audited(data_dir):
    import sqlite_utils

    from k2desk.storage.migrations import MIGRATIONS

    names = [m.name for m in MIGRATIONS._migrations]
    data_dir.mkdir(mode=0o700)
    old = sqlite_utils.Database(db_path(data_dir))
    MIGRATIONS.apply(old, stop_before=names[1])
    old.close()
    with AppContext(data_dir, "test-rph") as ctx:  # the services pass in the pre-migration backup
        (row,) = ctx.store.conn.execute("SELECT operator, details FROM audit_events WHERE action='backup'")
        details = json.loads(row[1])
        assert row[0] == "k2desk" and details["reason"] == "pre-migration"
        assert (backup_dir(data_dir) / details["file"]).exists()
        assert details["migrations"] == names[1:]
