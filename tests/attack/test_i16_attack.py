"""Attacks on issue 16 (restore, backups and output files), on real files and real processes.

Each test is an attack made by someone who did not build the feature: the ones marked "found"
failed before their fix; the others are attacks the build already withstood, kept as tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from k2desk.cli import main
from k2desk.paths import backup_dir, db_path
from k2desk.services import backups as svc
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document

CHILD = str(Path(__file__).parents[1] / "services" / "recovery_process.py")


def _patients(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM patients ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def with_backup(ctx: AppContext) -> Path:
    store_document(ctx, patient_id=add_test_patient(ctx))
    backup = svc.make_backup(ctx)
    add_test_patient(ctx, "After Backup")
    ctx.close()
    return backup


def _hold(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, CHILD, "hold", str(data_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    return proc


def test_found_restore_refused_after_the_lock_file_was_deleted_by_hand(ctx, with_backup, capsys):
    """Found: a careless administrator deletes the 0-byte ``k2desk.sqlite3.lock`` while the window
    is open; restore then took a lock on a new file and replaced the database under the window."""
    data_dir = ctx.data_dir
    live = db_path(data_dir)
    holder = _hold(data_dir)
    try:
        (data_dir / "k2desk.sqlite3.lock").unlink()
        before = live.read_bytes()
        code = main(["backup", "restore", str(with_backup), "--yes"])
        err = capsys.readouterr().err
        assert code == 1, err
        assert "open in the k2desk window" in err and f"process {holder.pid}" in err
        assert "Nothing was restored" in err
        assert live.read_bytes() == before
        assert not list(backup_dir(data_dir).glob("*replaced-by-restore*"))
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("Saved After Lock Deleted\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip().isdigit()
    finally:
        if holder.stdin:
            holder.stdin.close()
        holder.wait(30)
    assert _patients(live) == ["Ann Lee", "After Backup", "Saved After Lock Deleted"]
    # With the holder gone, the restore goes ahead (the lock file is made again).
    assert main(["backup", "restore", str(with_backup), "--yes"]) == 0
    assert _patients(live) == ["Ann Lee"]


def test_found_missing_database_next_to_backups_is_not_started_afresh(ctx, with_backup, capsys):
    """Found: a deleted (or moved) ``k2desk.sqlite3`` with backups beside it was silently replaced
    by a fresh, empty database; the pharmacist saw an empty patient list and no word of it."""
    data_dir = ctx.data_dir
    db_path(data_dir).unlink()
    code = main(["patient", "list"])
    err = capsys.readouterr().err
    assert code != 0
    assert "missing, but backups exist" in err and "backup restore" in err
    assert "Traceback" not in err
    assert not db_path(data_dir).exists()
    # The way out it names works: restore into the missing file.
    assert main(["backup", "restore", str(with_backup), "--yes"]) == 0
    assert _patients(db_path(data_dir)) == ["Ann Lee"]


def test_found_backup_list_marks_a_backup_damaged_after_it_was_written(ctx, with_backup, capsys):
    """Found: a backup damaged on disk after it was written (pages overwritten, header intact)
    was listed as ``ok``; the README promises ``DAMAGED``."""
    with open(with_backup, "r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(b"\xff" * 4096 * 4)
    assert main(["backup", "list"]) == 0
    out = capsys.readouterr().out
    (line,) = [ln for ln in out.splitlines() if with_backup.name in ln]
    assert "DAMAGED" in line
    # And restore refuses it, naming the damage.
    assert main(["backup", "restore", str(with_backup), "--yes"]) == 1
    assert "nothing was restored" in capsys.readouterr().err.lower()


@pytest.mark.parametrize("through_link", [False, True])
def test_found_output_to_a_pipe_is_refused_not_hung_or_replaced(ctx, with_backup, tmp_path,
                                                                through_link):
    """Found: ``-o`` at a FIFO hung for ever (reading its "header"); ``-o /dev/null`` (or
    ``/dev/stdout``, a link to a pipe) as root replaced the device node with a regular file."""
    fifo = tmp_path / "fax-pipe"
    os.mkfifo(fifo)
    target = fifo
    if through_link:
        target = tmp_path / "stdout-like"
        target.symlink_to(fifo)
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from k2desk.cli import main; sys.exit(main(sys.argv[1:]))",
         "document", "save", "1", "-o", str(target)],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "not an ordinary file" in proc.stderr and "Traceback" not in proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert target.is_symlink() == through_link


def test_found_empty_live_file_names_the_newest_backup_that_is_whole(ctx, with_backup, capsys):
    """Found: the hint for an empty (or damaged) database named the newest file in backups/ with
    a whole header, even when its pages were damaged (say, the damaged database a restore kept
    as ``replaced-by-restore``); following the advice then failed too."""
    data_dir = ctx.data_dir
    damaged = backup_dir(data_dir) / "k2desk-20991231-235959-000000-replaced-by-restore.sqlite3"
    shutil.copyfile(with_backup, damaged)
    with open(damaged, "r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(b"\xff" * 4096 * 4)
    later = with_backup.stat().st_mtime + 60
    os.utime(damaged, (later, later))
    db_path(data_dir).write_bytes(b"")
    assert main(["patient", "list"]) != 0
    err = capsys.readouterr().err
    assert f"The newest backup is {with_backup};" in err, err
    assert damaged.name not in err


def test_found_an_older_backup_copied_over_the_open_database_stops_saving(ctx, with_backup):
    """Found: ``cp BACKUP k2desk.sqlite3`` while the window is open (the README's own example,
    "copied over by hand") keeps the file's name and inode, so the window went on saving, said
    it had saved, into a file that could no longer hold what it saved."""
    from k2desk.services import patients
    from k2desk.storage.db import StoreReplaced

    other = AppContext(ctx.data_dir, "window", who="the k2desk window")
    try:
        for i in range(300):
            patients.add_patient(other, patients.PatientInput(
                name=f"Patient {i} " + "x" * 200, dob="1950-01-01", nkda=True))
        other.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        patients.add_patient(other, patients.PatientInput(name="Late", dob="1950-01-01", nkda=True))
        live = db_path(ctx.data_dir)
        shutil.copyfile(with_backup, live)  # in place, as cp does
        for name in ("After Copy", "Tried Again"):  # stopped, and stays stopped
            with pytest.raises(StoreReplaced, match="a file copied over it"):
                patients.add_patient(other, patients.PatientInput(name=name, dob="1950-01-01",
                                                                  nkda=True))
    finally:
        other.close()
    # (The copied file itself is past saving by then: the old -wal beside it holds pages of the
    # database it replaced, which SQLite lays over it. Only the program's own saves can stop.)


# -- attacks the build withstood -------------------------------------------------------------

@pytest.mark.parametrize("how", ["symlink", "hardlink", "dotdot", "dir_symlink", "dangling"])
def test_withstood_output_through_links_to_the_database_or_backups(ctx, with_backup, tmp_path,
                                                                   capsys, how):
    data_dir = ctx.data_dir
    live = db_path(data_dir)
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    target = elsewhere / "doc.pdf"
    if how == "symlink":
        target.symlink_to(live)
    elif how == "hardlink":
        target.hardlink_to(live)
    elif how == "dotdot":
        target = backup_dir(data_dir) / ".." / "k2desk.sqlite3"
    elif how == "dir_symlink":
        (elsewhere / "b").symlink_to(backup_dir(data_dir))
        target = elsewhere / "b" / "doc.pdf"
    else:
        target.symlink_to(backup_dir(data_dir) / "new.sqlite3")
    before = live.read_bytes()
    backups_before = sorted(p.name for p in backup_dir(data_dir).iterdir())
    assert main(["document", "save", "1", "-o", str(target)]) != 0
    err = capsys.readouterr().err
    assert "Choose" in err and "Traceback" not in err
    assert live.read_bytes() == before
    assert sorted(p.name for p in backup_dir(data_dir).iterdir()) == backups_before


@pytest.mark.parametrize("name", ["k2desk.sqlite3", "k2desk.sqlite3-wal", "k2desk.sqlite3.lock"])
def test_withstood_restore_from_the_databases_own_files(ctx, with_backup, capsys, name):
    data_dir = ctx.data_dir
    live = db_path(data_dir)
    (data_dir / name).touch()
    before = live.read_bytes()
    assert main(["backup", "restore", str(data_dir / name), "--yes"]) == 1
    err = capsys.readouterr().err
    assert "nothing was restored" in err.lower() or "choose a backup" in err
    assert live.read_bytes() == before
    assert not list(backup_dir(data_dir).glob("*replaced-by-restore*"))


def test_withstood_restore_right_after_the_holder_was_killed(ctx, with_backup, capsys):
    """A window killed with SIGKILL leaves its note in open-programs; a restore straight after
    goes ahead (the note is no longer locked) and keeps the killed program's saved work."""
    data_dir = ctx.data_dir
    holder = _hold(data_dir)
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("Saved Before Kill\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip().isdigit()
    holder.send_signal(signal.SIGKILL)
    holder.wait(30)
    assert list((data_dir / "open-programs").glob("*.txt"))  # the note stayed behind
    assert main(["backup", "restore", str(with_backup), "--yes"]) == 0, capsys.readouterr().err
    (kept,) = backup_dir(data_dir).glob("*replaced-by-restore.sqlite3")
    assert _patients(kept) == ["Ann Lee", "After Backup", "Saved Before Kill"]
    assert _patients(db_path(data_dir)) == ["Ann Lee"]


def test_found_the_window_says_so_when_a_backup_was_copied_over_in_place(qtbot, ctx):
    """The copy-over attack through the window: Save says the file was replaced, nothing saved."""
    from k2desk.services import patients
    from k2desk.ui.main_window import MainWindow

    ctx.store.check_integrity()
    old = svc.make_backup(ctx)
    for i in range(300):
        patients.add_patient(ctx, patients.PatientInput(name=f"Patient {i} " + "x" * 200,
                                                        dob="1950-01-01", nkda=True))
    ctx.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    try:
        shutil.copyfile(old, db_path(ctx.data_dir))  # cp BACKUP k2desk.sqlite3, window open
        page = w.go("patients")
        page.new_item()
        page.form.name.setText("Walter Brandt")
        page.form.dob.setText("1948-11-02")
        page.form.nkda.setChecked(True)
        page.save()
        qtbot.waitUntil(lambda: not w.worker.busy(), timeout=20_000)
        qtbot.waitUntil(lambda: w._message_box is not None and w._message_box.isVisible())
        text = w._message_box.label.text()
        assert "replaced by another program" in text and "saves nothing more" in text
        assert "Traceback" not in text
    finally:
        w.worker.wait()
        w.close()
