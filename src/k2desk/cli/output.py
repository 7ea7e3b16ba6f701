"""How the CLI prints: plain lines, JSON, and field issues."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from k2desk.domain.issues import FieldIssue


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for r in cells:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


# The services say what is missing in a pharmacist's words (the window shows them as they
# are); on the command line the option that gives it follows.
_OPTION_HINTS = {
    "ack_by": "--ack-by NAME --ack-reason TEXT (an order also --ack-contact HOW)",
    "ack_reason": "--ack-by NAME --ack-reason TEXT",
    "ack_contact": "--ack-contact HOW with --ack-by NAME --ack-reason TEXT",
}
_HINTED_CODES = {"interaction_unacknowledged", "ack_incomplete", "required"}


def print_issues(issues: Iterable[FieldIssue]) -> None:
    for issue in issues:
        hint = _OPTION_HINTS.get(issue.field) if issue.code in _HINTED_CODES else None
        sys.stderr.write(f"k2desk: {issue.field}: {issue.message}"
                         + (f" ({hint})" if hint else "") + "\n")


def err(message: str) -> None:
    sys.stderr.write(f"k2desk: {message}\n")
