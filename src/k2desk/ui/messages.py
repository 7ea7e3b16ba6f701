"""The one bridge from service errors to what a pharmacist reads (after qutebrowser's ``message``).

Services raise typed errors; widgets hand them here. ``describe`` turns any of them into plain
text; ``MessageBridge`` carries messages to whoever shows them (the main window shows a
non-blocking message box and the status bar). Never a traceback.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QObject, Signal

from k2desk.domain.issues import FieldIssue
from k2desk.services.errors import InputRefused, NotFound, OperationFailed, ServiceError


def describe(exc: BaseException) -> str:
    """Plain-English text for an error raised by a service."""
    if isinstance(exc, InputRefused):
        if not exc.issues:
            return "The input was not accepted."
        return "Please correct the following:\n" + "\n".join(f"• {i.message}" for i in exc.issues)
    if isinstance(exc, NotFound):
        return str(exc) or "That record no longer exists."
    if isinstance(exc, OperationFailed):
        return str(exc) or "The operation failed."
    if isinstance(exc, ServiceError):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__})."


def issues_by_field(issues: list[FieldIssue]) -> dict[str, list[FieldIssue]]:
    """Group issues by field key, and also by the key's first part ("medications.2" -> "medications")."""
    out: dict[str, list[FieldIssue]] = defaultdict(list)
    for i in issues:
        out[i.field].append(i)
        head = i.field.split(".", 1)[0]
        if head != i.field:
            out[head].append(i)
    return dict(out)


class MessageBridge(QObject):
    """Typed signals for what the user should be told."""

    error = Signal(str)
    info = Signal(str)
    settings_changed = Signal()  # stored settings changed (e.g. the idle lock minutes)
    operator_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.last_error = ""
        self.last_info = ""

    def report(self, exc: BaseException) -> None:
        self.last_error = describe(exc)
        self.error.emit(self.last_error)

    def tell(self, text: str) -> None:
        self.last_info = text
        self.info.emit(text)
