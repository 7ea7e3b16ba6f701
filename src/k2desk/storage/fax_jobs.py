"""The fax outbox: jobs go queued -> sending -> sent, or back to queued with a back-off, or failed.

A job is claimed ("sending") in its own committed transaction before the network is touched, and
its result is written in another. If the program dies between the two, the job is left in
"sending"; :func:`recover_interrupted` puts such jobs back in the queue (the fax may or may not
have gone out; a retry can send it twice, which is safer than never).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.storage import audit
from k2desk.storage.blobs import blob_root, read_blob
from k2desk.storage.clock import now_iso

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
CANCELLED = "cancelled"  # a person stopped it (issue 21); never claimed again
STATES = (QUEUED, SENDING, SENT, FAILED, CANCELLED)

_COLS = ("id, document_id, to_number, state, attempts, last_error, next_attempt_at, created_at,"
         " created_by, updated_at")


@dataclass(frozen=True, slots=True)
class FaxJob:
    id: int
    document_id: int
    to_number: str  # E.164
    state: str
    attempts: int
    last_error: str
    next_attempt_at: str | None
    created_at: str
    created_by: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class FaxDocument:
    """A stored document as the fax needs it: the exact stored bytes, checked against their hash."""

    id: int
    kind: str
    sha256: str
    pages: int
    source_table: str
    source_id: int
    pdf: bytes
    patient_id: int | None = None
    prescriber_name: str = ""
    prescriber_fax: str = ""


class DocumentDamaged(Exception):
    """The stored PDF no longer matches its SHA-256; it must not be sent."""


def backoff_minutes(attempts: int) -> int:
    """Minutes to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 ... capped at a day."""
    return int(min(2 ** max(attempts - 1, 0), 24 * 60))


def _row(r: Any) -> FaxJob:
    return FaxJob(id=int(r[0]), document_id=int(r[1]), to_number=str(r[2]), state=str(r[3]),
                  attempts=int(r[4]), last_error=str(r[5]), next_attempt_at=r[6],
                  created_at=str(r[7]), created_by=str(r[8]), updated_at=str(r[9]))


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds")


def document_exists(db: Database, document_id: int) -> bool:
    return db.execute("SELECT 1 FROM documents WHERE id=?", [document_id]).fetchone() is not None


def load_document(db: Database, document_id: int) -> FaxDocument | None:
    """The stored document and its PDF; raises DocumentDamaged when the bytes fail their hash."""
    r = db.execute(
        "SELECT d.id, d.kind, d.sha256, d.pages, d.source_table, d.source_id, d.patient_id"
        " FROM documents d WHERE d.id=?", [document_id]).fetchone()
    if r is None:
        return None
    data = read_blob(blob_root(db), str(r[2])) or b""
    if hashlib.sha256(data).hexdigest() != r[2]:
        raise DocumentDamaged(f"Document {document_id}'s stored PDF does not match its SHA-256; it "
                              "was not sent. Run 'k2desk log verify' and restore a backup.")
    name, fax = "", ""
    if r[4] == "orders":
        p = db.execute("SELECT p.name, p.fax FROM orders o JOIN prescribers p ON p.id = o.prescriber_id"
                       " WHERE o.id=?", [r[5]]).fetchone()
        if p is not None:
            name, fax = str(p[0] or ""), str(p[1] or "")
    return FaxDocument(id=int(r[0]), kind=str(r[1]), sha256=str(r[2]), pages=int(r[3]),
                       source_table=str(r[4]), source_id=int(r[5]), pdf=data,
                       patient_id=None if r[6] is None else int(r[6]),
                       prescriber_name=name, prescriber_fax=fax)


def add_job(db: Database, document_id: int, to_number: str, operator: str) -> int:
    """Queue a fax of a stored document; call inside ``Store.write()``."""
    now = now_iso()
    sha = db.execute("SELECT sha256 FROM documents WHERE id=?", [document_id]).fetchone()
    cur = db.execute(
        "INSERT INTO fax_jobs (document_id, to_number, state, attempts, last_error, next_attempt_at,"
        " created_at, created_by, updated_at) VALUES (?, ?, ?, 0, '', NULL, ?, ?, ?)",
        [document_id, to_number, QUEUED, now, operator, now])
    job_id = int(cur.lastrowid or 0)
    audit.append(db, operator=operator, action="fax.queued", entity="fax_job", entity_id=job_id,
                 details={"document_id": document_id, "to": to_number,
                          "document_sha256": sha[0] if sha else None})
    return job_id


def get_job(db: Database, job_id: int) -> FaxJob | None:
    r = db.execute(f"SELECT {_COLS} FROM fax_jobs WHERE id=?", [job_id]).fetchone()
    return None if r is None else _row(r)


def list_jobs(db: Database, *, limit: int = 500, states: tuple[str, ...] = STATES) -> list[FaxJob]:
    """Jobs newest first."""
    marks = ", ".join("?" for _ in states)
    rows = db.execute(f"SELECT {_COLS} FROM fax_jobs WHERE state IN ({marks}) ORDER BY id DESC LIMIT ?",
                      [*states, limit]).fetchall()
    return [_row(r) for r in rows]


def due_job_ids(db: Database, now: dt.datetime) -> list[int]:
    """Queued jobs whose next attempt time has come, oldest first."""
    rows = db.execute(
        "SELECT id FROM fax_jobs WHERE state=? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        " ORDER BY id", [QUEUED, _iso(now)]).fetchall()
    return [int(r[0]) for r in rows]


def claim(db: Database, job_id: int, *, allow_failed: bool = False) -> FaxJob | None:
    """Mark a queued (or, when asked explicitly, failed) job as sending and count the attempt.

    Returns None when the job is not in a state that may be sent (another program took it, or
    it was sent). Call inside ``Store.write()`` and commit before the network is touched.
    """
    allowed = (QUEUED, FAILED) if allow_failed else (QUEUED,)
    marks = ", ".join("?" for _ in allowed)
    cur = db.execute(
        f"UPDATE fax_jobs SET state=?, attempts=attempts+1, updated_at=? WHERE id=? AND state IN ({marks})",
        [SENDING, now_iso(), job_id, *allowed])
    if cur.rowcount != 1:
        return None
    return get_job(db, job_id)


def mark_sent(db: Database, job: FaxJob, operator: str, *, document_sha256: str,
              details: dict[str, Any]) -> None:
    """Record a successful attempt and audit it ('fax.sent')."""
    db.execute("UPDATE fax_jobs SET state=?, last_error='', next_attempt_at=NULL, updated_at=?"
               " WHERE id=?", [SENT, now_iso(), job.id])
    audit.append(db, operator=operator, action="fax.sent", entity="fax_job", entity_id=job.id,
                 details={"document_id": job.document_id, "to": job.to_number, "attempt": job.attempts,
                          "document_sha256": document_sha256, **details})


def mark_failed(db: Database, job: FaxJob, operator: str, *, error: str, code: str,
                max_attempts: int, document_sha256: str | None,
                now: dt.datetime | None = None) -> FaxJob:
    """Record a failed attempt: back to queued with a back-off, or failed after the last attempt.

    The reason is kept on the job; the audit event ('fax.failed') has the code, not the text.
    """
    at = now or dt.datetime.now(dt.UTC)
    final = job.attempts >= max_attempts
    state = FAILED if final else QUEUED
    next_at = None if final else _iso(at + dt.timedelta(minutes=backoff_minutes(job.attempts)))
    db.execute("UPDATE fax_jobs SET state=?, last_error=?, next_attempt_at=?, updated_at=? WHERE id=?",
               [state, error, next_at, now_iso(), job.id])
    audit.append(db, operator=operator, action="fax.failed", entity="fax_job", entity_id=job.id,
                 details={"document_id": job.document_id, "to": job.to_number, "attempt": job.attempts,
                          "document_sha256": document_sha256, "reason": code, "final": final})
    updated = get_job(db, job.id)
    assert updated is not None
    return updated


def cancel(db: Database, job_id: int, operator: str, *, reason: str = "") -> FaxJob | None:
    """Stop a queued or failed job (it is never sent); None when it is sending or already sent
    or cancelled. Audited ('fax.cancelled')."""
    cur = db.execute("UPDATE fax_jobs SET state=?, next_attempt_at=NULL, updated_at=? WHERE id=?"
                     " AND state IN (?, ?)", [CANCELLED, now_iso(), job_id, QUEUED, FAILED])
    if cur.rowcount != 1:
        return None
    job = get_job(db, job_id)
    assert job is not None
    audit.append(db, operator=operator, action="fax.cancelled", entity="fax_job", entity_id=job_id,
                 details={"document_id": job.document_id, "to": job.to_number, "reason": reason})
    return job


def recover_interrupted(db: Database, operator: str, *, older_than: dt.datetime) -> list[int]:
    """Put jobs left in "sending" (last touched before ``older_than``) back in the queue."""
    rows = db.execute("SELECT id FROM fax_jobs WHERE state=? AND updated_at < ?",
                      [SENDING, _iso(older_than)]).fetchall()
    ids = [int(r[0]) for r in rows]
    for job_id in ids:
        db.execute("UPDATE fax_jobs SET state=?, last_error=?, next_attempt_at=?, updated_at=? WHERE id=?",
                   [QUEUED, "The program stopped while this fax was being sent; it may or may not "
                    "have gone out. It is queued again.", now_iso(), now_iso(), job_id])
        audit.append(db, operator=operator, action="fax.requeued", entity="fax_job", entity_id=job_id,
                     details={"reason": "interrupted"})
    return ids
