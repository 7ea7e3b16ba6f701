"""Who has the database open.

Every open store holds a shared lock on ``k2desk.sqlite3.lock`` for as long as it is open, and
leaves a note in ``open-programs/`` saying what it is (the window, or a command) which it keeps
locked while it runs. A whole-file operation (restore) takes the lock exclusively: it is refused
while any other k2desk program has the database open, and the notes name those programs.

Hand-written because SQLite has no "who else is connected" question to ask, and no well-kept
library here offers a shared lock (filelock is exclusive only). POSIX uses ``flock`` (per open
file, so two stores in one process count as two holders); Windows uses ``msvcrt`` byte-range
locks: a holder locks one random byte, the exclusive taker the whole range.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import sys
import time
from pathlib import Path

LOCK_NAME = "k2desk.sqlite3.lock"
NOTES_DIRNAME = "open-programs"
_SPAN = 1 << 20  # Windows: holders lock one byte in [1, _SPAN)
STALE_NOTE_AGE_S = 10


class StoreBusy(Exception):
    """Another k2desk program has the database open (or is restoring it)."""


def _try_lock(fd: int, shared: bool) -> int | None:
    """Lock without waiting; the byte locked (Windows) or 0, or None if it is taken."""
    if sys.platform == "win32":
        import msvcrt

        tries = 8 if shared else 1
        for _ in range(tries):
            start = secrets.randbelow(_SPAN - 1) + 1 if shared else 0
            os.lseek(fd, start, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1 if shared else _SPAN)
            except OSError:
                continue
            return start
        return None
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return None
    return 0


def _unlock(fd: int, start: int, shared: bool) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, start, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1 if shared else _SPAN)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)


class Hold:
    """A lock on the data directory's database; ``release()`` (or closing the store) ends it."""

    def __init__(self, fd: int, start: int, shared: bool, note: Path | None = None,
                 note_fd: int | None = None) -> None:
        self._fd: int | None = fd
        self._start = start
        self._shared = shared
        self._note = note
        self._note_fd = note_fd

    def release(self) -> None:
        if self._note_fd is not None:
            with contextlib.suppress(OSError):
                assert self._note is not None
                self._note.unlink(missing_ok=True)
                os.close(self._note_fd)
            self._note_fd = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd, self._start, self._shared)
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _leave_note(data_dir: Path, who: str) -> tuple[Path, int] | None:
    folder = data_dir / NOTES_DIRNAME
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        note = folder / f"{os.getpid()}-{secrets.token_hex(4)}.txt"
        fd = os.open(note, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None  # the note only helps name a program; the lock itself is what protects
    if sys.platform != "win32":
        _try_lock(fd, shared=False)
    else:  # lock a byte past the text, so others can still read the note
        import msvcrt

        os.lseek(fd, _SPAN, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        os.lseek(fd, 0, os.SEEK_SET)
    text = f"{who} (process {os.getpid()}, open since {dt.datetime.now():%Y-%m-%d %H:%M})"
    os.write(fd, text.encode("utf-8"))
    return note, fd


def hold_shared(data_dir: Path, who: str, *, wait_seconds: float = 30.0) -> Hold:
    """Hold the database open (shared). Waits while a restore runs; StoreBusy after ``wait_seconds``."""
    fd = _open_lock_file(data_dir / LOCK_NAME)
    deadline = time.monotonic() + wait_seconds
    while (start := _try_lock(fd, shared=True)) is None:
        if time.monotonic() > deadline:
            os.close(fd)
            raise StoreBusy("Another k2desk program is replacing the database (a restore); "
                            "try again when it has finished.")
        time.sleep(0.05)
    noted = _leave_note(data_dir, who)
    return Hold(fd, start, True, *(noted or (None, None)))


def _other_programs(data_dir: Path) -> list[str]:
    """What the programs holding the database say they are (stale notes are removed)."""
    found = []
    folder = data_dir / NOTES_DIRNAME
    with contextlib.suppress(OSError):
        for note in sorted(folder.glob("*.txt")):
            try:
                fd = os.open(note, os.O_RDWR)
            except OSError:
                continue
            try:
                if sys.platform == "win32":
                    import msvcrt

                    os.lseek(fd, _SPAN, os.SEEK_SET)
                    try:
                        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                        alive = False
                    except OSError:
                        alive = True
                    os.lseek(fd, 0, os.SEEK_SET)
                else:
                    alive = _try_lock(fd, shared=False) is None
                text = os.read(fd, 4096).decode("utf-8", "replace").strip()
            finally:
                os.close(fd)
            if alive:
                found.append(text)
            else:
                # A note is written a moment before it is locked: only old unlocked notes are
                # left by programs that stopped.
                with contextlib.suppress(OSError):
                    if time.time() - note.stat().st_mtime > STALE_NOTE_AGE_S:
                        note.unlink()
    return found


def take_exclusive(data_dir: Path) -> Hold:
    """Hold the database alone, for a whole-file operation; StoreBusy naming the other programs."""
    fd = _open_lock_file(data_dir / LOCK_NAME)
    start = _try_lock(fd, shared=False)
    if start is None:
        os.close(fd)
        others = _other_programs(data_dir)
        named = "; ".join(others) if others else "another k2desk program"
        raise StoreBusy(f"The database is open in {named}. Close it and try again.")
    # The lock file can be deleted (or swapped) by hand while programs hold it: they then hold a
    # file that no longer has the name, and this lock on a new file proves nothing. Their notes,
    # each locked by its living program, still name them.
    others = _other_programs(data_dir)
    if others or not _same_file(fd, data_dir / LOCK_NAME):
        _unlock(fd, start, False)
        os.close(fd)
        named = "; ".join(others) if others else "another k2desk program"
        raise StoreBusy(f"The database is open in {named}. Close it and try again.")
    return Hold(fd, start, False)


def _same_file(fd: int, path: Path) -> bool:
    if sys.platform == "win32":
        return True  # a file held open cannot be deleted or replaced there
    try:
        st, now = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (now.st_dev, now.st_ino)
