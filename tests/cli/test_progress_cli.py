"""Long commands show a progress bar with an estimate on a terminal and stay quiet in a pipe
(issue 23). The terminal is a real pseudo-terminal (the pty module); the pipe is a real pipe."""

from __future__ import annotations

import csv
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from k2desk.cli import main

BAR = "%|"  # tqdm's bar: "Exporting the log:  40%|####      | 1200/3012 [00:01<00:01, ...]"


def _in_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``k2desk args`` with stdin, stdout and stderr on a 100-column pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "k2desk", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=dict(os.environ, TQDM_MININTERVAL="0"))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def _in_pipe(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "k2desk", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


@pytest.fixture
def demo_dir(data_dir: Path) -> Path:
    assert main(["demo", "--patients", "20", "--documents", "6000"]) == 0
    return data_dir


def _patients_csv(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "dob", "phone", "medications", "allergies", "nkda"])
        w.writerows([f"Import Person {i}", "1960-01-02", f"(817) 555-{i % 10000:04d}", "", "", "yes"]
                    for i in range(n))
    return path


def test_long_commands_show_a_bar_on_a_terminal_and_nothing_in_a_pipe(demo_dir, tmp_path):
    people = _patients_csv(tmp_path / "people.csv", 5000)
    people2 = _patients_csv(tmp_path / "people2.csv", 0)
    commands = [
        (["log", "export", "--format", "csv", "-o", str(tmp_path / "t.csv")],
         ["log", "export", "--format", "csv", "-o", str(tmp_path / "p.csv")], "Exporting the log"),
        (["log", "verify"], ["log", "verify"], "Hashing stored PDFs"),
        (["order", "export", "-o", str(tmp_path / "t-orders.csv")],
         ["order", "export", "-o", str(tmp_path / "p-orders.csv")], "Exporting orders"),
        (["backup", "create", "-o", str(tmp_path / "t.sqlite3")],
         ["backup", "create", "-o", str(tmp_path / "p.sqlite3")], "Backing up"),
        (["patient", "import", str(people)], ["patient", "import", str(people2)],
         "Checking and importing"),
    ]
    for terminal_args, pipe_args, label in commands:
        code, shown = _in_terminal(terminal_args)
        assert code == 0, shown
        assert label in shown and BAR in shown, (label, shown[-2000:])
        # The estimate: elapsed<remaining, as tqdm writes it once it knows the total.
        assert "<" in shown.split(label, 1)[1], shown[-2000:]
        piped = _in_pipe(pipe_args)
        assert piped.returncode == 0, piped.stderr
        assert BAR not in piped.stderr and "\r" not in piped.stderr, piped.stderr
        assert label not in piped.stderr + piped.stdout

    # The backups just written restore with a bar at the terminal, and quietly in a pipe.
    code, shown = _in_terminal(["backup", "restore", "--yes", str(tmp_path / "t.sqlite3")])
    assert code == 0 and "Copying the backup in" in shown and BAR in shown, shown[-2000:]
    piped = _in_pipe(["backup", "restore", "--yes", str(tmp_path / "p.sqlite3")])
    assert piped.returncode == 0 and BAR not in piped.stderr, piped.stderr


def test_demo_shows_a_bar_on_a_terminal_only(tmp_path, monkeypatch):
    monkeypatch.setenv("K2DESK_DATA_DIR", str(tmp_path / "t"))
    code, shown = _in_terminal(["demo", "--patients", "3", "--documents", "30"])
    assert code == 0 and "Filling demo data" in shown and BAR in shown, shown[-2000:]
    monkeypatch.setenv("K2DESK_DATA_DIR", str(tmp_path / "p"))
    piped = _in_pipe(["demo", "--patients", "3", "--documents", "30"])
    assert piped.returncode == 0 and BAR not in piped.stderr and "Filling" not in piped.stderr
