"""PDF bytes as files, named by their SHA-256, in a ``blobs`` folder beside the database.

Why files and not a second SQLite file per year: a file named by its content is written once and
never changed, so a daily backup copies exactly the files it does not hold yet (a per-year SQLite
file would be copied whole every day, up to a year of PDFs). Each file is written under a private
temporary name, fsynced, renamed into place and its folder fsynced, all *before* the row that
names it commits: a crash at any moment leaves at most an extra file without a row (harmless,
named by ``log verify``), never a row without its file.

Layout: ``<db folder>/blobs/<first two hex digits>/<sha256>`` (files 0600, folders 0700). The
live database's PDFs are in ``<data dir>/blobs``; the backups in ``backups/`` share
``backups/blobs``. The ``pdf_blobs`` table stays the catalogue (sha256, size) that the
documents rows reference, so a database knows which files it needs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from k2desk.storage.errors import StoreError
from k2desk.storage.files import TEMP_PREFIX, exclusive_temp, fsync_dir

BLOB_DIRNAME = "blobs"
_SHA = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


class BlobError(Exception):
    """A PDF file could not be written, or is missing or changed."""


def blob_root_beside(db_file: Path) -> Path:
    """The blob folder of the database file ``db_file``."""
    return db_file.parent / BLOB_DIRNAME


def blob_root(db: Database) -> Path:
    """The blob folder of the open database ``db`` (beside its main file)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return blob_root_beside(Path(file))
    raise BlobError("this database has no file, so it has no folder for its PDFs")


def blob_path(root: Path, sha: str) -> Path:
    if not _SHA.fullmatch(sha):
        raise BlobError(f"{sha!r} is not a SHA-256")
    return root / sha[:2] / sha


def has_inline_bytes(db: Database) -> bool:
    """True for a database from before issue 24 (PDF bytes inside ``pdf_blobs.data``)."""
    return any(r[1] == "data" for r in db.execute("PRAGMA table_info(pdf_blobs)").fetchall())


def _private_dirs(root: Path, sub: Path) -> None:
    made_root = not root.is_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if made_root:
        fsync_dir(root.parent)
    if not sub.is_dir():
        sub.mkdir(mode=0o700, exist_ok=True)
        fsync_dir(root)


def _open_plain(path: Path) -> int:
    """Open a stored file for reading, only when it is a plain file: a link (to /etc/passwd, to
    /dev/zero, to another blob), a folder, a named pipe or a device put where a PDF should be is
    refused at once (raises OSError), never read without end or waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "a folder, pipe or device, not a plain file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_plain(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the plain file ``path`` (at most ``limit`` + 1 of them when given)."""
    with os.fdopen(_open_plain(path), "rb") as fh:
        return fh.read() if limit is None else fh.read(limit + 1)


def write_blob(root: Path, data: bytes, sha: str | None = None) -> str:
    """Put ``data`` into the store at ``root`` durably (temp file, fsync, rename, fsync folder);
    return its SHA-256. A file already there with the same bytes is kept as it is."""
    sha = sha or hashlib.sha256(data).hexdigest()
    path = blob_path(root, sha)  # ``sha`` given: the name a row records (a migration's copy)
    with contextlib.suppress(OSError):
        if _read_plain(path, len(data)) == data:
            return sha
    _private_dirs(root, path.parent)
    fd, tmp = exclusive_temp(path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)
    return sha


def copy_blob(src_root: Path, dest_root: Path, sha: str, size: int) -> int:
    """Copy one file from ``src_root`` to ``dest_root`` (checked against its SHA-256 and size as
    it is read; durable before it gets its name). Returns the bytes copied; raises BlobError
    when the source is missing or changed."""
    src = blob_path(src_root, sha)
    dest = blob_path(dest_root, sha)
    _private_dirs(dest_root, dest.parent)
    digest = hashlib.sha256()
    n = 0
    try:
        fin = os.fdopen(_open_plain(src), "rb")  # closed below, after the temp file is set up
    except OSError as exc:
        why = "a link, not a plain file" if exc.errno == errno.ELOOP else (exc.strerror or exc)
        raise BlobError(f"the PDF file {src} is missing or is not a plain file ({why})") from exc
    fd, tmp = exclusive_temp(dest.parent)
    try:
        with fin, os.fdopen(fd, "wb") as fout:
            while n <= size and (chunk := fin.read(_CHUNK)):
                digest.update(chunk)
                n += len(chunk)
                fout.write(chunk)
            fout.flush()
            if digest.hexdigest() != sha or n != size:
                raise BlobError(f"the PDF file {src} does not match its SHA-256 (it was changed)")
            os.fsync(fout.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(dest.parent)
    return n


def read_blob(root: Path, sha: str) -> bytes | None:
    """The bytes stored under ``sha``, or None when the file is missing or is not a plain file
    that can be read (a link, a folder, a pipe or a device in its place); not checked here."""
    try:
        return _read_plain(blob_path(root, sha))
    except OSError:
        return None


def add_blob(db: Database, pdf: bytes) -> str:
    """Store ``pdf`` durably and record it in ``pdf_blobs``; call inside ``Store.write()``, so
    the file is on disk before the row that names it commits."""
    root = blob_root(db)
    try:
        sha = write_blob(root, pdf)
    except OSError as exc:
        raise StoreError(
            f"The PDF could not be saved in {root}: the disk refused the file "
            f"({exc.strerror or exc}); the folder may be full, read-only or failing. Nothing was "
            "stored; free some space or fix the folder and try again.") from exc
    db.execute("INSERT OR IGNORE INTO pdf_blobs (sha256, size) VALUES (?, ?)", [sha, len(pdf)])
    return sha


def catalogue(db: Database | sqlite3.Connection) -> Iterator[tuple[str, int]]:
    """(sha256, size) of every PDF a database needs, in the order they were added."""
    for sha, size in db.execute("SELECT sha256, size FROM pdf_blobs ORDER BY rowid"):
        yield str(sha), int(size)


def stored_files(root: Path) -> Iterator[Path]:
    """Every finished file in the store (temporary files left by a stop are skipped)."""
    if not root.is_dir():
        return
    for sub in sorted(root.iterdir()):
        if sub.is_dir():
            for f in sorted(sub.iterdir()):
                if not f.name.startswith(TEMP_PREFIX):
                    yield f


@dataclass(frozen=True, slots=True)
class CopyResult:
    files: int
    bytes: int


def copy_missing(src_root: Path, dest_root: Path, wanted: Iterable[tuple[str, int]], *,
                 skip_unreadable: bool = False) -> CopyResult:
    """Copy every wanted file that ``dest_root`` does not hold whole yet (same size), each
    checked as it is read. ``skip_unreadable``: a missing or changed source file is left out
    instead of stopping the copy (keeping what can be kept of a damaged database)."""
    files = total = 0
    dest = os.fspath(dest_root)
    for sha, size in wanted:
        if not _SHA.fullmatch(sha):
            raise BlobError(f"{sha!r} is not a SHA-256")
        try:
            # Plain strings, not pathlib: this runs once per PDF ever stored, every day.
            if os.stat(f"{dest}/{sha[:2]}/{sha}").st_size == size:
                continue
        except FileNotFoundError:
            pass
        try:
            total += copy_blob(src_root, dest_root, sha, size)
        except BlobError:
            if skip_unreadable:
                continue
            raise
        files += 1
    return CopyResult(files, total)


def check_present(root: Path, wanted: Iterable[tuple[str, int]]) -> str | None:
    """Why the store at ``root`` does not hold every wanted file whole (by size), or None."""
    for sha, size in wanted:
        try:
            actual = blob_path(root, sha).stat().st_size
        except OSError:
            return f"the PDF file {blob_path(root, sha)} is missing"
        if actual != size:
            return f"the PDF file {blob_path(root, sha)} is cut short or changed (size {actual}, not {size})"
    return None


def verify_documents(db: Database, root: Path | None = None, *, deep: bool = True,
                     files: bool = True,
                     progress: Callable[[int, int | None], None] | None = None,
                     every: int = 2000) -> tuple[int, str | None]:
    """Check every stored PDF against its row and the audit trail; return (documents checked,
    first problem or None). ``deep`` recomputes each file's SHA-256; otherwise only that the file
    is there with its size. ``files=False`` checks the rows and the trail alone (a backup that
    has just checked every file with ``copy_missing``, hashing the ones it copied).
    A database from before issue 24 keeps its bytes inline and is checked as it was.
    ``progress(done, total)`` is called every ``every`` documents and at the end."""
    from k2desk.storage.log import _recorded_hashes

    total = (int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
             if progress is not None else None)

    inline = has_inline_bytes(db)
    if not inline and root is None:
        root = blob_root(db)
    recorded = _recorded_hashes(db)
    event = next(recorded, None)
    n = 0
    data_col = "CAST(b.data AS BLOB)" if inline else "b.sha256"
    cur = db.execute(f"SELECT d.id, d.sha256, d.size, {data_col} FROM documents d"
                     " LEFT JOIN pdf_blobs b ON b.sha256 = d.sha256 ORDER BY d.id")
    for doc_id, sha, size, data in cur:
        while event is not None and event[0] < doc_id:
            event = next(recorded, None)
        if data is None:
            return n, f"document {doc_id}: its stored PDF is missing"
        if not inline and files:
            assert root is not None
            path = blob_path(root, sha) if _SHA.fullmatch(str(sha)) else root / str(sha)
            if deep:
                data = read_blob(root, sha) if _SHA.fullmatch(str(sha)) else None
                if data is None:
                    return n, (f"document {doc_id}: its stored PDF file {path} is missing or "
                                  "is not a plain file")
            else:
                try:
                    actual = path.stat().st_size
                except OSError:
                    return n, f"document {doc_id}: its stored PDF file {path} is missing"
                if actual != size:
                    return n, f"document {doc_id}: the stored PDF file {path} is cut short or changed"
        if inline or (deep and files):
            if hashlib.sha256(data).hexdigest() != sha:
                return n, (f"document {doc_id}: the stored PDF does not match its SHA-256 "
                           "(it was changed)")
            if len(data) != size:
                return n, f"document {doc_id}: the stored PDF's size does not match the log"
        if event is None or event[0] != doc_id:
            return n, (f"document {doc_id}: the audit trail has no event recording its creation "
                       "(events were removed, or the row was added behind k2desk's back)")
        if event[1] != sha:
            return n, (f"document {doc_id}: its SHA-256 differs from the one recorded in the audit "
                       "trail when it was created (the PDF and its row were changed)")
        n += 1
        if progress is not None and n % every == 0:
            progress(n, total)
    if progress is not None:
        progress(n, total)
    return n, None


def extra_files(db: Database, root: Path | None = None) -> list[Path]:
    """Files in the store that no row of this database names: left by a crash between a file
    and its row, or by a restore of an older backup. Harmless; ``log verify`` names them."""
    if has_inline_bytes(db):
        return []
    root = root or blob_root(db)
    known = {sha for sha, _ in catalogue(db)}
    return [f for f in stored_files(root) if f.name not in known]


def referenced(db_files: Iterable[Path]) -> set[str] | None:
    """The SHA-256s named by the given backup databases, or None when one cannot be read (then
    no file may be let go)."""
    names: set[str] = set()
    for path in db_files:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            try:
                cols = {r[1] for r in conn.execute("PRAGMA table_info(pdf_blobs)")}
                if "size" in cols and "data" not in cols:
                    names.update(r[0] for r in conn.execute("SELECT sha256 FROM pdf_blobs"))
            finally:
                conn.close()
        except sqlite3.Error:
            return None
    return names


def remove_unreferenced(root: Path, keep: set[str], *, min_age_s: float) -> list[Path]:
    """Delete files in ``root`` not in ``keep`` and older than ``min_age_s`` (a backup running
    at the same time may have just copied a file its database does not name yet)."""
    removed: list[Path] = []
    now = time.time()
    if not root.is_dir():
        return removed
    for sub in root.iterdir():
        if not sub.is_dir():
            continue
        for f in sub.iterdir():
            with contextlib.suppress(OSError):
                if now - f.stat().st_mtime <= min_age_s:
                    continue
                if f.name.startswith(TEMP_PREFIX) or f.name not in keep:
                    f.unlink()
                    removed.append(f)
    return removed
