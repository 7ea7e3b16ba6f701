"""Acknowledgements of major interaction findings: who, why, when (one row per finding)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from k2desk.domain.interactions import Acknowledgement
from k2desk.storage import audit
from k2desk.storage.clock import now_iso

_COLS = "id, patient_id, finding, severity, operator, reason, at"


def _row(r: tuple[Any, ...]) -> Acknowledgement:
    return Acknowledgement(id=int(r[0]), patient_id=None if r[1] is None else int(r[1]),
                           finding=str(r[2]), severity=str(r[3]), operator=str(r[4]),
                           reason=str(r[5]), at=str(r[6]))


def add_acknowledgement(db: Database, *, patient_id: int | None, finding: str, severity: str,
                        operator: str, reason: str, recorded_by: str,
                        details: dict[str, Any] | None = None) -> int:
    """Store one acknowledgement and its audit event; call inside ``Store.write()``.

    ``operator`` is the named person who acknowledged; ``recorded_by`` is who was at the keyboard
    (the audit event's operator). ``details`` go into the audit event and must hold no PHI.
    """
    at = now_iso()
    cur = db.execute(
        "INSERT INTO acknowledgements (patient_id, finding, severity, operator, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [patient_id, finding, severity, operator, reason, at],
    )
    ack_id = int(cur.lastrowid or 0)
    audit.append(db, operator=recorded_by, action="acknowledge", entity="interaction",
                 entity_id=ack_id,
                 details={"patient_id": patient_id, "severity": severity,
                          "acknowledged_by": operator, **(details or {})})
    return ack_id


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
