"""Which backups to keep: the newest of each of the last 7 days and of each of the last 4 weeks.

Days and weeks are counted over the backups that exist (as restic's --keep-daily/--keep-weekly
do), so a pharmacy that was closed for a fortnight still keeps 7 days' worth. Weeks are ISO
weeks (Monday to Sunday). Only automatic and manual backups in the backups folder take part;
pre-migration copies and the files a restore replaced are kept as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

KEEP_DAILY = 7
KEEP_WEEKLY = 4
ROTATED_REASONS = frozenset({"auto", "manual"})

_NAME = re.compile(r"^k2desk-(\d{8})-(\d{6})-(\d{6})-(.+)\.sqlite3$")


@dataclass(frozen=True, slots=True)
class BackupName:
    """What a backup file's name says: when (local time) and why it was made."""

    taken_at: dt.datetime
    reason: str

    @property
    def rotated(self) -> bool:
        return self.reason in ROTATED_REASONS


def parse_backup_name(name: str) -> BackupName | None:
    """``k2desk-YYYYMMDD-HHMMSS-ffffff-REASON.sqlite3`` -> its time and reason, else None."""
    m = _NAME.match(name)
    if m is None:
        return None
    try:
        taken = dt.datetime.strptime(m.group(1) + m.group(2) + m.group(3), "%Y%m%d%H%M%S%f")
    except ValueError:
        return None
    return BackupName(taken, m.group(4))


def backups_to_keep(backups: Iterable[tuple[str, dt.datetime]], *, daily: int = KEEP_DAILY,
                    weekly: int = KEEP_WEEKLY) -> set[str]:
    """The names to keep among (name, time) pairs: the newest per day for the ``daily`` most
    recent days, and the newest per ISO week for the ``weekly`` most recent weeks."""
    newest_first = sorted(backups, key=lambda b: (b[1], b[0]), reverse=True)
    keep: set[str] = set()
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for name, taken in newest_first:
        day = taken.date()
        if day not in days and len(days) < daily:
            days.add(day)
            keep.add(name)
        iso = taken.isocalendar()
        week = (iso[0], iso[1])
        if week not in weeks and len(weeks) < weekly:
            weeks.add(week)
            keep.add(name)
    return keep
