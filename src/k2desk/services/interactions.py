"""Interaction use cases: check medications, find a patient's findings, acknowledge major ones.

A major finding blocks a handout or order until a named operator acknowledges it with a reason.
An acknowledgement covers one finding, keyed by agent and medication text as typed, so one made
for "Coumadin 5 mg daily" does not silently cover a new "Sintrom" (or a changed warfarin line).
"""

from __future__ import annotations

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
from k2desk.domain.text import check_text
from k2desk.library.interactions import (
    InteractionTableError,
    load_interaction_table,
    unverified_entries,
)
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.patients import get_patient
from k2desk.storage import acknowledgements as repo


def table(ctx: AppContext | None = None) -> InteractionTable:
    """The shipped interaction table (loaded once). A broken table is an operation failure:
    the app must say so rather than run without warnings."""
    try:
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


def _check_ack_input(by: str, reason: str) -> list[FieldIssue]:
    return (check_text(by, "ack_by", label="Acknowledged by", required=True, max_length=100)
            + check_text(reason, "ack_reason", label="Reason", required=True, max_length=1000))


def acknowledge(ctx: AppContext, patient_id: int, findings: Iterable[Finding], by: str,
                reason: str) -> list[int]:
    """Store one acknowledgement per major finding (by a named person, with a reason), each with
    its audit event, in one transaction. Returns the new ids in the findings' order."""
    get_patient(ctx, patient_id)
    issues = _check_ack_input(by, reason)
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
    version = table().version
    with ctx.store.write() as db:
        return [repo.add_acknowledgement(
            db, patient_id=patient_id, finding=f.text, severity=f.severity.value,
            operator=by.strip(), reason=reason.strip(), recorded_by=ctx.operator,
            details={"certainty": f.certainty.value, "table_version": version})
            for f in majors]


def get_acknowledgement(ctx: AppContext, ack_id: int) -> Acknowledgement:
    ack = repo.get_acknowledgement(ctx.store.db, ack_id)
    if ack is None:
        raise NotFound(f"There is no interaction acknowledgement with id {ack_id}.")
    return ack


def acknowledgements_for_patient(ctx: AppContext, patient_id: int) -> list[Acknowledgement]:
    """Every acknowledgement stored for the patient, newest first."""
    get_patient(ctx, patient_id)
    return repo.list_for_patient(ctx.store.db, patient_id)


def _required(ctx: AppContext, patient_id: int, findings: Iterable[Finding] | None) -> list[Finding]:
    """Major findings that must be covered: the patient's current list, plus any given."""
    required = major_findings(findings_for_patient(ctx, patient_id))
    texts = {f.text for f in required}
    for f in major_findings(findings or ()):
        if f.text not in texts:
            texts.add(f.text)
            required.append(f)
    return required


def unacknowledged_majors(ctx: AppContext, patient_id: int,
                          findings: Iterable[Finding] | None = None) -> list[Finding]:
    """Major findings of the patient's current medications (and ``findings``) with no stored
    acknowledgement for that agent and medication text."""
    required = _required(ctx, patient_id, findings)
    acks = repo.latest_for_findings(ctx.store.db, patient_id, [f.text for f in required])
    return [f for f in required if f.text not in acks]


def current_acknowledgement(ctx: AppContext, patient_id: int,
                            findings: Iterable[Finding] | None = None) -> list[Acknowledgement] | None:
    """The stored acknowledgements covering every major finding of the patient's CURRENT
    medication list (and of ``findings``, when given), one per finding; ``[]`` when there is no
    major finding; None when any major finding is not acknowledged (the document must wait)."""
    required = _required(ctx, patient_id, findings)
    acks = repo.latest_for_findings(ctx.store.db, patient_id, [f.text for f in required])
    if any(f.text not in acks for f in required):
        return None
    return [acks[f.text] for f in required]


def _notice(f: Finding, ack: Acknowledgement | None) -> InteractionNotice:
    return InteractionNotice(
        severity=f.severity.value, agent=f.agent, medication_as_typed=f.input,
        certainty=f.certainty.value, patient_message=f.patient_message,
        acknowledged_by=ack.operator if ack else "", ack_reason=ack.reason if ack else "",
        ack_at=ack.at if ack else "")


def acknowledgement_notices(ctx: AppContext, patient_id: int,
                            findings: Iterable[Finding] | None = None) -> list[InteractionNotice]:
    """What a document prints about interactions: every finding of the patient's current
    medications (or ``findings``), most serious first; a major one with who acknowledged it,
    why and when. Refuses (field ``acknowledgement``) while a major finding is unacknowledged."""
    given = list(findings) if findings is not None else None
    shown = given if given is not None else findings_for_patient(ctx, patient_id)
    acks = current_acknowledgement(ctx, patient_id, given)
    if acks is None:
        missing = unacknowledged_majors(ctx, patient_id, given)
        raise InputRefused([error(
            "acknowledgement", "unacknowledged_major",
            "A major interaction must be acknowledged by a named operator with a reason first: "
            + "; ".join(f.text for f in missing) + ".")])
    by_text = {a.finding: a for a in acks}
    return [_notice(f, by_text.get(f.text) if f.is_major else None) for f in shown]
