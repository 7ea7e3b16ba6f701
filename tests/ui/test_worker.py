"""The background worker: one thread, store use serialised with the GUI thread, results on the
GUI thread, failures as typed errors."""

from __future__ import annotations

import threading
import time

from k2desk.services.errors import InputRefused, OperationFailed
from k2desk.ui.worker import Worker


def test_store_use_is_serialised_between_the_worker_and_the_gui_thread(qtbot):
    w = Worker()
    spans: list[tuple[str, float, float]] = []

    def slow(name: str) -> str:
        t0 = time.monotonic()
        time.sleep(0.15)
        spans.append((name, t0, time.monotonic()))
        return name

    w.run(lambda: slow("bg1"))
    w.run(lambda: slow("bg2"))
    time.sleep(0.02)  # bg1 is now inside the store
    assert w.call(lambda: slow("gui")) == "gui"
    assert w.wait(5000)
    spans.sort(key=lambda s: s[1])
    for (_a, _s1, end1), (_b, start2, _e2) in zip(spans, spans[1:], strict=False):
        assert start2 >= end1  # never two at once


def test_results_arrive_on_the_gui_thread_and_errors_are_typed(qtbot):
    w = Worker()
    seen = {}

    def boom():
        raise RuntimeError("disk on fire")

    op1 = w.run(lambda: threading.current_thread().name,
                lambda r: seen.update(ok=(r, threading.current_thread() is threading.main_thread())))
    op2 = w.run(boom, on_failure=lambda e: seen.update(err=e))
    op3 = w.run(lambda: (_ for _ in ()).throw(InputRefused([])), on_failure=lambda e: seen.update(refused=e))
    qtbot.waitUntil(lambda: op1.done and op2.done and op3.done, timeout=5000)
    name, on_main = seen["ok"]
    assert on_main and name != threading.main_thread().name  # ran elsewhere, delivered here
    assert isinstance(seen["err"], OperationFailed) and "disk on fire" in str(seen["err"])
    assert isinstance(seen["refused"], InputRefused)
    assert not w.busy()


def test_pure_work_does_not_hold_the_store(qtbot):
    w = Worker()
    started = threading.Event()

    def pure():
        started.set()
        time.sleep(0.5)

    w.run(pure, uses_store=False)
    assert started.wait(2)
    t0 = time.monotonic()
    w.call(lambda: None)  # not held up by the pure computation
    assert time.monotonic() - t0 < 0.2
    w.wait(5000)
