"""One fax attempt from the window, off the GUI thread, with the password prompt when no
keyring is usable. Shared by the Log (Fax…) and the Fax outbox (Retry)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from k2desk.services import fax
from k2desk.services.errors import ServiceError
from k2desk.services.settings import get_settings
from k2desk.ui.pages.base import UiEnv

# Gateway passwords typed because no keyring was usable: this session only, in memory, shared
# by every page of one window (keyed by the window's worker, forgotten with it).
_SESSION_PASSWORDS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


class FaxSender:
    def __init__(self, parent: QWidget, env: UiEnv) -> None:
        self.parent, self.env = parent, env

    @property
    def passwords(self) -> dict[str, str]:
        return _SESSION_PASSWORDS.setdefault(self.env.worker, {})

    def attempt(self, job_id: int, done: Callable[[Any], None]) -> None:
        """Attempt ``job_id`` now; ``done(AttemptResult)`` on the GUI thread. Failures of the
        gateway are results (the job stays in the outbox); other errors go to the message bar."""
        ctx = self.env.ctx

        def failed(exc: ServiceError) -> None:
            if isinstance(exc, fax.PasswordNeeded) and self.ask_password(exc):
                self.attempt(job_id, done)
            else:
                self.env.bridge.report(exc)

        password = self.passwords.get(self._username())
        self.env.worker.run(lambda: fax.attempt(ctx, job_id, password), done, failed)

    def _username(self) -> str:
        return str(self.env.worker.call(lambda: get_settings(self.env.ctx))["fax.username"])

    def ask_password(self, need: Any) -> bool:
        """No keyring (or nothing saved in it): ask for the gateway password for this session
        only. It is kept in memory, never written; the job waits in the outbox meanwhile."""
        password, ok = QInputDialog.getText(
            self.parent, "Fax gateway password",
            f"{need}\n\nPassword for {need.username} (kept for this session only, never saved):",
            QLineEdit.EchoMode.Password)
        if not ok or not password:
            self.env.bridge.tell("The fax waits in the outbox until a password is given.")
            return False
        self.passwords[need.username] = password
        return True
