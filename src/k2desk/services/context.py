"""The application context: which data directory, which operator, and the open store."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

from k2desk.domain.issues import FieldIssue
from k2desk.domain.text import check_text
from k2desk.paths import resolve_data_dir
from k2desk.services.changes import ChangeNotice
from k2desk.services.errors import InputRefused, OperationFailed
from k2desk.storage.errors import StoreError

if TYPE_CHECKING:
    # The store (and sqlite-utils with it) loads when first opened, so the window shows first.
    from k2desk.storage import Store

ENV_OPERATOR = "K2DESK_OPERATOR"


def default_operator() -> str:
    env = os.environ.get(ENV_OPERATOR)
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def os_login() -> str:
    """The operating-system account running k2desk (recorded beside the operator name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def check_operator(name: str) -> list[FieldIssue]:
    return check_text(name, "operator", label="Operator", required=True, max_length=100)


def _pre_migration_backup(store: Store, reason: str) -> Path:
    from k2desk.storage.backup import BackupError, create_backup

    try:
        return create_backup(store, reason=reason)
    except BackupError as exc:
        raise StoreError(f"k2desk needs to update the database, but the backup taken first "
                         f"failed, so nothing was changed: {exc}") from exc


class AppContext:
    """Opened once per CLI run or window; passed to every service function."""

    def __init__(self, data_dir: Path | str | None = None, operator: str | None = None, *,
                 defer_integrity_check: bool = False, who: str = "a k2desk program") -> None:
        self.data_dir = resolve_data_dir(data_dir)
        self.operator = operator if operator is not None else default_operator()
        # How other k2desk programs name this one while it holds the database open (a restore
        # elsewhere is refused, naming it): "the k2desk window", "the command 'k2desk ...'".
        self.who = who
        self.login = os_login()
        # The command line has no PIN: it trusts the OS login (recorded in the audit trail).
        # The window sets this False: there, acting as another pharmacist takes their PIN.
        self.trust_login = True
        issues = check_operator(self.operator)
        if issues:
            raise InputRefused(issues)
        self._store: Store | None = None
        # The window opens at once and runs the (slow, on a large log) integrity check in the
        # background before any other store work: see services.startup.verify_integrity.
        self.defer_integrity_check = defer_integrity_check
        # Set when that deferred check (or opening the file) failed: every later use of the store
        # is refused with this message, so work queued behind the check writes nothing.
        self._refused: str | None = None
        # What the services changed, for whoever shows state (the window's pages).
        self.changes = ChangeNotice()

    @property
    def store(self) -> Store:
        if self._refused is not None:
            raise OperationFailed(self._refused)
        return self._open_store()

    def open_restored(self) -> Store:
        """Open the database a restore has just put in place (see ``open_store``)."""
        self.close()
        return self._open_store(just_restored=True)

    def _open_store(self, *, just_restored: bool = False) -> Store:
        if self._store is None:
            from k2desk.storage import open_store

            try:
                self._store = open_store(self.data_dir,
                                         check_integrity=not self.defer_integrity_check,
                                         pre_migration_backup=_pre_migration_backup,
                                         who=f"{self.who}, operator {self.operator}",
                                         just_restored=just_restored)
            except StoreError as exc:
                raise OperationFailed(str(exc)) from exc
        return self._store

    def refuse_store(self, message: str) -> None:
        """The database must not be used any more (its start-up check failed): close it and
        refuse every later use with ``message``, so nothing is written to it."""
        self._refused = message
        self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
