"""Acknowledgements of major interaction findings: who, why, when (one row per finding)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from k2desk.domain.interactions import Acknowledgement
from k2desk.storage import audit
from k2desk.storage.clock import now_iso

_COLS = ("id, patient_id, finding, severity, operator, reason, at, purpose, coalesce(expires_at, ''),"
         " contact_method, contact_note")


def _row(r: tuple[Any, ...]) -> Acknowledgement:
    return Acknowledgement(id=int(r[0]), patient_id=None if r[1] is None else int(r[1]),
                           finding=str(r[2]), severity=str(r[3]), operator=str(r[4]),
                           reason=str(r[5]), at=str(r[6]), purpose=str(r[7]),
                           expires_at=str(r[8]), contact_method=str(r[9]),
                           contact_note=str(r[10]))


def add_acknowledgement(db: Database, *, patient_id: int | None, finding: str, severity: str,
                        operator: str, reason: str, recorded_by: str,
                        details: dict[str, Any] | None = None, purpose: str = "pending",
                        expires_at: str | None = None,
                        contact_method: str = "", contact_note: str = "",
                        login: str = "") -> int:
    """Store one acknowledgement and its audit event; call inside ``Store.write()``.

    ``operator`` is the named person who acknowledged; ``recorded_by`` is who was at the keyboard
    (the audit event's operator) and ``login`` the OS account. ``purpose`` is 'pending' (used by
    the next document, until ``expires_at``) or the kind of
    document it is made with. ``details`` go into the audit event and must hold no PHI.
    """
    at = now_iso()
    cur = db.execute(
        "INSERT INTO acknowledgements (patient_id, finding, severity, operator, reason, at, purpose,"
        " expires_at, contact_method, contact_note, login)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [patient_id, finding, severity, operator, reason, at, purpose, expires_at,
         contact_method, contact_note, login],
    )
    ack_id = int(cur.lastrowid or 0)
    audit.append(db, operator=recorded_by, action="acknowledge", entity="interaction",
                 entity_id=ack_id,
                 details={"patient_id": patient_id, "severity": severity,
                          "acknowledged_by": operator, "purpose": purpose,
                          "contact_method": contact_method, "login": login, **(details or {})})
    return ack_id


def usable_pending(db: Database, patient_id: int, *, now: str) -> dict[str, Acknowledgement]:
    """The newest pending acknowledgement of each finding text, when no document has used it yet
    and it has not lapsed (``expires_at`` after ``now``). A newer pending acknowledgement
    replaces an older one: the older one is never used, even after the newer one is."""
    rows = db.execute(
        f"SELECT {_COLS} FROM acknowledgements a WHERE patient_id=? AND purpose='pending'"
        " ORDER BY at DESC, id DESC", [patient_id]).fetchall()
    out: dict[str, Acknowledgement] = {}
    seen: set[str] = set()
    for r in rows:
        ack = _row(r)
        if ack.finding in seen:
            continue  # replaced by a newer pending acknowledgement of the same finding
        seen.add(ack.finding)
        used = db.execute("SELECT 1 FROM acknowledgement_links WHERE acknowledgement_id=? LIMIT 1",
                          [ack.id]).fetchone()
        if ack.expires_at > now and used is None:
            out[ack.finding] = ack
    return out


def used_by(db: Database, ack_id: int) -> list[tuple[str, int]]:
    """The documents' records (entity, id) an acknowledgement is linked to."""
    return [(str(r[0]), int(r[1])) for r in db.execute(
        "SELECT entity, entity_id FROM acknowledgement_links WHERE acknowledgement_id=? ORDER BY id",
        [ack_id])]


def get_acknowledgement(db: Database, ack_id: int) -> Acknowledgement | None:
    r = db.execute(f"SELECT {_COLS} FROM acknowledgements WHERE id=?", [ack_id]).fetchone()
    return None if r is None else _row(r)


def list_for_patient(db: Database, patient_id: int) -> list[Acknowledgement]:
    """Every acknowledgement for the patient, newest first."""
    rows = db.execute(
        f"SELECT {_COLS} FROM acknowledgements WHERE patient_id=? ORDER BY at DESC, id DESC",
        [patient_id]).fetchall()
    return [_row(r) for r in rows]


def latest_for_findings(db: Database, patient_id: int,
                        findings: list[str]) -> dict[str, Acknowledgement]:
    """The newest acknowledgement of each finding text (absent when never acknowledged)."""
    out: dict[str, Acknowledgement] = {}
    wanted = set(findings)
    for ack in list_for_patient(db, patient_id):
        if ack.finding in wanted and ack.finding not in out:
            out[ack.finding] = ack
    return out
