"""A writer killed at random moments loses nothing that was confirmed; two writers lose nothing."""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from k2desk.storage import open_store

WRITER = str(Path(__file__).with_name("writer_process.py"))


def _start(data_dir, prefix, count):
    return subprocess.Popen([sys.executable, WRITER, str(data_dir), prefix, str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_at_random_moments_loses_no_confirmed_patient(data_dir):
    rng = random.Random(20261122)
    confirmed: list[int] = []
    for round_no in range(20):
        out_file = data_dir.parent / f"round{round_no}.out"
        with open(out_file, "w") as out:
            proc = subprocess.Popen([sys.executable, WRITER, str(data_dir), f"R{round_no}", "100000"],
                                    stdout=out, stderr=subprocess.DEVNULL)
            # Kill somewhere between start-up (opening, migrating) and mid-stream writes: even
            # rounds at a random moment from the start, odd rounds a random moment after the
            # first commit (start-up takes longer on a loaded machine than any fixed guess).
            if round_no % 2:
                deadline = time.monotonic() + 60
                while not out_file.read_text() and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(rng.uniform(0.0, 0.6))
            else:
                time.sleep(rng.uniform(0.2, 1.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        # Only complete lines were confirmed (an id is printed after its commit returned).
        confirmed += [int(x) for x in out_file.read_text().split("\n")[:-1] if x]
    assert len(confirmed) > 20, "the writer never got going; the test proves nothing"
    store = open_store(data_dir)
    try:
        assert store.integrity() == "ok"
        present = {r[0] for r in store.conn.execute("SELECT id FROM patients")}
        assert set(confirmed) <= present
        meds = store.conn.execute(
            "SELECT count(*) FROM patients p WHERE NOT EXISTS "
            "(SELECT 1 FROM medications m WHERE m.patient_id = p.id)").fetchone()[0]
        assert meds == 0, "a patient was stored without its medications (torn write)"
    finally:
        store.close()


def test_two_processes_adding_at_once_lose_nothing_and_never_see_locked(data_dir):
    procs = [_start(data_dir, name, 150) for name in ("Alpha", "Beta")]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err
    ids = [int(x) for out, _ in outs for x in out.split()]
    assert len(ids) == 300 and len(set(ids)) == 300
    store = open_store(data_dir)
    try:
        assert store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 300
        assert store.integrity() == "ok"
    finally:
        store.close()
