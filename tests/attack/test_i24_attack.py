"""Attacks on the PDF file store (issue 24): a PDF file replaced by a link (to /dev/zero, to a
good copy elsewhere), a named pipe or a folder; stray and upper-case names in ``blobs/``; a
backup aimed at a fresh folder while a PDF file is damaged; a restore from a backup whose
``blobs/`` folder is gone. Commands that could hang run in a child process with a time limit."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from blob_files import pdf_file
from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services.context import AppContext
from k2desk.storage.blobs import write_blob
from k2desk.storage.documents import store_document as store_document_row
from k2desk.storage.errors import StoreError
from stored_documents import add_test_patient, make_pdf, store_document


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def child(data_dir: Path, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The k2desk command in its own process: a hang or a read without end fails the test
    instead of stopping the suite (memory capped at 2 GB, so /dev/zero cannot take the machine)."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30));"
            "from k2desk.__main__ import main; sys.exit(main())")
    env = dict(os.environ, K2DESK_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-c", code, "--data-dir", str(data_dir), *argv],
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)


@pytest.fixture
def two_docs(data_dir: Path) -> tuple[Path, list[int], list[str]]:
    with AppContext(data_dir, "test-rph") as ctx:
        pid = add_test_patient(ctx)
        docs = [store_document(ctx, patient_id=pid, title=f"Handout {i}") for i in range(2)]
        shas = [ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [d]).fetchone()[0]
                for d in docs]
    return data_dir, docs, shas


def _replace(path: Path, how: str, tmp: Path) -> None:
    good = tmp / "moved-away.pdf"
    shutil.move(path, good)
    if how == "dev-zero":
        path.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "folder":
        path.mkdir()
    elif how == "link-to-good-copy":
        path.symlink_to(good)


KINDS = ["dev-zero", "fifo", "folder", "link-to-good-copy"]


# --------------------------------------------------------------------------- found and fixed

@pytest.mark.parametrize("how", KINDS)
def test_verify_names_a_pdf_file_that_is_not_a_plain_file(two_docs, how, tmp_path):
    """Before: /dev/zero was read until memory ran out, a pipe was waited on forever, a folder
    gave "unexpected error (IsADirectoryError)"; a link to a copy outside the store passed."""
    data_dir, docs, shas = two_docs
    _replace(pdf_file(data_dir, shas[0]), how, tmp_path)
    r = child(data_dir, "log", "verify")
    assert r.returncode == 1, r.stderr
    assert "verification FAILED" in r.stderr and f"document {docs[0]}:" in r.stderr
    assert "not a plain file" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("how", KINDS)
def test_saving_a_document_whose_file_is_not_a_plain_file_says_so(two_docs, how, tmp_path):
    data_dir, docs, shas = two_docs
    _replace(pdf_file(data_dir, shas[0]), how, tmp_path)
    out = tmp_path / "copy.pdf"
    r = child(data_dir, "document", "save", str(docs[0]), "-o", str(out))
    assert r.returncode == 1 and "missing or unreadable" in r.stderr, r.stderr
    assert "unexpected error" not in r.stderr and not out.exists()


@pytest.mark.parametrize("how", ["dev-zero", "fifo"])
def test_a_backup_to_a_new_folder_stops_at_a_pdf_file_that_is_not_a_plain_file(two_docs, how,
                                                                                 tmp_path):
    """Before: the copy read /dev/zero into the backup's blobs/ folder until the disk was full,
    or waited on the pipe forever."""
    data_dir, docs, shas = two_docs
    _replace(pdf_file(data_dir, shas[0]), how, tmp_path)
    dest = tmp_path / "stick"
    dest.mkdir()
    r = child(data_dir, "backup", "create", "-o", str(dest / "x.sqlite3"))
    assert r.returncode == 1 and "The backup was not kept" in r.stderr, r.stderr
    assert "not a plain file" in r.stderr
    assert not (dest / "x.sqlite3").exists()
    assert sum(f.stat().st_size for f in dest.rglob("*") if f.is_file()) < 10_000_000


def test_storing_a_pdf_whose_name_is_taken_by_a_link_writes_a_real_file(data_dir, tmp_path):
    """A link put where the next PDF's file will go (to a copy of the same bytes elsewhere) is
    replaced by a real file, so the store never depends on a file outside it."""
    with AppContext(data_dir, "test-rph") as ctx:
        pid = add_test_patient(ctx)
        first = store_document(ctx, patient_id=pid, title="Handout")
        sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [first]).fetchone()[0]
    path = pdf_file(data_dir, sha)
    outside = tmp_path / "outside.pdf"
    shutil.copyfile(path, outside)
    path.unlink()
    path.symlink_to(outside)
    write_blob(data_dir / "blobs", outside.read_bytes())
    assert not path.is_symlink() and path.read_bytes() == outside.read_bytes()
    assert child(data_dir, "log", "verify").returncode == 0


@pytest.mark.parametrize("where", ["blobs", "sub"])
def test_a_pdf_that_cannot_be_written_is_a_message_and_stores_no_row(data_dir, where):
    """Before: "unexpected error (FileExistsError / PermissionError)"; the blob folder (or its
    two-letter sub-folder) taken by a file stands for a read-only or failing disk."""
    with AppContext(data_dir, "test-rph") as ctx:
        pid = add_test_patient(ctx)
        pdf = make_pdf(["A handout nobody could save"])
        sha = hashlib.sha256(pdf).hexdigest()
        root = data_dir / "blobs"
        if where == "blobs":
            shutil.rmtree(root, ignore_errors=True)
            root.write_bytes(b"not a folder")
        else:
            root.mkdir(exist_ok=True)
            (root / sha[:2]).write_bytes(b"not a folder")
        before = ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        with pytest.raises(StoreError, match="could not be saved.*Nothing was stored"):
            with ctx.store.write() as db:
                store_document_row(db, kind="handout", patient_id=pid, source_table="handouts",
                                   source_id=1, title="x", pdf=pdf, pages=1, operator="test-rph")
        assert ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == before
        assert ctx.store.conn.execute("SELECT count(*) FROM pdf_blobs WHERE sha256=?",
                                      [sha]).fetchone()[0] == 0


# --------------------------------------------------------------------------- withstood

def test_stray_and_upper_case_names_are_listed_as_extra_and_verify_passes(two_docs, capsys):
    data_dir, docs, shas = two_docs
    root = data_dir / "blobs"
    (root / shas[0][:2] / "notahash").write_bytes(b"hello")
    upper = root / shas[1][:2] / shas[1].upper()
    shutil.copyfile(pdf_file(data_dir, shas[1]), upper)
    code, out, err = run(capsys, "log", "verify")
    assert code == 0, err
    assert "notahash" in out + err and shas[1].upper() in out + err


def test_a_pdf_file_replaced_by_another_pdf_file_is_caught(two_docs, capsys):
    data_dir, docs, shas = two_docs
    shutil.copyfile(pdf_file(data_dir, shas[1]), pdf_file(data_dir, shas[0]))
    code, out, err = run(capsys, "log", "verify")
    assert code == 1 and f"document {docs[0]}:" in err and "SHA-256" in err


def test_restore_from_a_backup_whose_blobs_folder_is_gone_is_refused_and_changes_nothing(
        two_docs, capsys, tmp_path):
    data_dir, docs, shas = two_docs
    dest = tmp_path / "stick"
    dest.mkdir()
    code, out, err = run(capsys, "backup", "create", "-o", str(dest / "x.sqlite3"))
    assert code == 0, err
    shutil.rmtree(dest / "blobs")
    before = db_path(data_dir).read_bytes()
    code, out, err = run(capsys, "backup", "restore", str(dest / "x.sqlite3"), "--yes")
    assert code != 0 and "missing" in err, err
    assert db_path(data_dir).read_bytes() == before
    con = sqlite3.connect(db_path(data_dir))
    try:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    finally:
        con.close()


# -- a daily backup from before the PDF file store, older than the pre-migration copy -----------

def _old_layout_document(db, pdf: bytes) -> None:  # noqa: ANN001
    """What storing a document did before issue 24: the bytes inside ``pdf_blobs.data``."""
    import datetime as dt

    from k2desk.storage import audit
    digest = hashlib.sha256(pdf).hexdigest()
    db.execute("INSERT OR IGNORE INTO pdf_blobs (sha256, data) VALUES (?, ?)", [digest, pdf])
    cur = db.execute(
        "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size, pages,"
        " created_at, operator) VALUES ('handout', NULL, 'handouts', 0, 'Old', ?, ?, 1, ?, 'test-rph')",
        [digest, len(pdf), dt.datetime.now(dt.UTC).isoformat()])
    audit.append(db, operator="test-rph", action="render", entity="document",
                 entity_id=int(cur.lastrowid or 0),
                 details={"kind": "handout", "sha256": digest, "size": len(pdf), "pages": 1,
                          "source": "handouts/0"})


def test_restoring_a_daily_backup_from_before_the_upgrade_works(data_dir, monkeypatch, capsys):
    """Before: the restore put the old-layout file in place, then its first open (which updates
    it) compared it with the newer pre-migration backup and refused, before the restore could
    record itself: 'needs updating, but the audit trail has N events but the backup …
    pre-migration … recorded N+1' -- the pharmacy locked out of the backup it chose."""
    from k2desk.paths import backup_dir
    from k2desk.storage.migrations import MIGRATIONS
    old = [m for m in MIGRATIONS._migrations if m.name != "0012_i24_blob_store"]
    pdfs = [make_pdf([f"Old document {i}"]) for i in range(3)]
    daily = backup_dir(data_dir) / "k2desk-20200101-120000-000000-auto.sqlite3"
    with monkeypatch.context() as m:
        m.setattr(MIGRATIONS, "_migrations", old)
        with AppContext(data_dir, "test-rph") as c:
            with c.store.write() as db:
                for pdf in pdfs[:2]:
                    _old_layout_document(db, pdf)
            backup_dir(data_dir).mkdir(mode=0o700, exist_ok=True)
            dest = sqlite3.connect(daily)
            c.store.conn.backup(dest)
            dest.close()
            os.utime(daily, (1577880000, 1577880000))
            with c.store.write() as db:  # the next day's work, before the upgrade
                _old_layout_document(db, pdfs[2])
    code, out, err = run(capsys, "log", "verify")  # the first open since the upgrade
    assert code == 0, err
    code, out, err = run(capsys, "backup", "restore", str(daily), "--yes")
    assert code == 0, err
    code, out, err = run(capsys, "log", "verify")
    assert code == 0 and "2 documents verified" in out + err, err
    code, out, err = run(capsys, "document", "save", "2", "-o", str(data_dir / "two.pdf"))
    assert code == 0, err
    assert (data_dir / "two.pdf").read_bytes() == pdfs[1]


def test_a_lost_pdf_file_comes_back_byte_for_byte_from_the_newest_backup(two_docs, capsys):
    """Withstood: the live file deleted after a backup; save and verify say so, a restore of the
    newest backup brings it back and the saved copy is the same bytes."""
    data_dir, docs, shas = two_docs
    original = pdf_file(data_dir, shas[0]).read_bytes()
    code, out, err = run(capsys, "backup", "create")
    assert code == 0, err
    newest = Path(out.strip().splitlines()[-1])
    pdf_file(data_dir, shas[0]).unlink()
    code, out, err = run(capsys, "log", "verify")
    assert code == 1 and "missing" in err
    code, out, err = run(capsys, "backup", "restore", str(newest), "--yes")
    assert code == 0, err
    code, out, err = run(capsys, "log", "verify")
    assert code == 0, err
    code, out, err = run(capsys, "document", "save", str(docs[0]), "-o", str(data_dir / "back.pdf"))
    assert code == 0 and (data_dir / "back.pdf").read_bytes() == original
