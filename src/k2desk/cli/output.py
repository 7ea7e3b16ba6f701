"""How the CLI prints: plain lines, JSON, and field issues."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from k2desk.domain.issues import FieldIssue


def record_id(text: str) -> int:
    """An argparse type for a record's number (document, order, fax job): plain digits within
    the database's integers, so a mistyped or mis-scanned number is refused as such."""
    t = text.strip()
    if not (t.isascii() and t.isdigit()) or int(t) >= 2**63:
        raise argparse.ArgumentTypeError(f"'{text}' is not a record number (write digits, such as 12)")
    return int(t)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for r in cells:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


# The services say what is missing in a pharmacist's words (the window shows them as they
# are); on the command line the options that give it follow.
_ACK_OPTIONS = "--ack-by NAME --ack-reason TEXT"


def _option_hint(issue: FieldIssue) -> str:
    if issue.code in ("interaction_unacknowledged", "ack_incomplete"):
        return _ACK_OPTIONS + (" --ack-contact HOW" if "order" in issue.message
                               or issue.field == "ack_contact" else "")
    if issue.field == "ack_contact" and issue.message.startswith("The pending acknowledgement"):
        return _ACK_OPTIONS + " --ack-contact HOW"
    return ""


def print_issues(issues: Iterable[FieldIssue]) -> None:
    for issue in issues:
        hint = _option_hint(issue)
        sys.stderr.write(f"k2desk: {issue.field}: {issue.message}"
                         + (f" ({hint})" if hint else "") + "\n")


def err(message: str) -> None:
    sys.stderr.write(f"k2desk: {message}\n")
