"""Backups that are always whole, and a restore that always works and never loses work.

- A backup is written under a temporary name (``files.exclusive_temp``), checked (integrity,
  k2desk's own file, audit chain and stored PDFs), and only then given its backup name. An
  interrupted backup leaves at most a ``.k2desk-*.part`` file, never a file under a backup name.
- A restore source is checked as SQLite will read it: it is copied, with the ``-wal`` beside it,
  to a private folder, the copy is folded into one file, and that copy is checked and becomes
  the database. The live file is only replaced while no other k2desk program has it open
  (``exclusive.take_exclusive``), and it is kept first, byte for byte, even when it is damaged.
- PDFs (issue 24) are files named by their SHA-256 in a ``blobs`` folder beside each database
  (``storage.blobs``); the backups in one folder share one. A backup copies the database whole
  and only the PDF files that folder does not hold yet, each checked as it is copied, all before
  the database gets its backup name. Rotation lets a file go only when no database left in the
  folder names it. A restore checks every PDF the backup needs (SHA-256) and copies them into
  the live store before the database is replaced; the live store only ever grows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from k2desk.domain.backup_policy import backups_to_keep, parse_backup_name
from k2desk.paths import backup_dir, db_path
from k2desk.storage import backup_check, seals
from k2desk.storage.anchor import Head, backup_head, read_head, write_head
from k2desk.storage.audit import verify_chain
from k2desk.storage.blobs import (
    BLOB_DIRNAME,
    BlobError,
    blob_root_beside,
    catalogue,
    copy_missing,
    has_inline_bytes,
    referenced,
    remove_unreferenced,
    verify_documents,
)
from k2desk.storage.exclusive import StoreBusy, take_exclusive
from k2desk.storage.files import (
    APPLICATION_ID,
    TEMP_PREFIX,
    exclusive_temp,
    fsync_dir,
    header_problem,
    pages_problem,
    publish,
    sound_backups,
)

if TYPE_CHECKING:
    from k2desk.storage.db import Store

# A temporary file older than this was left by a program that stopped; rotation removes it.
STALE_TEMP_AGE_S = 3600


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    modified: dt.datetime
    sound: bool = True  # header and size whole (see files.header_problem)


class BackupError(Exception):
    """A backup could not be made, or a file is not fit to restore."""


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


# -- checking a file -------------------------------------------------------------------------

def _migration_names(conn: sqlite3.Connection) -> list[str] | None:
    try:
        return [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'k2desk' ORDER BY rowid")]
    except sqlite3.OperationalError:
        return None  # no migration records at all


def database_problem(path: Path, blobs: Path | None = None, *, deep: bool = True,
                     files: bool = True) -> str | None:
    """Why ``path`` (one self-contained file, no ``-wal`` of its own) is not an intact k2desk
    database, or None. Checks, in order: header and size, ``integrity_check``, that it is
    k2desk's (``application_id``, else its migration records), the audit chain, the stored PDFs
    (in ``blobs``, by default the folder beside ``path``; ``deep`` recomputes every SHA-256,
    otherwise each file must be there whole by size; ``files=False``: the caller checked them)."""
    from k2desk.storage.migrations import MIGRATIONS

    problem = header_problem(path)
    if problem:
        return problem
    try:
        # immutable: a file being checked is ours alone, and no lock files appear beside it.
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return f"it failed its integrity check ({result})"
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id not in (0, APPLICATION_ID):
                return "it is another program's database, not k2desk's"
            names = _migration_names(conn)
            if not names:
                return "it is not a k2desk database (it has no k2desk schema records)"
            unknown = [n for n in names if n not in {m.name for m in MIGRATIONS._migrations}]
            if unknown:
                return (f"it was made by a newer k2desk (schema {', '.join(unknown)}); "
                        "update k2desk first")
            db = Database(conn)
            _, problem = verify_chain(db)
            if problem is None:
                problem = seals.verify_seal_events(db) or seals.verify_rows(db).summary()
            if problem is None:
                _, problem = verify_documents(db, blobs or blob_root_beside(path), deep=deep,
                                              files=files)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"it cannot be read as a database ({exc})"
    if problem:
        return f"it fails its audit check ({problem}); it may have been altered"
    return None


# -- making a backup -------------------------------------------------------------------------

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    db_bytes: int  # the database file, copied whole
    pdfs_added: int  # PDF files the backup folder did not hold yet
    pdf_bytes_added: int
    # Which check the copy passed before it was kept: "full" (``database_problem``) or
    # "incremental" (``backup_check``: what changed since the previous kept backup).
    check: str = "full"


def backup_to(store: Store, dest: Path, *, progress: Progress | None = None) -> Path:
    """Copy the live database to ``dest`` (0600) and its PDFs to the ``blobs`` folder beside it;
    see ``backup_into``."""
    return backup_into(store, dest, progress=progress).path


def backup_into(store: Store, dest: Path, *, progress: Progress | None = None,
                now: dt.datetime | None = None) -> BackupResult:
    """Copy the live database to ``dest`` (0600) with the SQLite online-backup API, and the PDF
    files it names that ``dest``'s folder does not hold yet (each checked against its SHA-256 as
    it is copied, durable before it gets its name): written under a temporary name, checked
    (every PDF there whole), then renamed. ``dest`` never exists half-written, and never names a
    PDF file that is not there. The copy gets the full check when there is no previous backup
    in the folder to build on, or the newest full check is a week old (``now``, default the
    clock); otherwise the incremental one (``backup_check``)."""
    dest = dest.expanduser()
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose another file name.")
    try:
        _private_dir(dest.parent)
        fd, tmp = exclusive_temp(dest.parent)
        os.close(fd)
    except OSError as exc:
        raise BackupError(f"Cannot write the backup {dest}: {exc.strerror or exc}.") from exc
    try:
        target = sqlite3.connect(tmp)
        try:
            if progress is None:
                store.conn.backup(target)
            else:
                # In steps of 4,096 pages, so a big database shows how far the copy is.
                store.conn.backup(target, pages=4096,
                                  progress=lambda _s, left, total: progress(total - left, total))
            # A backup is one self-contained file: without WAL, opening it to check or restore
            # leaves no -wal/-shm files beside it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        dest_blobs = blob_root_beside(dest)
        check = sqlite3.connect(f"file:{tmp}?mode=ro&immutable=1", uri=True)
        try:
            wanted = [] if has_inline_bytes(Database(check)) else list(catalogue(check))
        finally:
            check.close()
        try:
            added = copy_missing(blob_root_beside(store.path), dest_blobs, wanted)
        except BlobError as exc:
            raise BackupError(f"The backup was not kept: {exc}. Run 'k2desk log verify'.") from exc
        # copy_missing has just seen every file there whole (and hashed each one it copied).
        try:
            head_file = read_head(store.data_dir)
        except ValueError:
            head_file = None  # the store's own check names it; since-less is only stricter
        plan = backup_check.plan(tmp, dest.parent, now=now,
                                 since=head_file.since if head_file is not None else None)
        if plan is None:
            kind = backup_check.FULL
            problem = database_problem(tmp, dest_blobs, files=False)
        else:
            kind = backup_check.INCREMENTAL
            problem = backup_check.incremental_problem(tmp, plan)
        if problem:
            raise BackupError(f"The backup was not kept: the copy did not pass its check ({problem}).")
        publish(tmp, dest)
        db_bytes = dest.stat().st_size
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Cannot write the backup {dest}: {exc}.") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    return BackupResult(dest, db_bytes, added.files, added.bytes, kind)


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def create_backup(store: Store, *, reason: str = "manual", progress: Progress | None = None) -> Path:
    """A new backup in the data dir's backups/ folder, named by time and reason."""
    return create_backup_result(store, reason=reason, progress=progress).path


def create_backup_result(store: Store, *, reason: str = "manual",
                         progress: Progress | None = None,
                         now: dt.datetime | None = None) -> BackupResult:
    """``create_backup``, saying how much it copied."""
    return backup_into(store, backup_dir(store.data_dir) / f"k2desk-{_stamp()}-{reason}.sqlite3",
                       progress=progress, now=now)


def list_backups(data_dir: Path) -> list[BackupInfo]:
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    sound = set(sound_backups(data_dir))
    infos = []
    for p in folder.glob("*.sqlite3"):
        st = p.stat()
        whole = p in sound and pages_problem(p) is None
        infos.append(BackupInfo(p, st.st_size, dt.datetime.fromtimestamp(st.st_mtime), whole))
    return sorted(infos, key=lambda b: (b.modified, b.path.name), reverse=True)


def newest_good_backup(data_dir: Path) -> Path | None:
    """The newest backup that passes the full check (``database_problem``), or None."""
    for p in sound_backups(data_dir):
        # Every PDF there whole by size; a restore recomputes their SHA-256 before it replaces.
        if database_problem(p, deep=False) is None:
            return p
    return None


def backup_time(path: Path) -> dt.datetime | None:
    """When a backup in the backups folder was taken (from its name), for automatic and manual ones."""
    parsed = parse_backup_name(path.name)
    return parsed.taken_at if parsed is not None and parsed.rotated else None


def _rotated_sound(data_dir: Path) -> dict[str, tuple[Path, dt.datetime]]:
    # Only whole files count: a stub under a backup name must never push out a good backup.
    return {p.name: (p, t) for p in sound_backups(data_dir) if (t := backup_time(p)) is not None}


def newest_backup_time(data_dir: Path) -> dt.datetime | None:
    """The time of the newest whole automatic or manual backup in the backups folder, or None."""
    return max((t for _, t in _rotated_sound(data_dir).values()), default=None)


def rotate_backups(data_dir: Path) -> list[Path]:
    """Delete automatic and manual backups that the keep policy (7 daily, 4 weekly) lets go.

    Only whole backups are counted. Pre-migration copies, files a restore replaced, damaged files
    and files not named by k2desk stay. Temporary files left by an interrupted backup over an
    hour ago are removed. PDF files no database left in the folder names (and over an hour old:
    a backup running now may have just copied one) are removed; when one database there cannot
    be read, every PDF file stays. Returns the deleted backups.
    """
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    now = time.time()
    for tmp in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_TEMP_AGE_S:
                tmp.unlink()
    candidates = _rotated_sound(data_dir)
    keep = backups_to_keep((name, t) for name, (_, t) in candidates.items())
    removed = []
    for name, (p, _) in sorted(candidates.items()):
        if name not in keep:
            p.unlink(missing_ok=True)
            removed.append(p)
    if not any(folder.glob("*.sqlite3-wal")):  # a kept -wal may name files its database does not
        needed = referenced(p for p in folder.glob("*.sqlite3") if p.is_file())
        if needed is not None:
            remove_unreferenced(folder / BLOB_DIRNAME, needed, min_age_s=STALE_TEMP_AGE_S)
    return removed


# -- restore ---------------------------------------------------------------------------------

def _copy_into(src: Path, dest_fd: int, progress: Progress | None = None) -> None:
    with open(src, "rb") as fin, os.fdopen(dest_fd, "wb") as fout:
        if progress is None:
            shutil.copyfileobj(fin, fout, 1 << 20)
        else:
            total, done = os.fstat(fin.fileno()).st_size, 0
            while block := fin.read(4 << 20):
                fout.write(block)
                done += len(block)
                progress(done, total)
        fout.flush()
        os.fsync(fout.fileno())


def _candidate(source: Path, staging: Path, progress: Progress | None = None) -> Path:
    """``source`` as SQLite reads it (with its ``-wal``), folded into one file in ``staging``,
    checked with every PDF it names (SHA-256) in the ``blobs`` folder beside ``source``."""
    candidate = staging / "candidate.sqlite3"
    problem = header_problem(source)
    if problem:
        raise BackupError(f"{source} cannot be restored: {problem}; nothing was restored.")
    _copy_into(source, os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), progress)
    wal = Path(f"{source}-wal")
    if wal.is_file():
        _copy_into(wal, os.open(f"{candidate}-wal", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        conn = sqlite3.connect(candidate)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")  # applies the WAL, then removes it
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{source} cannot be read as a database ({exc}); nothing was restored.") from exc
    problem = database_problem(candidate, blob_root_beside(source), deep=True)
    if problem:
        raise BackupError(f"{source} cannot be restored: {problem}; nothing was restored.")
    return candidate


def check_backup_file(path: Path) -> None:
    """Refuse a file that is not an intact k2desk database (checked with its ``-wal``)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as staging:
        _candidate(path, Path(staging))


def _keep_live(live: Path, folder: Path) -> Path | None:
    """Copy the live database (and its ``-wal`` if it could not be folded in) into the backups
    folder under a ``replaced-by-restore`` name; None when there is nothing to keep."""
    wal = Path(f"{live}-wal")
    if not live.exists() or (live.stat().st_size == 0 and not (wal.is_file() and wal.stat().st_size)):
        return None
    if header_problem(live) is None:
        # Healthy: fold the WAL in, so the kept copy is one file. No other program has it open.
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(live)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
    kept = folder / f"k2desk-{_stamp()}-replaced-by-restore.sqlite3"
    fd, tmp = exclusive_temp(folder)
    try:
        _copy_into(live, fd)
        if wal.is_file() and wal.stat().st_size:
            # Damaged and not folded in: keep the WAL beside the copy, as SQLite would read it.
            wfd, wtmp = exclusive_temp(folder)
            try:
                _copy_into(wal, wfd)
                publish(wtmp, Path(f"{kept}-wal"))
            finally:
                wtmp.unlink(missing_ok=True)
        publish(tmp, kept)
    finally:
        tmp.unlink(missing_ok=True)
    return kept


def _copy_named(db_file: Path, src: Path, dest: Path, *, skip_unreadable: bool = False) -> None:
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro&immutable=1", uri=True)
        try:
            wanted = [] if has_inline_bytes(Database(conn)) else list(catalogue(conn))
        finally:
            conn.close()
    except sqlite3.Error:
        if skip_unreadable:
            return
        raise
    try:
        copy_missing(src, dest, wanted, skip_unreadable=skip_unreadable)
    except BlobError as exc:
        raise BackupError(f"{exc}; nothing was restored.") from exc


def restore_file(data_dir: Path, source: Path, *, progress: Progress | None = None) -> Path | None:
    """Replace the database with a checked copy of ``source``; keep the replaced file.

    Refused (StoreBusy) while any k2desk program, this one included, has the store open.
    Works whatever state the live file is in (damaged, cut short, empty, missing). Returns where
    the replaced database was kept, or None when there was nothing to keep.
    """
    live = db_path(data_dir)
    folder = backup_dir(data_dir)
    source = source.expanduser().resolve()
    if live.exists() and source == live.resolve():
        raise BackupError(f"{source} is the database itself; choose a backup to restore.")
    try:
        hold = take_exclusive(data_dir)
    except StoreBusy as exc:
        raise BackupError(f"{exc} Nothing was restored.") from exc
    try:
        _private_dir(folder)
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "restore-", dir=data_dir))
        try:
            candidate = _candidate(source, staging, progress)
            kept = _keep_live(live, folder)
            if kept is not None:
                # The kept copy's PDFs into the backups' store, as far as they can be read (the
                # live store keeps them too: it is never pruned).
                _copy_named(kept, blob_root_beside(live), blob_root_beside(kept), skip_unreadable=True)
            # The restored rows' PDFs, checked again as they are copied, before the rows go in.
            _copy_named(candidate, blob_root_beside(source), blob_root_beside(live))
            # The old WAL must not be applied to the new file; it is folded in or kept above.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{live}{suffix}").unlink(missing_ok=True)
            os.chmod(candidate, 0o600)
            head = backup_head(candidate)
            if head is not None:
                head = Head(head.events, head.hash, dt.datetime.now(dt.UTC).isoformat(
                    timespec="microseconds"))
            os.replace(candidate, live)
            fsync_dir(data_dir)
            if head is not None:
                # The restore, chosen on purpose, is the history from now on: it anchors the chain
                # (the restore event appended next moves the head on).
                write_head(data_dir, head)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        hold.release()
    return kept
