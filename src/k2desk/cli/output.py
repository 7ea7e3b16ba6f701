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


def print_issues(issues: Iterable[FieldIssue]) -> None:
    for issue in issues:
        sys.stderr.write(f"k2desk: {issue.field}: {issue.message}\n")


def err(message: str) -> None:
    sys.stderr.write(f"k2desk: {message}\n")
