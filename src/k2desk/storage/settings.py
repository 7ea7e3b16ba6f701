"""Stored settings (values as JSON text)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from k2desk.domain.settings import SETTINGS, Value
from k2desk.storage import audit
from k2desk.storage.clock import now_iso


def load_settings(db: Database) -> dict[str, Value]:
    """Every declared setting, stored value over default."""
    values: dict[str, Value] = {s.key: s.default for s in SETTINGS}
    for key, raw in db.execute("SELECT key, value FROM settings"):
        if key in values:
            values[key] = json.loads(raw)
    return values


def save_setting(db: Database, key: str, value: Value, operator: str) -> None:
    """Store one checked value; call inside ``Store.write()``."""
    db.execute(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at,"
        " updated_by=excluded.updated_by",
        [key, json.dumps(value), now_iso(), operator],
    )
    audit.append(db, operator=operator, action="settings.set", entity="setting", entity_id=key,
                 details={"value": value})
