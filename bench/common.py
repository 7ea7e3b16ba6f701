"""Small helpers shared by the benchmarks: timing, statistics, a result row."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    what: str
    value: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = ""
    verdict: str = ""


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def verdict(ok: bool) -> str:
    return "within target" if ok else "MISSED"


def child_env(cache_dir: str) -> dict[str, str]:
    """Environment for a timed child process: offscreen Qt, and compiled modules cached in
    ``cache_dir`` as an installed k2desk has them (pip compiles them on install). Without this, a
    shell with PYTHONDONTWRITEBYTECODE set would time compiling every module on every start."""
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPYCACHEPREFIX=cache_dir)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
