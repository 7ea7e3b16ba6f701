"""Operators: the people who work the counter (name, initials, optional PIN hash)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from k2desk.domain.models import Operator
from k2desk.storage import audit
from k2desk.storage.clock import now_iso

_COLS = "id, name, initials, pin_hash IS NOT NULL AND pin_hash != '', role"


def _row(r: tuple[Any, ...]) -> Operator:
    return Operator(id=int(r[0]), name=str(r[1]), initials=str(r[2]), has_pin=bool(r[3]),
                    role=str(r[4]))


def list_operators(db: Database, *, active_only: bool = True) -> list[Operator]:
    sql = f"SELECT {_COLS} FROM operators"
    if active_only:
        sql += " WHERE active = 1"
    return [_row(r) for r in db.execute(sql + " ORDER BY name COLLATE NOCASE")]


def get_operator(db: Database, name: str) -> Operator | None:
    r = db.execute(f"SELECT {_COLS} FROM operators WHERE name = ? AND active = 1", [name]).fetchone()
    return None if r is None else _row(r)


def pin_hash(db: Database, name: str) -> str | None:
    r = db.execute("SELECT pin_hash FROM operators WHERE name = ? AND active = 1", [name]).fetchone()
    return None if r is None or not r[0] else str(r[0])


def add_operator(db: Database, name: str, initials: str, pin_hash_text: str | None, by: str,
                 role: str = "pharmacist", login: str = "") -> int:
    """Insert an operator (or re-activate one of that name); call inside ``Store.write()``."""
    row = db.execute("SELECT id FROM operators WHERE name = ?", [name]).fetchone()
    if row is not None:
        db.execute("UPDATE operators SET initials = ?, pin_hash = ?, role = ?, active = 1 WHERE id = ?",
                   [initials, pin_hash_text, role, row[0]])
        oid = int(row[0])
    else:
        cur = db.execute("INSERT INTO operators (name, initials, pin_hash, role, active, created_at)"
                         " VALUES (?, ?, ?, ?, 1, ?)", [name, initials, pin_hash_text, role, now_iso()])
        oid = int(cur.lastrowid or 0)
    audit.append(db, operator=by, action="operator.add", entity="operator", entity_id=oid,
                 details={"initials": initials, "pin": pin_hash_text is not None, "role": role,
                          "login": login})
    return oid


def set_role(db: Database, oid: int, role: str, by: str, login: str = "") -> None:
    db.execute("UPDATE operators SET role = ? WHERE id = ?", [role, oid])
    audit.append(db, operator=by, action="operator.role", entity="operator", entity_id=oid,
                 details={"role": role, "login": login})


def set_pin(db: Database, oid: int, pin_hash_text: str | None, by: str) -> None:
    db.execute("UPDATE operators SET pin_hash = ? WHERE id = ?", [pin_hash_text, oid])
    audit.append(db, operator=by, action="operator.pin", entity="operator", entity_id=oid,
                 details={"pin": pin_hash_text is not None})


def deactivate_operator(db: Database, oid: int, by: str) -> None:
    db.execute("UPDATE operators SET active = 0 WHERE id = ?", [oid])
    audit.append(db, operator=by, action="operator.remove", entity="operator", entity_id=oid)


def pin_attempts(db: Database, name: str) -> tuple[int, str | None]:
    """(wrong PINs in a row, ISO time until which the next try waits or None) for ``name``."""
    r = db.execute("SELECT failures, locked_until FROM pin_attempts WHERE operator = ?",
                   [name]).fetchone()
    return (0, None) if r is None else (int(r[0]), r[1])


def record_pin_failure(db: Database, name: str, failures: int, locked_until: str | None,
                       by: str) -> None:
    """Count one more wrong PIN for ``name`` and audit it; call inside ``Store.write()``."""
    now = now_iso()
    db.execute("INSERT INTO pin_attempts (operator, failures, last_failed_at, locked_until)"
               " VALUES (?, ?, ?, ?) ON CONFLICT(operator) DO UPDATE SET failures = excluded.failures,"
               " last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
               [name, failures, now, locked_until])
    audit.append(db, operator=by, action="operator.pin_wrong", entity="operator", entity_id=name,
                 details={"failures": failures, "locked_until": locked_until})


def reset_pin_failures(db: Database, name: str, by: str) -> None:
    """A right PIN: the count starts again (audited, so the failures before it are explained)."""
    db.execute("DELETE FROM pin_attempts WHERE operator = ?", [name])
    audit.append(db, operator=by, action="operator.pin_ok_after_wrong", entity="operator",
                 entity_id=name, details={})
