"""Opening the SQLite file safely: permissions, pragmas, integrity, migrations."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from k2desk.paths import backup_dir, db_path
from k2desk.storage.patients import words_match

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The data directory or database cannot be used; the message says why and what to do."""


def _is_storage_fault(exc: sqlite3.OperationalError) -> bool:
    # SQLITE_FULL and SQLITE_IOERR: the file system refused the write (disk full, file too large,
    # a failing disk), as opposed to a mistake in a statement.
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    return "disk is full" in str(exc) or "disk I/O error" in str(exc)


def _newest_backup_hint(data_dir: Path) -> str:
    folder = backup_dir(data_dir)
    try:
        backups = sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)
    except OSError:
        backups = []
    if backups:
        return f" The newest backup is {backups[-1]}; restore it with 'k2desk backup restore {backups[-1]}'."
    return f" No backup was found in {folder}."


def ensure_data_dir(data_dir: Path) -> None:
    """Create the data directory 0700 (and check it can be written)."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the data directory {data_dir}: {exc.strerror}.") from exc
    if not data_dir.is_dir():
        raise StoreError(f"The data directory {data_dir} is not a folder.")
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise StoreError(
            f"The data directory {data_dir} is not writable by this user; "
            "fix its permissions or choose another with --data-dir."
        )


def _create_private_file(path: Path) -> None:
    """Create the DB file 0600 before SQLite opens it; its -wal/-shm files inherit the mode.

    Two programs starting at once on a new data dir may both get here: the one that loses the
    race simply opens the file the other created.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _looks_like_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    return head == SQLITE_HEADER or head == b""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with k2desk's pragmas: WAL, synchronous=FULL, foreign keys, busy timeout."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    if not readonly:
        conn.isolation_level = None
        _switch_to_wal(conn)
        conn.isolation_level = "DEFERRED"
    conn.execute("PRAGMA synchronous=FULL")
    # FTS matches are only candidates for names in scripts with vowel signs (storage.patients).
    conn.create_function("k2_words_match", 2, _words_match, deterministic=True)
    return conn


def _words_match(query: str | None, text: str | None) -> int:
    return int(words_match(query or "", text or ""))


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    # Turning a brand-new file to WAL needs an exclusive lock, and SQLite does not call the busy
    # handler for it: when two programs open a new data dir at once, the second is told "database
    # is locked" at once. Retry for as long as the busy timeout would have waited.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Store:
    """An open k2desk database: the sqlite-utils ``Database`` plus k2desk's write transaction."""

    def __init__(self, data_dir: Path, db: sqlite_utils.Database) -> None:
        self.data_dir = data_dir
        self.path = db_path(data_dir)
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, taken with BEGIN IMMEDIATE so a second writer waits
        (busy_timeout) instead of failing with "database is locked" half-way."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            with self.db.atomic():  # nested: a savepoint inside our transaction
                yield self.db
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            if _is_storage_fault(exc):
                raise StoreError(
                    f"The change was not saved: writing to {self.path} failed ({exc}). The disk may "
                    "be full or failing; nothing of this change was written. Free some space and "
                    "try again.") from exc
            raise
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def schema_version(self) -> list[str]:
        from k2desk.storage.migrations import MIGRATIONS

        return [m.name for m in MIGRATIONS.applied(self.db)]

    def integrity(self) -> str:
        row = self.conn.execute("PRAGMA integrity_check").fetchone()
        return str(row[0])

    def check_integrity(self) -> None:
        """Run ``quick_check``; raise StoreError naming the file and the newest backup."""
        _quick_check(self.conn, self.path, self.data_dir)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()


def _quick_check(conn: sqlite3.Connection, path: Path, data_dir: Path) -> None:
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is damaged or not a k2desk database ({exc}); it was left untouched."
            + _newest_backup_hint(data_dir)
        ) from exc
    if check != "ok":
        raise StoreError(
            f"{path} failed its integrity check ({check}); it was left untouched."
            + _newest_backup_hint(data_dir)
        )


def _has_pending(conn: sqlite3.Connection) -> bool:
    from k2desk.storage.migrations import MIGRATIONS

    try:
        return bool(MIGRATIONS.pending(sqlite_utils.Database(conn, execute_plugins=False)))
    except sqlite3.DatabaseError:
        return True


def open_store(data_dir: Path, *, migrate: bool = True, check_integrity: bool = True) -> Store:
    """Open (creating if needed) the database in ``data_dir``.

    A file that is not SQLite, or fails ``quick_check``, is left untouched and reported with the
    newest backup. Before pending migrations run on an existing file, a backup copy is taken.

    ``check_integrity=False`` leaves ``quick_check`` (seconds on a large log) to the caller, who
    must run ``Store.check_integrity()`` before any write: the window does it in the background
    right after it is shown. The schema is still read here, so a file that is not a database,
    or whose header is wrecked, is refused at once; pending migrations always check first.
    """
    from k2desk.storage import audit
    from k2desk.storage.backup import create_backup
    from k2desk.storage.migrations import MIGRATIONS

    ensure_data_dir(data_dir)
    path = db_path(data_dir)
    existed = path.exists()
    try:
        if not existed:
            _create_private_file(path)
        elif path.is_dir():
            raise StoreError(f"{path} is a folder, not a k2desk database.")
        elif not _looks_like_sqlite(path):
            raise StoreError(
                f"{path} is not a k2desk database (not an SQLite file); it was left untouched."
                + _newest_backup_hint(data_dir)
            )
        else:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(f"Cannot open the database {path}: {exc.strerror}.") from exc

    try:
        conn = connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if _is_storage_fault(exc):
            raise StoreError(
                f"Cannot open {path}: the disk refused a write ({exc}); it may be full or failing. "
                "Nothing was changed; free some space and try again.") from exc
        raise StoreError(
            f"{path} is damaged or not a k2desk database ({exc}); it was left untouched."
            + _newest_backup_hint(data_dir)
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is damaged or not a k2desk database ({exc}); it was left untouched."
            + _newest_backup_hint(data_dir)
        ) from exc
    try:
        if check_integrity or (migrate and existed and _has_pending(conn)):
            _quick_check(conn, path, data_dir)
    except StoreError:
        conn.close()
        raise
    db = sqlite_utils.Database(conn, execute_plugins=False)
    store = Store(data_dir, db)
    if migrate:
        try:
            pending = MIGRATIONS.pending(db)
            pre_migration = None
            if pending and existed and MIGRATIONS.applied(db):
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                pre_migration = create_backup(store, reason=f"pre-migration-{stamp}")
            if pending:
                # Under the write lock, so two programs starting at once apply each step once.
                with store.write():
                    MIGRATIONS.apply(db)
                    if pre_migration is not None:
                        # Every backup is audited; this one has no person behind it.
                        audit.append(db, operator="k2desk", action="backup", entity="database",
                                     details={"file": pre_migration.name, "reason": "pre-migration",
                                              "migrations": [m.name for m in pending]})
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(f"Cannot update the database {path}: {exc}.") from exc
    return store
