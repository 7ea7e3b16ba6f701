import sqlite3

import pytest
import sqlite_utils

from k2desk.storage.migrations import MIGRATIONS, run_script


def test_a_migration_that_fails_half_way_leaves_no_partial_schema(tmp_path):
    db = sqlite_utils.Database(tmp_path / "x.sqlite3")
    with pytest.raises(sqlite3.OperationalError), db.atomic():
        run_script(db, "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
                       "  SELECT 1; SELECT 2;\nEND;\nCREATE TABLE broken (;\n")
    assert db.table_names() == []


def test_all_migrations_apply_inside_one_transaction_each(tmp_path):
    db = sqlite_utils.Database(tmp_path / "y.sqlite3")
    with db.atomic():
        MIGRATIONS.apply(db)
        assert db.conn.in_transaction  # nothing committed behind our back
    assert "audit_events" in db.table_names()
