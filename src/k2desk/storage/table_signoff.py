"""The pharmacy's sign-off of the shipped interaction table (who, when), append-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from k2desk.storage import audit
from k2desk.storage.clock import now_iso


@dataclass(frozen=True, slots=True)
class TableSignoff:
    table_version: int
    table_sha256: str
    signed_by: str
    signed_at: str  # UTC ISO 8601
    note: str
    operator: str


def add_signoff(db: Database, *, version: int, sha256: str, by: str, note: str,
                operator: str) -> TableSignoff:
    """Store one sign-off with its audit event; call inside ``Store.write()``."""
    at = now_iso()
    db.execute("INSERT INTO interaction_table_signoffs (table_version, table_sha256, signed_by,"
               " signed_at, note, operator) VALUES (?, ?, ?, ?, ?, ?)",
               [version, sha256, by, at, note, operator])
    audit.append(db, operator=operator, action="sign-off", entity="interaction-table",
                 entity_id=version, details={"sha256": sha256, "by": by, "note": note})
    return TableSignoff(version, sha256, by, at, note, operator)


def latest_signoff(db: Database, *, version: int, sha256: str) -> TableSignoff | None:
    """The latest sign-off of exactly this table (version and content), or None."""
    r = db.execute("SELECT table_version, table_sha256, signed_by, signed_at, note, operator"
                   " FROM interaction_table_signoffs WHERE table_version = ? AND table_sha256 = ?"
                   " ORDER BY id DESC LIMIT 1", [version, sha256]).fetchone()
    if r is None:
        return None
    return TableSignoff(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
