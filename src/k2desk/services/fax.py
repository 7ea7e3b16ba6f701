"""Fax use cases: queue a stored document, attempt a job, retry the due ones, list the outbox.

A job is never lost: the claim ("sending") is committed before the network is touched and the
result in a second transaction; any failure leaves the job queued (with the reason and the
time of the next attempt) until ``fax.max_attempts`` is reached, and the document is untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from k2desk.domain.documents import DocumentKind, PaperSize
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.settings import SETTINGS_BY_KEY, Value
from k2desk.domain.text import check_text
from k2desk.domain.validation import format_phone, normalise_phone
from k2desk.fax import secrets
from k2desk.fax.transport import FaxSendError, GatewayConfig, page_count, send_fax
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.rendering import (
    cover_settings_issues,
    document_reference,
    pharmacy_profile,
    render_cover,
)
from k2desk.storage import audit
from k2desk.storage import documents as documents_repo
from k2desk.storage import fax_jobs as repo
from k2desk.storage.fax_jobs import FaxDocument, FaxJob
from k2desk.storage.settings import load_settings

REQUIRED_SETTINGS = ("fax.smtp_host", "fax.sender", "fax.recipient_pattern")
# A job still "sending" this long after it was claimed belongs to a program that stopped.
SENDING_GRACE = dt.timedelta(seconds=60)


class JobBusy(OperationFailed):
    """The job is not waiting to be sent: it was sent, or another window or command has it."""


@dataclass(frozen=True, slots=True)
class AttemptResult:
    job: FaxJob
    sent: bool
    error: str = ""


def _missing_settings(values: dict[str, Value]) -> list[FieldIssue]:
    return [error(key, "required",
                  f"{SETTINGS_BY_KEY[key].label} is not set; set it with "
                  f"'k2desk settings set {key} VALUE' or on the Settings page.")
            for key in REQUIRED_SETTINGS if not str(values.get(key, "")).strip()]


def gateway_config(ctx: AppContext) -> GatewayConfig:
    """The gateway settings, or InputRefused naming every missing fax.* setting."""
    values = load_settings(ctx.store.db)
    issues = _missing_settings(values)
    if issues:
        raise InputRefused(issues)
    return _config(values)


def _config(values: dict[str, Value]) -> GatewayConfig:
    return GatewayConfig(
        host=str(values["fax.smtp_host"]), port=int(values["fax.smtp_port"]),
        security=str(values["fax.security"]), username=str(values["fax.username"]),
        sender=str(values["fax.sender"]), recipient_pattern=str(values["fax.recipient_pattern"]),
        timeout_s=float(values["fax.timeout_s"]), ca_file=str(values.get("fax.ca_file", "")))


def queue_fax(ctx: AppContext, document_id: int, to_number: str) -> int:
    """Check the number and the gateway settings, then queue a fax of a stored document."""
    e164, issues = normalise_phone(to_number, "to", label="Fax number")
    if not to_number.strip():
        issues = [error("to", "required", "Fax number is required, for example (817) 860-6083.")]
    issues += _missing_settings(load_settings(ctx.store.db))
    issues += cover_settings_issues(pharmacy_profile(ctx))
    if not repo.document_exists(ctx.store.db, document_id):
        raise NotFound(f"There is no stored document with id {document_id}.")
    if issues or e164 is None:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        return repo.add_job(db, document_id, e164, ctx.operator)


def outbox(ctx: AppContext, *, limit: int = 500) -> list[FaxJob]:
    """Every fax job, newest first, with its state, attempts and last error."""
    return repo.list_jobs(ctx.store.db, limit=limit)


def get_job(ctx: AppContext, job_id: int) -> FaxJob:
    job = repo.get_job(ctx.store.db, job_id)
    if job is None:
        raise NotFound(f"There is no fax job with id {job_id}.")
    return job


def set_password(ctx: AppContext, password: str) -> None:
    """Save the gateway password in the OS keyring (never the database) and audit that it changed."""
    username = str(load_settings(ctx.store.db)["fax.username"]).strip()
    if not username:
        raise InputRefused([error("fax.username", "required",
                                  "Fax gateway user name is not set; set it first with "
                                  "'k2desk settings set fax.username NAME'.")])
    if not password:
        raise InputRefused([error("password", "required", "The password is empty; nothing was saved.")])
    try:
        secrets.set_password(username, password)
    except secrets.SecretError as exc:
        raise OperationFailed(str(exc)) from exc
    with ctx.store.write() as db:
        audit.append(db, operator=ctx.operator, action="fax.password_set", entity="setting",
                     entity_id="fax.password", details={"store": "keyring"})


def recover_interrupted(ctx: AppContext, *, now: dt.datetime | None = None) -> list[int]:
    """Put jobs left "sending" by a program that stopped back in the queue; return their ids."""
    if not repo.list_jobs(ctx.store.db, limit=1, states=(repo.SENDING,)):
        return []  # the usual case: no write transaction needed
    values = load_settings(ctx.store.db)
    at = now or dt.datetime.now(dt.UTC)
    older_than = at - dt.timedelta(seconds=float(values["fax.timeout_s"])) - SENDING_GRACE
    with ctx.store.write() as db:
        return repo.recover_interrupted(db, ctx.operator, older_than=older_than)


class PasswordNeeded(OperationFailed):
    """The gateway needs a password and none is available (no keyring, or none saved in it).

    The job stays queued. The window asks for a password for this session only; the CLI takes
    ``--password-stdin``.
    """

    def __init__(self, message: str, username: str) -> None:
        super().__init__(message)
        self.username = username


def _resolve_password(cfg: GatewayConfig, password: str | None) -> str | None:
    if not cfg.username:
        return None
    if password:
        return password
    try:
        return secrets.get_password(cfg.username)
    except secrets.SecretError as exc:
        raise PasswordNeeded(str(exc), cfg.username) from exc


def _reference(doc: FaxDocument) -> str:
    return document_reference(doc.id, doc.source_table, doc.source_id)


def _cover(ctx: AppContext, values: dict[str, Value], doc: FaxDocument, to_e164: str, doc_pages: int,
           today: dt.date) -> bytes:
    to_name = doc.prescriber_name if doc.prescriber_fax == to_e164 else ""
    return render_cover(pharmacy_profile(ctx), PaperSize(str(values["print.paper_size"])), day=today,
                        to_fax=format_phone(to_e164), reference=_reference(doc), doc_pages=doc_pages,
                        to_name=to_name)


def attempt(ctx: AppContext, job_id: int, password: str | None = None, *,
            explicit: bool = True, now: dt.datetime | None = None) -> AttemptResult:
    """Make one attempt at a job now, bounded by fax.timeout_s.

    Gateway failures do not raise: they are recorded on the job (queued for a retry with back-off,
    or failed after fax.max_attempts) and returned. Raises InputRefused for incomplete settings,
    OperationFailed when the password is not available or the job cannot be sent (already sent).
    ``explicit`` lets a person retry a job that had reached "failed".
    """
    cfg = gateway_config(ctx)
    job = get_job(ctx, job_id)
    if job.state == repo.SENT:
        raise JobBusy(f"Fax job {job_id} was already sent; queue a new fax to send it again.")
    if job.state == repo.SENDING:
        raise JobBusy(f"Fax job {job_id} is being sent right now by another k2desk window or "
                              "command; look at the outbox again in a minute.")
    secret = _resolve_password(cfg, password)
    values = load_settings(ctx.store.db)
    max_attempts = int(values["fax.max_attempts"])
    try:
        doc = repo.load_document(ctx.store.db, job.document_id)
        damaged = ""
    except repo.DocumentDamaged as exc:
        doc, damaged = None, str(exc)
    with ctx.store.write() as db:
        claimed = repo.claim(db, job_id, allow_failed=explicit)
    if claimed is None:
        state = get_job(ctx, job_id).state
        raise JobBusy(f"Fax job {job_id} is not waiting to be sent (it is {state}).")
    if doc is None:
        with ctx.store.write() as db:
            updated = repo.mark_failed(db, claimed, ctx.operator, error=damaged or "The document is missing.",
                                       code="document", max_attempts=0, document_sha256=None, now=now)
        return AttemptResult(updated, False, updated.last_error)
    try:
        today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
        doc_pages = page_count(doc.pdf)
        cover = _cover(ctx, values, doc, claimed.to_number, doc_pages, today)
        sent = send_fax(cfg, to_e164=claimed.to_number, reference=_reference(doc), cover_pdf=cover,
                        document_pdf=doc.pdf, password=secret, filename=f"k2desk-document-{doc.id}.pdf")
    except FaxSendError as exc:
        reason, code = str(exc), exc.code
    except Exception as exc:  # noqa: BLE001 - the job must be released whatever went wrong
        reason, code = f"The fax could not be prepared ({type(exc).__name__}); it was not sent.", "prepare"
    else:
        with ctx.store.write() as db:
            # The cover that went out is kept in the log too, so what was faxed is exactly
            # merge(stored cover, stored document). Only a sent cover is kept: failed attempts
            # would fill the log with covers nobody received.
            cover_id = documents_repo.store_document(
                db, kind=DocumentKind.FAX_COVER.value, patient_id=doc.patient_id, source_table="documents",
                source_id=doc.id, pdf=cover, title=f"Fax cover for document {doc.id}",
                operator=ctx.operator, pages=page_count(cover))
            repo.mark_sent(db, claimed, ctx.operator, document_sha256=doc.sha256,
                           details={"pages": sent.pages, "attachment_sha256": sent.attachment_sha256,
                                    "cover_document_id": cover_id})
        return AttemptResult(get_job(ctx, job_id), True)
    with ctx.store.write() as db:
        updated = repo.mark_failed(db, claimed, ctx.operator, error=reason, code=code,
                                   max_attempts=max_attempts, document_sha256=doc.sha256, now=now)
    return AttemptResult(updated, False, reason)


def retry_due(ctx: AppContext, password: str | None = None, *,
              now: dt.datetime | None = None) -> list[AttemptResult]:
    """Attempt every queued job whose back-off has passed (after recovering interrupted ones)."""
    at = now or dt.datetime.now(dt.UTC)
    recover_interrupted(ctx, now=at)
    results = []
    for job_id in repo.due_job_ids(ctx.store.db, at):
        try:
            results.append(attempt(ctx, job_id, password, explicit=False, now=at))
        except JobBusy:
            continue  # another window or command took it between the listing and the claim
    return results


def cancel_fax(ctx: AppContext, job_id: int, reason: str = "") -> FaxJob:
    """Stop a waiting or failed fax job so it is never sent (any operator may). JobBusy when it
    is being sent, was sent or was cancelled already."""
    issues = check_text(reason, "reason", label="Reason", max_length=500)
    if issues:
        raise InputRefused(issues)
    job = get_job(ctx, job_id)
    with ctx.store.write() as db:
        done = repo.cancel(db, job_id, ctx.operator, reason=reason.strip())
    if done is None:
        state = get_job(ctx, job_id).state
        raise JobBusy(f"Fax job {job.id} cannot be cancelled: it is {state}.")
    return done


def failed_since(ctx: AppContext, since: str) -> list[FaxJob]:
    """Jobs whose last attempt failed after ``since`` (a stored UTC timestamp), oldest first:
    what the window's status bar announces."""
    return [j for j in reversed(repo.list_jobs(ctx.store.db, limit=200, states=(repo.QUEUED, repo.FAILED)))
            if j.last_error and j.attempts > 0 and j.updated_at > since]
