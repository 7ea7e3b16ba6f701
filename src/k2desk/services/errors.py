"""Typed errors that services raise; the CLI and the UI decide how to show them."""

from __future__ import annotations

from k2desk.domain.issues import FieldIssue
from k2desk.storage.errors import StoreError, StoreReplaced

# StoreError (a database that cannot be opened or written: damaged file, full disk) is shown as
# a failed operation, like OperationFailed; re-exported so callers need not reach into storage.
__all__ = ["InputRefused", "NotFound", "OperationFailed", "ServiceError", "StoreError", "StoreReplaced"]


class ServiceError(Exception):
    """Base for every error a pharmacist should see as a message, not a traceback."""


class InputRefused(ServiceError):
    """Input failed validation; nothing was written."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(str(i) for i in self.issues))


class NotFound(ServiceError):
    """A record named by id does not exist."""


class OperationFailed(ServiceError):
    """An operation or check failed for a reason outside the input (disk, network, integrity)."""
