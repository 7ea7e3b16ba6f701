"""Files k2desk writes where a person asked (``-o``, Save as, Export): the one place that decides
whether a path is a safe place to write, and writes it whole or not at all.

Every writer of an output file calls ``check_output_path`` first — before anything is stored —
and then writes through ``replacing``/``write_output``.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from k2desk.domain.issues import error
from k2desk.paths import backup_dir, db_path
from k2desk.services.errors import InputRefused, OperationFailed
from k2desk.storage.exclusive import LOCK_NAME, NOTES_DIRNAME
from k2desk.storage.files import SQLITE_HEADER, exclusive_temp, fsync_dir

_DB_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _refuse(code: str, message: str, field: str) -> InputRefused:
    return InputRefused([error(field, code, message)])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_output_path(data_dir: Path, path: str | os.PathLike[str], *, field: str = "output") -> Path:
    """The absolute path to write, or InputRefused (on ``field``) saying why not and what to do.

    Refused: the database and its ``-wal``/``-shm``/``-journal`` (also through a link), anything
    in the backups folder or k2desk's own lock files, any existing SQLite file, a folder, and a
    path whose folder is missing or not writable.
    """
    dest = Path(path).expanduser().absolute()
    resolved = dest.resolve()  # through any links, so a link to the database is seen for what it is
    live = db_path(data_dir)
    for suffix in _DB_COMPANIONS:
        own = Path(f"{live}{suffix}")
        if resolved == own.resolve() or _same_file(resolved, own):
            raise _refuse("is_database", f"{dest} is k2desk's own database file; writing there would "
                          "destroy the records. Choose another file name.", field)
    for folder in (backup_dir(data_dir), data_dir / NOTES_DIRNAME):
        if _is_within(resolved, folder.resolve()):
            raise _refuse("in_backups", f"{dest} is inside k2desk's {folder.name} folder, which "
                          "k2desk manages itself. Choose a file in another folder.", field)
    if resolved == (data_dir / LOCK_NAME).resolve():
        raise _refuse("is_database", f"{dest} is one of k2desk's own files. Choose another name.", field)
    if resolved.is_dir():
        raise _refuse("is_folder", f"{dest} is a folder; give a file name inside it.", field)
    try:
        mode = os.stat(dest).st_mode  # through links: /dev/stdout is a link to a pipe
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        # Renaming the finished file into place would replace the device or pipe itself (for
        # root, /dev/null), and reading a pipe's first bytes waits for ever.
        raise _refuse("not_a_file", f"{dest} is not an ordinary file (a device, pipe or terminal); "
                      "k2desk writes PDFs and exports only to ordinary files. Choose a file name.",
                      field)
    if resolved.exists():
        try:
            with open(resolved, "rb") as fh:
                head = fh.read(16)
        except OSError:
            head = b""
        if head == SQLITE_HEADER:
            raise _refuse("is_sqlite", f"{dest} is an existing database file (perhaps a backup); k2desk "
                          "does not write over one. Choose another file name.", field)
    folder = dest.parent
    if not folder.is_dir():
        raise _refuse("no_folder", f"The folder {folder} does not exist. Create it first or choose "
                      "another folder.", field)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse("not_writable", f"The folder {folder} cannot be written by this user. Choose "
                      "another folder.", field)
    return dest


@contextlib.contextmanager
def replacing(dest: Path) -> Iterator[BinaryIO]:
    """A new file beside ``dest`` (random name, created exclusively, not through a link), opened
    for writing; when the block ends without error it is synced and renamed over ``dest``,
    otherwise removed. ``dest`` is never seen half-written."""
    try:
        fd, tmp = exclusive_temp(dest.parent)
    except OSError as exc:
        raise OperationFailed(f"Cannot write {dest}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OperationFailed(f"Cannot write {dest}: {exc.strerror or exc}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_output(data_dir: Path, path: str | os.PathLike[str], data: bytes) -> Path:
    """Check ``path`` (``check_output_path``) and write all of ``data`` there, or nothing."""
    dest = check_output_path(data_dir, path)
    with replacing(dest) as fh:
        fh.write(data)
    return dest
