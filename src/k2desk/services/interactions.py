"""Interaction use cases: check medications, find a patient's findings, acknowledge major ones.

A major finding blocks a handout or order until a pharmacist acknowledges it with a reason.
An acknowledgement covers one finding, keyed by agent and medication text as typed, so one made
for "Coumadin 5 mg daily" does not silently cover a new "Sintrom" (or a changed warfarin line).

One acknowledgement, one document: an acknowledgement given with a handout or an order belongs
to that document only. One recorded on its own (``k2desk interactions acknowledge``) is
*pending*: the next document made for the patient uses it up, and it lapses at the end of the
local day. An order's acknowledgement also says how the prescriber or clinic was reached.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence

from k2desk.domain.documents import InteractionNotice
from k2desk.domain.interactions import (
    Acknowledgement,
    Finding,
    InteractionTable,
    check_medications,
    major_findings,
)
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.roles import CONTACT_METHODS, PHARMACIST
from k2desk.domain.text import check_text
from k2desk.library.interactions import (
    InteractionTableError,
    load_interaction_table,
    unverified_entries,
)
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.operators import require_pharmacist
from k2desk.services.patients import get_patient
from k2desk.storage import acknowledgements as repo
from k2desk.storage.clock import now_iso

PENDING, HANDOUT, ORDER = "pending", "handout", "order"
_TABLE_LOCK = threading.Lock()
ACK_ACTION = "acknowledge an interaction"


def table(ctx: AppContext | None = None) -> InteractionTable:
    """The shipped interaction table (loaded once). A broken table is an operation failure:
    the app must say so rather than run without warnings."""
    try:
        # Loading takes seconds and the window starts it in the background (services.warmup):
        # a caller arriving meanwhile waits for that load instead of doing it a second time.
        with _TABLE_LOCK:
            return load_interaction_table()
    except InteractionTableError as exc:
        raise OperationFailed(str(exc)) from exc


def load_table() -> InteractionTable:
    """The shipped interaction table (same as ``table()``; the self-test calls it by this name)."""
    return table()


def unverified_names() -> list[str]:
    """One line per interaction-table agent or name not confirmed against a source (it still
    matches): what ``k2desk library validate`` lists."""
    return unverified_entries(table())


def check(meds: Sequence[str]) -> list[Finding]:
    """Findings for medication strings as typed, most serious first."""
    return check_medications(meds, table())


def current_medication_texts(ctx: AppContext, patient_id: int) -> list[str]:
    """The patient's current (not stopped) medications as typed; NotFound for an unknown id."""
    return [m.text for m in get_patient(ctx, patient_id).current_medications]


def findings_for_patient(ctx: AppContext, patient_id: int) -> list[Finding]:
    """Findings for the patient's current medication list."""
    return check(current_medication_texts(ctx, patient_id))


def end_of_local_day(now: dt.datetime | None = None) -> str:
    """The next local midnight after ``now`` (default: now), as a stored UTC timestamp: when a
    pending acknowledgement lapses."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone()
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0),
                                   tzinfo=local.tzinfo).astimezone()
    # A DST change between now and midnight: re-resolve midnight in its own offset.
    midnight = midnight.replace(tzinfo=None).astimezone()
    return midnight.astimezone(dt.UTC).isoformat(timespec="microseconds")


def check_contact(method: str | None, note: str | None, *, required: bool) -> list[FieldIssue]:
    """An order acknowledgement's contact: one of CONTACT_METHODS, with optional text."""
    issues: list[FieldIssue] = []
    m = (method or "").strip()
    if not m and required:
        issues.append(error("ack_contact", "required",
                            "Say how the prescriber or the anticoagulation clinic was reached "
                            "(phone, fax, in person, secure message, or not reached)."))
    elif m and m not in CONTACT_METHODS:
        issues.append(error("ack_contact", "contact_invalid",
                            f"{m!r} is not a contact method; use one of: "
                            + ", ".join(CONTACT_METHODS) + "."))
    issues += check_text(note or "", "ack_contact_note", label="Contact details", max_length=500)
    return issues


def _check_ack_input(by: str, reason: str) -> list[FieldIssue]:
    return (check_text(by, "ack_by", label="Acknowledged by", required=True, max_length=100)
            + check_text(reason, "ack_reason", label="Reason", required=True, max_length=1000))


def acknowledge(ctx: AppContext, patient_id: int, findings: Iterable[Finding], by: str,
                reason: str, *, purpose: str = PENDING, contact: str = "", contact_note: str = "",
                pin: str | None = None) -> list[int]:
    """Store one acknowledgement per major finding (by a pharmacist, with a reason), each with
    its audit event, in one transaction. Returns the new ids in the findings' order.

    ``purpose`` PENDING (the default) is an acknowledgement on its own, used by the next
    document and lapsing at the end of the day; HANDOUT or ORDER is one made with that document
    (the caller links it in the same transaction). An ORDER acknowledgement needs ``contact``.
    """
    get_patient(ctx, patient_id)
    issues = _check_ack_input(by, reason)
    issues += check_contact(contact, contact_note, required=purpose == ORDER)
    majors: list[Finding] = []
    seen: set[str] = set()
    for f in major_findings(findings):
        if f.text not in seen:
            seen.add(f.text)
            majors.append(f)
    if not majors:
        issues.append(error("findings", "no_major_finding",
                            "Only a major interaction finding needs an acknowledgement; none was given."))
    if issues:
        raise InputRefused(issues)
    who = require_pharmacist(ctx, by, action=ACK_ACTION, pin=pin, field="ack_by")
    version = table().version
    expires = end_of_local_day() if purpose == PENDING else None
    with ctx.store.write() as db:
        ids = [repo.add_acknowledgement(
            db, patient_id=patient_id, finding=f.text, severity=f.severity.value,
            operator=who, reason=reason.strip(), recorded_by=ctx.operator,
            details={"certainty": f.certainty.value, "table_version": version},
            purpose=purpose, expires_at=expires, contact_method=(contact or "").strip(),
            contact_note=(contact_note or "").strip(), login=ctx.login)
            for f in majors]
    # Inside a document's own transaction the document's notice follows; on its own (pending)
    # this is the notice that the patient's acknowledgement state changed.
    ctx.changes.publish(Changes(acknowledgement=True, patient_id=patient_id))
    return ids


def get_acknowledgement(ctx: AppContext, ack_id: int) -> Acknowledgement:
    ack = repo.get_acknowledgement(ctx.store.db, ack_id)
    if ack is None:
        raise NotFound(f"There is no interaction acknowledgement with id {ack_id}.")
    return ack


def acknowledgements_for_patient(ctx: AppContext, patient_id: int) -> list[Acknowledgement]:
    """Every acknowledgement stored for the patient, newest first."""
    get_patient(ctx, patient_id)
    return repo.list_for_patient(ctx.store.db, patient_id)


def acknowledgement_used_by(ctx: AppContext, ack_id: int) -> list[tuple[str, int]]:
    """The handouts and orders (entity, id) that rest on an acknowledgement."""
    return repo.used_by(ctx.store.db, ack_id)


def _required(ctx: AppContext, patient_id: int, findings: Iterable[Finding] | None) -> list[Finding]:
    """Major findings that must be covered: the patient's current list, plus any given."""
    required = major_findings(findings_for_patient(ctx, patient_id))
    texts = {f.text for f in required}
    for f in major_findings(findings or ()):
        if f.text not in texts:
            texts.add(f.text)
            required.append(f)
    return required


def pending_acknowledgements(ctx: AppContext, patient_id: int, *,
                             now: str | None = None) -> dict[str, Acknowledgement]:
    """Pending acknowledgements the next document may use: not used, not lapsed."""
    return repo.usable_pending(ctx.store.db, patient_id, now=now or now_iso())


def unacknowledged_majors(ctx: AppContext, patient_id: int,
                          findings: Iterable[Finding] | None = None, *,
                          now: str | None = None) -> list[Finding]:
    """Major findings of the patient's current medications (and ``findings``) with no usable
    pending acknowledgement for that agent and medication text."""
    required = _required(ctx, patient_id, findings)
    acks = pending_acknowledgements(ctx, patient_id, now=now)
    return [f for f in required if f.text not in acks]


def current_acknowledgement(ctx: AppContext, patient_id: int,
                            findings: Iterable[Finding] | None = None, *,
                            now: str | None = None) -> list[Acknowledgement] | None:
    """The pending acknowledgements the next document would use, covering every major finding
    of the patient's CURRENT medication list (and of ``findings``), one per finding; ``[]``
    when there is no major finding; None when any major finding has no usable pending
    acknowledgement (not given, already used by a document, or lapsed at the end of its day):
    the document must wait for a new one."""
    required = _required(ctx, patient_id, findings)
    acks = pending_acknowledgements(ctx, patient_id, now=now)
    if any(f.text not in acks for f in required):
        return None
    return [acks[f.text] for f in required]


def _notice(f: Finding, ack: Acknowledgement | None) -> InteractionNotice:
    return InteractionNotice(
        severity=f.severity.value, agent=f.agent, medication_as_typed=f.input,
        certainty=f.certainty.value, patient_message=f.patient_message,
        acknowledged_by=ack.operator if ack else "", ack_reason=ack.reason if ack else "",
        ack_at=ack.at if ack else "", ack_role=PHARMACIST if ack else "",
        ack_contact=ack.contact_method if ack else "",
        ack_contact_note=ack.contact_note if ack else "")


def acknowledgement_notices(ctx: AppContext, patient_id: int,
                            findings: Iterable[Finding] | None = None, *,
                            acks: Sequence[Acknowledgement] | None = None) -> list[InteractionNotice]:
    """What a document prints about interactions: every finding of the patient's current
    medications (or ``findings``), most serious first; a major one with who acknowledged it,
    why and when. ``acks`` are the document's own acknowledgements (default: the usable pending
    ones). Refuses (field ``acknowledgement``) while a major finding is not covered."""
    given = list(findings) if findings is not None else None
    shown = given if given is not None else findings_for_patient(ctx, patient_id)
    if acks is None:
        acks = current_acknowledgement(ctx, patient_id, given)
    by_text = {a.finding: a for a in acks or ()}
    missing = [f for f in _required(ctx, patient_id, given) if f.text not in by_text]
    if acks is None or missing:
        missing = missing or unacknowledged_majors(ctx, patient_id, given)
        raise InputRefused([error(
            "acknowledgement", "unacknowledged_major",
            "A major interaction must be acknowledged by a pharmacist with a reason first: "
            + "; ".join(f.text for f in missing) + ".")])
    return [_notice(f, by_text.get(f.text) if f.is_major else None) for f in shown]


def vka_agents(meds: Sequence[str]) -> list[str]:
    """The flag every patient page shows: the agent of each major finding (a vitamin K
    antagonist, named or possible) among medications as typed, a possible match marked
    "possible"; empty when there is none. Never narrower than the acknowledgement rule."""
    out: list[str] = []
    for f in major_findings(check(meds)):
        label = f.agent if f.certainty.value == "exact" else f"{f.agent} (possible)"
        if label not in out:
            out.append(label)
    return out


def vka_flags(ctx: AppContext, patient_ids: Iterable[int]) -> dict[int, list[str]]:
    """``vka_agents`` of each stored patient's current medications, by patient id (an unknown
    id is left out)."""
    from k2desk.storage import patients as patients_repo

    out: dict[int, list[str]] = {}
    for pid in set(patient_ids):
        p = patients_repo.get_patient(ctx.store.db, pid)
        if p is not None:
            out[pid] = vka_agents([m.text for m in p.current_medications])
    return out
