"""The disk fills during a write (simulated with RLIMIT_FSIZE): a clear message, nothing lost."""

import resource
import signal
import subprocess
import sys

from k2desk.services import patients
from k2desk.services.context import AppContext
from k2desk.storage import open_store


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_disk_too_full_to_open_the_database_says_so(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        patients.add_patient(ctx, patients.PatientInput(name="Kept", dob="1950-01-01", nkda=True))
    r = subprocess.run([sys.executable, "-m", "k2desk", "patient", "list"], capture_output=True,
                       text=True, timeout=120, preexec_fn=_limit_file_size(1024))
    assert r.returncode == 1 and "may be full" in r.stderr and "Traceback" not in r.stderr
    assert "damaged" not in r.stderr


def test_a_full_disk_is_a_message_and_loses_nothing_confirmed(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        kept = [patients.add_patient(ctx, patients.PatientInput(name=f"Kept {i}", dob="1950-01-01",
                                                                nkda=True)) for i in range(5)]
    # The WAL file starts empty after a clean close: room for its 32 KB index and a few pages,
    # then the disk is "full" half-way through writing this patient.
    meds = [arg for i in range(30) for arg in ("--med", f"warfarin {i} " + "y" * 450)]
    r = subprocess.run(
        [sys.executable, "-m", "k2desk", "patient", "add", "--name", "Ann " + "x" * 900,
         "--dob", "1950-01-01", "--nkda", *meds],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(40_000))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "not saved" in r.stderr and "disk may be full" in r.stderr
    assert "Traceback" not in r.stderr
    store = open_store(data_dir)
    try:
        assert store.integrity() == "ok"
        rows = store.conn.execute("SELECT id, name FROM patients ORDER BY id").fetchall()
        assert [r[0] for r in rows] == kept  # every confirmed patient, and no half-written one
        assert store.conn.execute("SELECT count(*) FROM medications").fetchone()[0] == 0
    finally:
        store.close()
