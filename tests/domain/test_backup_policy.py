"""Backup keep policy: 7 daily, 4 weekly, counted over the backups that exist."""

from __future__ import annotations

import datetime as dt

from k2desk.domain.backup_policy import backups_to_keep, parse_backup_name


def _name(t: dt.datetime, reason: str = "auto") -> str:
    return f"k2desk-{t:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"


def test_names_round_trip():
    t = dt.datetime(2026, 3, 4, 5, 6, 7, 891011)
    parsed = parse_backup_name(_name(t, "pre-migration-20260304-050607"))
    assert parsed.taken_at == t and parsed.reason.startswith("pre-migration") and not parsed.rotated
    assert parse_backup_name(_name(t)).rotated
    assert parse_backup_name("my-copy.sqlite3") is None
    assert parse_backup_name("k2desk-20261340-000000-000000-auto.sqlite3") is None


def test_sixty_days_of_backups_keep_seven_days_and_four_weeks():
    start = dt.datetime(2026, 1, 1, 9, 0)  # a Thursday
    backups = []
    for day in range(60):
        for hour in (9, 17):  # two a day: only the later one of a kept day stays
            t = start + dt.timedelta(days=day, hours=hour - 9)
            backups.append((_name(t), t))
    keep = backups_to_keep(backups)
    kept_times = sorted(t for n, t in backups if n in keep)
    last = start + dt.timedelta(days=59)
    daily = [last.replace(hour=17) - dt.timedelta(days=i) for i in range(7)]
    assert set(daily) <= set(kept_times)
    weeks = {t.isocalendar()[:2] for t in kept_times}
    assert len(weeks) == 4
    # the older weekly ones are the newest backup (Sunday 17:00) of their ISO week
    older = [t for t in kept_times if t not in daily]
    assert older and all(t.weekday() == 6 and t.hour == 17 for t in older)
    # the 7 days are Mon 23 Feb .. Sun 1 Mar 2026, one ISO week; the 3 weeks before it follow
    assert older == [dt.datetime(2026, 2, d, 17) for d in (8, 15, 22)]
    assert len(keep) == 10


def test_a_gap_still_keeps_seven_backup_days():
    t0 = dt.datetime(2026, 5, 1, 8)
    times = [t0 + dt.timedelta(days=d) for d in (0, 1, 2, 30, 31, 32, 33, 34, 35)]
    keep = backups_to_keep([(_name(t), t) for t in times])
    assert len([t for t in times if _name(t) in keep]) >= 7
    assert _name(times[0]) not in keep or _name(times[1]) in keep
