"""One helper for running a service call off the GUI thread (after Anki's ``CollectionOp``).

Why one thread: the store's SQLite connection is opened with ``check_same_thread=False`` but must
never be used by two threads at once. Every call that touches the store goes through this module:
background calls run on a pool with exactly ONE thread, and both they and the quick synchronous
reads made on the GUI thread (``Worker.call``) hold ``STORE_LOCK`` while they run. So at most one
thread is inside the store at any moment, and background calls run in the order they were asked.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from k2desk.services.errors import OperationFailed, ServiceError, StoreError, StoreReplaced

log = logging.getLogger(__name__)

FILE_REPLACED = ("The database was replaced by another program (for example a restore) after this "
                 "window opened it. To keep your work safe, this window saves nothing more. Close "
                 "k2desk and open it again.")

# Held by whoever is using the store connection (the worker thread or the GUI thread).
STORE_LOCK = threading.RLock()


def _run(fn: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, fn()
    except ServiceError as exc:
        return False, exc
    except StoreReplaced:
        return False, OperationFailed(FILE_REPLACED)
    except StoreError as exc:  # a full or failing disk: nothing of the change was written
        return False, OperationFailed(str(exc))
    except sqlite3.DatabaseError as exc:
        # A damaged file: an expected fault, reported plainly (the start-up integrity check
        # then names the file and the newest backup).
        return False, OperationFailed(f"The database could not be read ({exc}).")
    except Exception as exc:  # noqa: BLE001 - a pharmacist sees a message, never a traceback
        log.exception("unexpected error in a background operation")
        return False, OperationFailed(f"Something went wrong ({type(exc).__name__}: {exc}).")


def _guarded(fn: Callable[[], Any], uses_store: bool = True) -> tuple[bool, Any]:
    """Run ``fn`` (holding the store lock unless it never touches the store)."""
    if not uses_store:
        return _run(fn)
    with STORE_LOCK:
        return _run(fn)


class Op(QObject):
    """One running call. Lives on the GUI thread so its callbacks run there."""

    _finished = Signal(bool, object)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None,
                 on_failure: Callable[[ServiceError], None] | None, uses_store: bool = True) -> None:
        super().__init__()
        self.fn = fn
        self.uses_store = uses_store
        self.done = False
        self.cancelled = False  # set when the window closes: results then go nowhere
        self.ok = False
        self.result: Any = None
        self._on_success = on_success
        self._on_failure = on_failure
        self._finished.connect(self._deliver)  # queued: emitted from the pool thread

    @Slot(bool, object)
    def _deliver(self, ok: bool, result: object) -> None:
        self.done, self.ok, self.result = True, ok, result
        try:
            if self.cancelled:
                return
            if ok and self._on_success is not None:
                self._on_success(result)
            elif not ok and self._on_failure is not None:
                self._on_failure(result)  # type: ignore[arg-type]  # always a ServiceError here
        finally:
            # Always, even if a callback raised: the worker must not stay "busy" forever.
            (self.succeeded if ok else self.failed).emit(result)


class _Runnable(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self.op = op

    def run(self) -> None:
        ok, result = _guarded(self.op.fn, self.op.uses_store)
        self.op._finished.emit(ok, result)


class Worker(QObject):
    """Runs service calls one at a time off the GUI thread; failures go to ``report``."""

    def __init__(self, report: Callable[[ServiceError], None] | None = None) -> None:
        super().__init__()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # serialises every background use of the store
        self._report = report
        self._running: set[Op] = set()
        # Set by shutdown: a timer or a late callback may still ask for work after the window
        # closed, when the store may be closing on the GUI thread; such work is never started
        # (a query on a connection closed under it can crash the process).
        self._closed = False

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[ServiceError], None] | None = None, *, uses_store: bool = True) -> Op:
        """Start ``fn`` in the background. Failures go to ``on_failure`` or else the message bridge.

        ``uses_store=False`` for pure computation (no store access): it then does not hold the
        store lock, so quick reads on the GUI thread need not wait for it.
        """
        op = Op(fn, on_success, on_failure if on_failure is not None else self._report, uses_store)
        if self._closed:
            op.cancelled = True
            return op
        self._running.add(op)
        op.succeeded.connect(lambda _r, o=op: self._running.discard(o))
        op.failed.connect(lambda _e, o=op: self._running.discard(o))
        self.pool.start(_Runnable(op))
        return op

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run a quick call on the GUI thread, holding the store lock; errors are raised."""
        ok, result = _guarded(fn)
        if not ok:
            raise result
        return result

    def shutdown(self, ms: int = 30_000) -> None:
        """Finish what is running, start nothing more, and deliver no more results (the widgets
        are going away)."""
        self._closed = True
        for op in list(self._running):
            op.cancelled = True
        self.pool.waitForDone(ms)

    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, ms: int = 30_000) -> bool:
        """Wait for background calls to finish (shutdown and tests)."""
        return bool(self.pool.waitForDone(ms))
