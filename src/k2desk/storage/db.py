"""Opening the SQLite file safely: permissions, pragmas, integrity, migrations."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from k2desk.paths import db_path
from k2desk.storage import anchor, seals
from k2desk.storage.errors import StoreError as StoreError  # re-exported: callers name it here
from k2desk.storage.errors import StoreReplaced as StoreReplaced
from k2desk.storage.exclusive import Hold, StoreBusy, hold_shared
from k2desk.storage.files import APPLICATION_ID, SQLITE_HEADER, newest_backup_hint, sound_backups
from k2desk.storage.patients import words_match

BUSY_TIMEOUT_MS = 30_000
# How often (in SQLite virtual-machine steps) a long check reports progress: about every few
# milliseconds, seldom enough that the reports cost nothing next to the check.
PROGRESS_STEPS = 200_000
# progress(done, total): plain Python, called on the thread doing the work; total None = unknown.
Progress = Callable[[int, "int | None"], object]


# Takes the pre-migration backup of an open store (``storage.backup.create_backup``, passed in by
# the services so this module stays below ``backup``); returns the backup's path.
PreMigrationBackup = Callable[["Store", str], Path]


def _is_storage_fault(exc: sqlite3.OperationalError) -> bool:
    # SQLITE_FULL and SQLITE_IOERR: the file system refused the write (disk full, file too large,
    # a failing disk), as opposed to a mistake in a statement.
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    return "disk is full" in str(exc) or "disk I/O error" in str(exc)


def _newest_backup_hint(data_dir: Path) -> str:
    return newest_backup_hint(data_dir)


def data_dir_problem(data_dir: Path) -> str:
    """Why ``data_dir`` cannot be the data folder, checked without creating anything: a file (or
    something else that is not a folder) where the folder should be, or a file on its way."""
    for place in (data_dir, *data_dir.parents):
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                what = "a file" if place.is_file() else "not a folder"
                if place == data_dir:
                    return (f"The data directory {place} is {what}, but a folder is needed; "
                            "choose a folder for the data.")
                return (f"Cannot create the data directory {data_dir}: {place} is {what}, but a "
                        "folder is needed there; choose a folder for the data.")
            break
    return ""


def ensure_data_dir(data_dir: Path) -> None:
    """Create the data directory 0700 (and check it can be written)."""
    problem = data_dir_problem(data_dir)
    if problem:
        raise StoreError(problem)
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

    def __init__(self, data_dir: Path, db: sqlite_utils.Database, hold: Hold | None = None) -> None:
        self.data_dir = data_dir
        self.path = db_path(data_dir)
        self.db = db
        self._hold = hold
        self._identity = _file_identity(self.path)
        self._size = _file_size(self.path)
        # The chain's anchor (storage.anchor): why the chain does not match its head file or a
        # backup (writes are refused until it is resolved), whether the head file is missing, and
        # whether each commit writes the head file (not while missing: only `log reanchor` may).
        self.anchor_problem: str | None = None
        self.head_missing = False
        self.anchored = False

    def _check_same_file(self) -> None:
        # k2desk never shrinks its file (no VACUUM; checkpoints only write pages, also other
        # programs'), so a smaller file is another file copied over this one in place (an older
        # backup, say) or one cut short: the name and inode stay, the contents do not.
        size = _file_size(self.path)
        if _file_identity(self.path) != self._identity or size < self._size:
            raise StoreReplaced(
                f"The database file {self.path} was replaced or removed by another program after "
                "this one opened it (for example by a restore, or a file copied over it). Nothing "
                "more is saved here, so no work goes into a file that is no longer the database. "
                "Close k2desk and open it again.")
        self._size = size

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
            self._check_same_file()
            if self.anchor_problem is not None:
                raise StoreError(f"Nothing can be saved: {self.anchor_problem}. Run 'k2desk doctor'"
                                 " and restore the newest good backup.")
            with self.db.atomic():  # nested: a savepoint inside our transaction
                yield self.db
                seals.seal_changes(self.db)
            self.conn.execute("COMMIT")
            self._write_head()
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

    def _write_head(self) -> None:
        if not self.anchored:
            return
        try:
            anchor.write_head(self.data_dir, anchor.head_after_commit(self.conn, self.data_dir))
        except (OSError, sqlite3.Error):
            # The work is committed; a head file left one step behind still anchors the chain
            # (the chain extends it), and verify and doctor read both.
            pass

    def check_anchor(self, *, just_restored: bool = False) -> None:
        """Compare the chain with the head file and the backups (sets ``anchor_problem``).
        ``just_restored``: the restore that wrote the head file checks before recording itself."""
        problem, missing = anchor.check(self.conn, self.data_dir)
        if problem is None:
            problem = anchor.check_backups(self.conn, self.data_dir, trust_since=just_restored)
        self.anchor_problem = problem
        self.head_missing = missing and problem is None and anchor.chain_head(self.conn).events > 0
        self.anchored = problem is None and not self.head_missing

    def reanchor(self, operator: str, reason: str) -> anchor.Head:
        """Write a new head file for the chain as it is, recorded in the trail (``reanchor``)."""
        from k2desk.storage import audit

        before = self.anchor_problem or ("the head file was missing" if self.head_missing else "")
        self.anchor_problem = None
        try:
            with self.write() as db:
                audit.append(db, operator=operator, action="reanchor", entity="database",
                             details={"reason": reason, "was": before,
                                      "events": anchor.chain_head(self.conn).events})
        except BaseException:
            self.check_anchor()
            raise
        self.anchored = True
        self.head_missing = False
        head = anchor.chain_head(self.conn)
        anchor.write_head(self.data_dir, anchor.Head(head.events, head.hash, _utc_now(), head.last_id))
        return head

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

    def check_integrity(self, *, progress: Progress | None = None) -> None:
        """Run ``quick_check``; raise StoreError naming the file and the newest backup.

        ``progress(done, None)`` is called every PROGRESS_STEPS steps of SQLite's work (how many
        there will be is not known beforehand), so a window can show the check is moving."""
        if progress is None:
            _quick_check(self.conn, self.path, self.data_dir)
            return
        steps = 0

        def tick() -> int:
            nonlocal steps
            steps += 1
            progress(steps, None)
            return 0  # anything else would interrupt the check

        self.conn.set_progress_handler(tick, PROGRESS_STEPS)
        try:
            _quick_check(self.conn, self.path, self.data_dir)
        finally:
            self.conn.set_progress_handler(None, 0)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        if self._hold is not None:
            self._hold.release()
            self._hold = None


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


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


BLOB_MIGRATION = "0012_i24_blob_store"


def _compact(store: Store) -> None:
    """Give back the space the PDFs took once they moved to the blob store (issue 24): VACUUM,
    once, right after that migration committed. The file shrinks on purpose here, so this store
    takes its new size as its own (another k2desk program still open on it stops writing and
    asks to be reopened, see ``Store._check_same_file``)."""
    store.conn.execute("VACUUM")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store._size = _file_size(store.path)


def _has_pending(conn: sqlite3.Connection) -> bool:
    from k2desk.storage.migrations import MIGRATIONS

    try:
        return bool(MIGRATIONS.pending(sqlite_utils.Database(conn, execute_plugins=False)))
    except sqlite3.DatabaseError:
        return True


def open_store(data_dir: Path, *, migrate: bool = True, check_integrity: bool = True,
               pre_migration_backup: PreMigrationBackup | None = None,
               who: str = "a k2desk program", just_restored: bool = False) -> Store:
    """Open (creating if needed) the database in ``data_dir``.

    ``just_restored``: the restore that has just written the head file opens the file to record
    itself (a backup from an earlier release is updated first, compared only with the backups
    taken since the restore).

    The store holds the database open (``exclusive.hold_shared``, described as ``who``) until it
    is closed, so a restore is refused meanwhile. A file that is not SQLite, belongs to another
    program, is empty while backups exist, or fails ``quick_check`` is left untouched and
    reported with the newest backup. Before pending migrations run on an existing file,
    ``pre_migration_backup`` (if given) takes a backup copy.

    ``check_integrity=False`` leaves ``quick_check`` (seconds on a large log) to the caller, who
    must run ``Store.check_integrity()`` before any write: the window does it in the background
    right after it is shown. The schema is still read here, so a file that is not a database,
    or whose header is wrecked, is refused at once; pending migrations always check first.
    """
    ensure_data_dir(data_dir)
    try:
        hold = hold_shared(data_dir, who)
    except StoreBusy as exc:
        raise StoreError(str(exc)) from exc
    except OSError as exc:
        raise StoreError(f"Cannot open the database in {data_dir}: {exc.strerror or exc}.") from exc
    try:
        return _open_held(data_dir, hold, migrate=migrate, check_integrity=check_integrity,
                          pre_migration_backup=pre_migration_backup, just_restored=just_restored)
    except BaseException:
        hold.release()
        raise


def _open_held(data_dir: Path, hold: Hold, *, migrate: bool, check_integrity: bool,
               pre_migration_backup: PreMigrationBackup | None,
               just_restored: bool = False) -> Store:
    from k2desk.storage import audit
    from k2desk.storage.migrations import MIGRATIONS

    path = db_path(data_dir)
    existed = path.exists()
    try:
        if not existed:
            if sound_backups(data_dir):
                # A missing file where backups exist (moved, deleted, a failed copy) is not a new
                # start either: a fresh empty log would hide every backup's work.
                raise StoreError(f"{path} is missing, but backups exist; no new database was "
                                 "started." + _newest_backup_hint(data_dir))
            _create_private_file(path)
        elif path.is_dir():
            raise StoreError(f"{path} is a folder, not a k2desk database.")
        elif not _looks_like_sqlite(path):
            raise StoreError(
                f"{path} is not a k2desk database (not an SQLite file); it was left untouched."
                + _newest_backup_hint(data_dir)
            )
        else:
            if path.stat().st_size == 0 and sound_backups(data_dir):
                # An empty file where a database was (a failed copy, a cut-off restore) is not a
                # new start: opening it would hide every backup's work behind an empty log.
                raise StoreError(f"{path} is empty (0 bytes), but backups exist; it was left "
                                 "untouched." + _newest_backup_hint(data_dir))
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(f"Cannot open the database {path}: {exc.strerror}.") from exc

    try:
        conn = connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
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
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{path} is another program's SQLite database, not k2desk's; it was "
                             "left untouched." + _newest_backup_hint(data_dir))
        if check_integrity or (migrate and existed and _has_pending(conn)):
            _quick_check(conn, path, data_dir)
    except StoreError:
        conn.close()
        raise
    db = sqlite_utils.Database(conn, execute_plugins=False)
    store = Store(data_dir, db, hold)
    if existed:
        try:
            store.check_anchor(just_restored=just_restored)
        except sqlite3.Error:
            pass  # no audit trail yet (a file from before k2desk's first migration)
    if migrate:
        try:
            pending = MIGRATIONS.pending(db)
            if pending and store.anchor_problem is not None:
                raise StoreError(f"{path} needs updating, but {store.anchor_problem}; it was left "
                                 "untouched." + _newest_backup_hint(data_dir))
            if pending and (not existed or "0011_row_seals" in {m.name for m in pending}):
                # A new file, or the first open since rows were sealed: this anchors the chain.
                store.anchored = True
                store.head_missing = False
            pre_migration = None
            if pending and existed and MIGRATIONS.applied(db) and pre_migration_backup is not None:
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                pre_migration = pre_migration_backup(store, f"pre-migration-{stamp}")
            if pending or app_id != APPLICATION_ID:
                # Under the write lock, so two programs starting at once apply each step once.
                with store.write():
                    MIGRATIONS.apply(db)
                    # The rows as they are now are trusted: one baseline event seals them.
                    if pending:
                        seals.baseline(db, operator="k2desk", reason="migration")
                    # Marks the file as k2desk's (restore recognises its files by it).
                    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    if pre_migration is not None:
                        # Every backup is audited; this one has no person behind it.
                        audit.append(db, operator="k2desk", action="backup", entity="database",
                                     details={"file": pre_migration.name, "reason": "pre-migration",
                                              "migrations": [m.name for m in pending]})
            if existed and BLOB_MIGRATION in {m.name for m in pending}:
                _compact(store)
        except sqlite3.DatabaseError as exc:
            store._hold = None  # released by open_store
            store.close()
            raise StoreError(f"Cannot update the database {path}: {exc}.") from exc
        except BaseException:
            store._hold = None
            store.close()
            raise
    with contextlib.suppress(sqlite3.Error):
        seals.install_tracking(conn)
    return store
