"""Why a stored document is printed again: a short pick-list, kept in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.text import check_text

# code -> what the pharmacist reads. "other" needs a few words of its own.
REPRINT_REASONS: dict[str, str] = {
    "patient-copy": "Patient copy",
    "lost": "Lost",
    "fax-resend": "Fax resend",
    "other": "Other",
}
NOTE_MAX = 200


@dataclass(frozen=True, slots=True)
class ReprintReason:
    code: str
    note: str = ""

    def label(self) -> str:
        """"Lost", or "Other: torn at the counter"."""
        base = REPRINT_REASONS.get(self.code, self.code)
        return f"{base}: {self.note}" if self.note else base


def check_reprint_reason(code: str, note: str, *, field: str = "reason",
                         note_field: str = "reason note") -> list[FieldIssue]:
    """Issues with a reprint reason: ``code`` one of REPRINT_REASONS; ``note`` required for
    "other", optional otherwise, one line of printable text."""
    if code not in REPRINT_REASONS:
        accepted = ", ".join(REPRINT_REASONS)
        return [error(field, "unknown-reprint-reason",
                      f"Reprint reason '{code}' is not one of the list; use one of {accepted}.")]
    issues = check_text(note, note_field, label="Reprint reason (other)", required=code == "other",
                        max_length=NOTE_MAX)
    return issues
