"""A status-bar notice when a fax fails, whichever window or command made the attempt."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from k2desk.domain.validation import format_phone
from k2desk.ui.pages.base import UiEnv

if TYPE_CHECKING:
    from k2desk.services import fax

CHECK_MS = 20_000


class FaxFailureWatch(QObject):
    """Every CHECK_MS, look for fax attempts that failed since the last look and say so."""

    def __init__(self, env: UiEnv, parent: QObject) -> None:
        super().__init__(parent)
        self.env = env
        self.since = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        self.first = True
        self.timer = QTimer(self, interval=CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()  # the first look is the window's, once it is on screen

    def check(self) -> None:
        ctx, since, first = self.env.ctx, self.since, self.first
        self.first = False
        self.since = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")

        def found(jobs: tuple[list[fax.FaxJob], list[fax.FaxJob]]) -> None:
            new, failed = jobs
            if new:
                j = new[-1]
                more = f" ({len(new)} faxes failed)" if len(new) > 1 else ""
                self.env.bridge.tell(f"Fax job {j.id} to {format_phone(j.to_number) or j.to_number} failed"
                                     f"{more}: {j.last_error} See the Fax outbox (Ctrl+7).")
            elif first and failed:
                self.env.bridge.tell(f"{len(failed)} fax(es) failed and wait in the Fax outbox (Ctrl+7).")

        def look() -> tuple[list[fax.FaxJob], list[fax.FaxJob]]:
            # Imported here, in the background: the fax service loads reportlab and pypdf, which
            # the window does not need to show (issue #23, start-up).
            from k2desk.services import fax

            return (fax.failed_since(ctx, since),
                    [j for j in fax.outbox(ctx, limit=200) if j.state == "failed"] if first else [])

        self.env.worker.run(look, found)
