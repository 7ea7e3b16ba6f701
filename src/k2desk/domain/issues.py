"""Field-level issues: what every validator returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # input was normalised (for example ".5" saved as "0.5"); never blocks


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem with one field.

    ``field`` is the dotted key the user can name (for an override, for example);
    ``code`` is stable for programs; ``message`` says what is wrong and what is accepted.
    """

    field: str
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.severity.value}: {self.message}"


def error(field: str, code: str, message: str) -> FieldIssue:
    return FieldIssue(field, Severity.ERROR, code, message)


def warning(field: str, code: str, message: str) -> FieldIssue:
    return FieldIssue(field, Severity.WARNING, code, message)


def note(field: str, code: str, message: str) -> FieldIssue:
    return FieldIssue(field, Severity.NOTE, code, message)


def blocking(issues: Iterable[FieldIssue], overrides: dict[str, str] | None = None) -> list[FieldIssue]:
    """Issues that still stop a save: every error, and every warning without an override reason.

    An override only counts with a non-blank reason.
    """
    granted = {k for k, v in (overrides or {}).items() if v and v.strip()}
    return [
        i
        for i in issues
        if i.severity is Severity.ERROR or (i.severity is Severity.WARNING and i.field not in granted)
    ]
