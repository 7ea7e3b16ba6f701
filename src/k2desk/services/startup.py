"""Housekeeping when k2desk starts (the window, and every command except backup and doctor).

1. The daily automatic backup, when the newest automatic or manual backup is over a day old.
2. Fax jobs left "sending" by a program that stopped go back to the queue.

This runs once, in one place per entry point: ``k2desk.ui.app.run_window`` right after the
store opens, and ``k2desk.cli.main`` after a command has succeeded (so a refused command still
writes nothing, and the day's backup includes the change just made). It never fails the
command: every problem becomes a warning line for the caller to show, and an unusable database
is left to the command itself to report.
"""

from __future__ import annotations

from k2desk.services.backups import auto_backup_if_due
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed, ServiceError
from k2desk.services.fax import recover_interrupted
from k2desk.storage import StoreError
from k2desk.storage.db import Progress

# `backup` restores and backs up on its own terms (and must work on a database that will not
# open); `doctor` diagnoses and should change nothing.
SKIP_COMMANDS = frozenset({"backup", "doctor"})


def verify_integrity(ctx: AppContext, *, progress: Progress | None = None) -> None:
    """The integrity check a context opened with ``defer_integrity_check`` still owes.

    Raises OperationFailed naming the file and the newest backup; the file is left untouched.
    """
    try:
        ctx.store.check_integrity(progress=progress)
    except StoreError as exc:
        raise OperationFailed(str(exc)) from exc


def open_and_verify(ctx: AppContext, *, progress: Progress | None = None) -> None:
    """Open the store of a context opened with ``defer_integrity_check`` (migrating it if need
    be) and run the integrity check it still owes; raises OperationFailed saying what is wrong.
    ``progress(done, None)`` reports that the check is moving (its length is not known)."""
    if progress is not None:
        progress(0, None)
    try:
        _ = ctx.store  # a file that is not a k2desk database: OperationFailed naming it
        verify_integrity(ctx, progress=progress)
    except OperationFailed as exc:
        # Work the window queued while the check ran (a patient saved at once) must not reach
        # a file the message says was left untouched.
        ctx.refuse_store(str(exc))
        raise


def on_start(ctx: AppContext) -> list[str]:
    """Run start-up housekeeping; return warnings (plain sentences), never raise."""
    try:
        _ = ctx.store
    except ServiceError:
        return []
    warnings: list[str] = []
    try:
        auto_backup_if_due(ctx)
    except Exception as exc:  # noqa: BLE001 - a failed automatic backup must not stop the work
        detail = str(exc) if isinstance(exc, ServiceError) else type(exc).__name__
        warnings.append(f"the automatic daily backup failed ({detail}); your work is not affected. "
                        "Make one with 'k2desk backup create' and check the disk.")
    try:
        recover_interrupted(ctx)
    except Exception as exc:  # noqa: BLE001 - the outbox can be looked at later
        warnings.append(f"interrupted fax jobs could not be put back in the queue ({type(exc).__name__}); "
                        "'k2desk fax retry' will try again.")
    return warnings
