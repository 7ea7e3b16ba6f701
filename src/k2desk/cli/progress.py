"""A progress bar with an estimate for long commands, on a terminal only (tqdm).

``with progress_bar("Exporting", "rows") as tick:`` gives a ``tick(done, total)`` callback for
the services' ``progress=`` keyword, or None when stderr is not a terminal (a pipe, a file, a
cron job): then the service is not called back at all and nothing extra is printed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Tick = Callable[[int, int | None], None]


def _is_terminal(out: TextIO | None) -> bool:
    """Whether ``out`` is a terminal; a closed stderr (``2>&-`` in a cron line: Python's
    ``sys.stderr`` is then None) or a closed stream is not, and must not stop the work."""
    if out is None:
        return False
    try:
        return bool(out.isatty())
    except (ValueError, OSError):
        return False


@contextmanager
def progress_bar(what: str, unit: str, *, stream: TextIO | None = None,
                 scale: bool = False) -> Iterator[Tick | None]:
    out = stream if stream is not None else sys.stderr
    if not _is_terminal(out):
        yield None
        return
    from tqdm import tqdm  # only a terminal pays for it

    bar = tqdm(desc=what, unit=unit, file=out, dynamic_ncols=True, leave=False,
               unit_scale=scale, unit_divisor=1024 if scale else 1000)

    def tick(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total  # known now: the bar shows the share done and the time left
            bar.refresh()
        if done > bar.n:
            bar.update(done - bar.n)  # redrawn at most ten times a second

    try:
        yield tick
    finally:
        bar.close()
