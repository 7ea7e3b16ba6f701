"""`-o` and Save as: the database, its -wal/-shm, the backups folder and any existing SQLite file
are refused before anything is written; outputs are written whole through a fresh temporary file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from k2desk.cli import main
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.outputs import check_output_path, write_output
from stored_documents import add_test_patient, store_document


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(data_dir: Path) -> dict[str, Path | int]:
    with AppContext(data_dir, "test-rph") as ctx:
        doc = store_document(ctx, patient_id=add_test_patient(ctx))
        backup = backups.make_backup(ctx)
    return {"doc": doc, "backup": backup}


def _documents(data_dir: Path) -> int:
    conn = sqlite3.connect(f"file:{db_path(data_dir)}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


def test_the_database_its_companions_and_backups_are_refused(capsys, data_dir, seeded, tmp_path):
    live = db_path(data_dir)
    elsewhere_copy = tmp_path / "copy-of-backup.sqlite3"
    elsewhere_copy.write_bytes(Path(seeded["backup"]).read_bytes())
    link = tmp_path / "innocent.pdf"
    link.symlink_to(live)
    targets = {
        str(live): "own database file",
        f"{live}-wal": "own database file",
        f"{live}-shm": "own database file",
        str(seeded["backup"]): "backups folder",
        str(backup_dir(data_dir) / "new.pdf"): "backups folder",
        str(elsewhere_copy): "existing database file",
        str(link): "own database file",
        str(tmp_path): "is a folder",
        str(tmp_path / "missing" / "x.pdf"): "does not exist",
    }
    before_live = live.read_bytes()
    before_backup = Path(seeded["backup"]).read_bytes()
    for target, why in targets.items():
        for argv in (["document", "save", str(seeded["doc"]), "-o", target],
                     ["log", "export", "-o", target, "--format", "csv"],
                     ["backup", "create", "-o", target]):
            code, _, err = run(capsys, *argv)
            assert code == 2, (argv, err)
            assert "output" in err and why in err, (argv, err)
    assert live.read_bytes() == before_live, "nothing was written or audited"
    assert Path(seeded["backup"]).read_bytes() == before_backup
    assert elsewhere_copy.read_bytes() == before_backup and link.is_symlink()


def test_an_output_link_is_replaced_not_followed(data_dir, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    dest = tmp_path / "out.pdf"
    dest.symlink_to(outside)
    write_output(data_dir, dest, b"%PDF-1.4 new")
    assert not dest.is_symlink() and dest.read_bytes() == b"%PDF-1.4 new"
    assert outside.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".k2desk-")] == []
    assert os.stat(dest).st_mode & 0o077 == 0


def test_a_good_output_is_written_and_an_ordinary_file_may_be_replaced(capsys, data_dir, seeded, tmp_path):
    dest = tmp_path / "copy.pdf"
    dest.write_bytes(b"an older copy")
    code, _, err = run(capsys, "document", "save", str(seeded["doc"]), "-o", str(dest))
    assert code == 0, err
    assert dest.read_bytes().startswith(b"%PDF")
    assert check_output_path(data_dir, dest) == dest


def test_the_check_names_the_field_the_caller_gives(data_dir, seeded):
    with pytest.raises(InputRefused) as info:
        check_output_path(data_dir, db_path(data_dir), field="file")
    (issue,) = info.value.issues
    assert issue.field == "file" and issue.code == "is_database"
