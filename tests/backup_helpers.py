"""Test helpers for the daily backup's checks (issue 24): a day of work, the kept backups in the
order they were made, and which check each backup's audit event says its copy passed."""

from __future__ import annotations

import json
from pathlib import Path

from k2desk.paths import backup_dir
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document


def backup_checks(ctx: AppContext) -> list[str]:
    return [json.loads(d).get("check") for (d,) in ctx.store.conn.execute(
        "SELECT details FROM audit_events WHERE action = 'backup' ORDER BY id")]


def add_day(ctx: AppContext, i: int) -> None:
    pid = add_test_patient(ctx, f"Patient {i}")
    store_document(ctx, patient_id=pid, title=f"Handout {i}", pages=[f"Day {i} " + "x" * 800])


def kept_backups(ctx: AppContext) -> list[Path]:
    return sorted(backup_dir(ctx.data_dir).glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)
