"""The store and its file: a store whose file was replaced writes nothing more; k2desk's files
carry their application_id; an empty file next to backups is not taken for a new database."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from k2desk.paths import backup_dir, db_path
from k2desk.services import backups
from k2desk.services.context import AppContext
from k2desk.services.doctor import run_doctor
from k2desk.storage import StoreError, audit, open_store
from k2desk.storage.backup import create_backup, newest_backup_time, rotate_backups
from k2desk.storage.db import StoreReplaced
from k2desk.storage.files import APPLICATION_ID
from stored_documents import add_test_patient


def _count(path, table="audit_events") -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_a_store_whose_file_was_replaced_writes_nothing_more(data_dir, tmp_path):
    store = open_store(data_dir)
    try:
        with store.write() as db:
            audit.append(db, operator="t", action="test", entity="x")
        replacement = create_backup(store)
        os.replace(replacement, db_path(data_dir))  # what a careless copy-over does
        with pytest.raises(StoreReplaced, match="replaced or removed"):
            with store.write() as db:
                audit.append(db, operator="t", action="lost?", entity="x")
        with pytest.raises(StoreReplaced):
            with store.write() as db:
                audit.append(db, operator="t", action="again", entity="x")
        assert not store.conn.in_transaction
    finally:
        store.close()
    assert _count(db_path(data_dir)) == 1, "the write went nowhere, not into the old file's WAL"


def test_new_and_old_files_get_k2desk_application_id_and_a_foreign_one_is_refused(data_dir):
    store = open_store(data_dir)
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    store.conn.execute("PRAGMA application_id=0")  # as every file before this release
    store.close()
    store = open_store(data_dir)
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    store.conn.execute("PRAGMA application_id=77")
    store.close()
    before = db_path(data_dir).read_bytes()
    with pytest.raises(StoreError, match="another program's SQLite database"):
        open_store(data_dir)
    assert db_path(data_dir).read_bytes() == before


def test_an_empty_database_file_next_to_backups_is_reported_not_started_afresh(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        add_test_patient(ctx)
        good = backups.make_backup(ctx)
    db_path(data_dir).write_bytes(b"")
    with pytest.raises(StoreError, match="empty") as info:
        open_store(data_dir)
    assert str(good) in str(info.value) and "k2desk backup restore" in str(info.value)
    assert db_path(data_dir).read_bytes() == b""


def test_an_empty_file_without_backups_is_a_new_database(data_dir):
    data_dir.mkdir(mode=0o700)
    db_path(data_dir).write_bytes(b"")
    store = open_store(data_dir)
    try:
        assert store.schema_version()
    finally:
        store.close()


def test_stubs_under_backup_names_neither_count_nor_push_out_a_good_backup(ctx):
    add_test_patient(ctx)
    good = backups.make_backup(ctx)
    folder = backup_dir(ctx.data_dir)
    later = dt.datetime.now() + dt.timedelta(minutes=5)
    stub = folder / f"k2desk-{later:%Y%m%d-%H%M%S-%f}-auto.sqlite3"
    stub.write_bytes(b"")  # what an interrupted backup used to leave
    cut = folder / f"k2desk-{later + dt.timedelta(seconds=1):%Y%m%d-%H%M%S-%f}-auto.sqlite3"
    cut.write_bytes(good.read_bytes()[:5000])
    assert rotate_backups(ctx.data_dir) == []
    assert good.exists()
    assert newest_backup_time(ctx.data_dir) < later
    listed = {b.path: b.sound for b in backups.backups(ctx)}
    assert listed == {good: True, stub: False, cut: False}


def test_doctor_warns_when_the_newest_good_backup_is_over_two_days_old(ctx):
    add_test_patient(ctx)
    made = backups.make_backup(ctx)
    checks = {c.name: c for c in run_doctor(ctx)}
    assert not checks["backups"].warning and str(made) in checks["backups"].detail
    old = made.with_name(f"k2desk-{dt.datetime.now() - dt.timedelta(days=3):%Y%m%d-%H%M%S-%f}-manual.sqlite3")
    made.rename(old)
    checks = {c.name: c for c in run_doctor(ctx)}
    assert checks["backups"].ok and checks["backups"].warning
    assert "3 days old" in checks["backups"].detail and str(old) in checks["backups"].detail
    old.write_bytes(b"")  # damaged: not a good backup at all
    assert "no good backup" in {c.name: c for c in run_doctor(ctx)}["backups"].detail
