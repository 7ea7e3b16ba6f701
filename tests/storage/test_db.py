import sqlite3
import stat

import pytest

from k2desk.paths import backup_dir, db_path
from k2desk.storage import StoreError, audit, open_store
from k2desk.storage.backup import create_backup
from k2desk.storage.migrations import MIGRATIONS


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_new_store_is_private_and_uses_durable_pragmas(data_dir):
    store = open_store(data_dir)
    try:
        assert mode(data_dir) == 0o700
        assert mode(db_path(data_dir)) == 0o600
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        with store.write() as db:
            audit.append(db, operator="t", action="test", entity="x")
        wal = db_path(data_dir).with_name("k2desk.sqlite3-wal")
        assert wal.exists() and mode(wal) == 0o600
    finally:
        store.close()


def test_every_migration_applies_to_an_empty_database(data_dir):
    store = open_store(data_dir)
    try:
        assert store.schema_version() == [m.name for m in MIGRATIONS._migrations]
        tables = set(store.db.table_names())
        assert {"patients", "medications", "allergies", "prescribers", "settings", "operators",
                "snippet_state", "handouts", "orders", "order_lines", "documents", "pdf_blobs",
                "audit_events", "fax_jobs", "acknowledgements", "overrides"} <= tables
    finally:
        store.close()


def test_reopening_applies_nothing_and_keeps_data(data_dir):
    store = open_store(data_dir)
    with store.write() as db:
        audit.append(db, operator="t", action="test", entity="x")
    store.close()
    store = open_store(data_dir)
    try:
        assert store.db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
        assert list(backup_dir(data_dir).glob("*pre-migration*")) == []
    finally:
        store.close()


def test_an_older_database_is_backed_up_before_it_is_migrated(data_dir):
    import sqlite_utils

    names = [m.name for m in MIGRATIONS._migrations]
    assert len(names) >= 2, "needs at least one migration after 0001_initial"
    data_dir.mkdir(mode=0o700)
    old = sqlite_utils.Database(db_path(data_dir))
    MIGRATIONS.apply(old, stop_before=names[1])
    old.execute("INSERT INTO settings VALUES ('print.paper_size', '\"a4\"', 'x', 'y')")
    old.conn.commit()
    old.close()

    store = open_store(data_dir, pre_migration_backup=lambda s, reason: create_backup(s, reason=reason))
    try:
        assert store.schema_version() == names
        (backup,) = backup_dir(data_dir).glob("*pre-migration*")
        copy = sqlite3.connect(backup)
        assert [r[0] for r in copy.execute("SELECT name FROM _sqlite_migrations")] == names[:1]
        assert copy.execute("SELECT value FROM settings").fetchone()[0] == '"a4"'
        copy.close()
        assert mode(backup) == 0o600
    finally:
        store.close()


def test_a_file_that_is_not_sqlite_is_reported_with_the_newest_backup_and_left_untouched(data_dir):
    store = open_store(data_dir)
    newest = create_backup(store)
    store.close()
    garbage = b"this is not a database\x00" * 100
    db_path(data_dir).write_bytes(garbage)
    for suffix in ("-wal", "-shm"):
        db_path(data_dir).with_name("k2desk.sqlite3" + suffix).unlink(missing_ok=True)
    with pytest.raises(StoreError) as exc:
        open_store(data_dir)
    assert str(db_path(data_dir)) in str(exc.value)
    assert str(newest) in str(exc.value)
    assert db_path(data_dir).read_bytes() == garbage


def test_a_damaged_sqlite_file_is_reported_and_left_untouched(data_dir):
    store = open_store(data_dir)
    store.close()
    raw = bytearray(db_path(data_dir).read_bytes())
    raw[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)  # keep the header, wreck the first pages
    db_path(data_dir).write_bytes(bytes(raw))
    with pytest.raises(StoreError) as exc:
        open_store(data_dir)
    assert "left untouched" in str(exc.value) and "No usable backup was found" in str(exc.value)
    assert db_path(data_dir).read_bytes() == bytes(raw)


def test_a_data_dir_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot create the data directory"):
        open_store(blocker / "data")


def test_a_data_dir_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "data"
    f.write_text("x")
    with pytest.raises(StoreError):
        open_store(f)


def test_audit_events_are_append_only_and_chained(data_dir):
    store = open_store(data_dir)
    try:
        with store.write() as db:
            for i in range(3):
                audit.append(db, operator="rph", action="create", entity="patient", entity_id=i)
        assert audit.verify_chain(store.db) == (3, None)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute("UPDATE audit_events SET operator='x' WHERE id=2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute("DELETE FROM audit_events WHERE id=2")
        store.conn.rollback()
        # An attacker with the sqlite3 tool can drop the trigger; the chain still tells.
        store.conn.execute("DROP TRIGGER audit_events_no_update")
        store.conn.execute("UPDATE audit_events SET operator='mallory' WHERE id=2")
        store.conn.commit()
        n, problem = audit.verify_chain(store.db)
        assert n == 1 and "event 2" in problem
    finally:
        store.close()


def test_a_failed_write_leaves_nothing(data_dir):
    store = open_store(data_dir)
    try:
        with pytest.raises(RuntimeError), store.write() as db:
            audit.append(db, operator="rph", action="create", entity="x")
            raise RuntimeError("power cut")
        assert store.db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0
    finally:
        store.close()
