"""The interaction review a handout or order goes through before it is saved.

A major finding blocks the document until a named operator acknowledges it with a reason (or an
acknowledgement already on file covers the same findings). The notices printed on the document
say who acknowledged what, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from k2desk.domain.documents import InteractionNotice
from k2desk.domain.interactions import Finding, major_findings, needs_acknowledgement
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.text import check_text
from k2desk.services import interactions as interactions_svc
from k2desk.services.context import AppContext


@dataclass(frozen=True)
class Review:
    """What the interaction check found for one patient, and how a block will be lifted."""

    patient_id: int
    findings: tuple[Finding, ...]
    issues: tuple[FieldIssue, ...]
    ack_by: str = ""
    ack_reason: str = ""
    existing_ack_ids: tuple[int, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        return bool(self.issues)


def _describe(findings: Sequence[Finding]) -> str:
    return "; ".join(f"{f.agent} (as typed: {f.input})" for f in findings)


def review_interactions(ctx: AppContext, patient_id: int, ack_by: str | None,
                        ack_reason: str | None, *, printable: bool = True) -> Review:
    """Check the patient's medications; say what is missing before a document may be saved."""
    by = (ack_by or "").strip()
    reason = (ack_reason or "").strip()
    issues: list[FieldIssue] = []
    if by:
        issues += check_text(by, "ack_by", label="Acknowledged by", max_length=100)
    if reason:
        issues += check_text(reason, "ack_reason", label="Acknowledgement reason", max_length=1000)
    if printable and not issues:
        from k2desk.documents.fonts import check_printable

        issues += check_printable(by, "ack_by", "Acknowledged by")
        issues += check_printable(reason, "ack_reason", "Acknowledgement reason")
    findings = tuple(interactions_svc.findings_for_patient(ctx, patient_id))
    existing: tuple[int, ...] = ()
    if bool(by) != bool(reason):
        missing = "ack_reason" if by else "ack_by"
        issues.append(error(missing, "ack_incomplete",
                            "An acknowledgement needs both the pharmacist's name (ack_by, --ack-by) "
                            "and the reason (ack_reason, --ack-reason)."))
    if needs_acknowledgement(findings) and not (by and reason):
        acks = interactions_svc.current_acknowledgement(ctx, patient_id, list(findings))
        existing = tuple(a.id for a in acks or ())
        if acks is None:
            majors = major_findings(findings)
            issues.append(error(
                "ack_by", "interaction_unacknowledged",
                f"Major interaction with vitamin K: {_describe(majors)}. A named pharmacist must "
                "review it before this document is made: give ack_by and ack_reason "
                "(--ack-by NAME --ack-reason TEXT)."))
    return Review(patient_id=patient_id, findings=findings, issues=tuple(issues), ack_by=by,
                  ack_reason=reason, existing_ack_ids=existing)


def preview_notices(ctx: AppContext, review: Review) -> tuple[InteractionNotice, ...]:
    """Notices for an unsaved preview: the acknowledgement typed so far, or the one on file."""
    if review.ack_by and review.ack_reason:
        return tuple(
            replace(n, acknowledged_by=review.ack_by, ack_reason=review.ack_reason)
            if n.severity == "major" else n
            for n in (InteractionNotice(
                severity=f.severity.value, agent=f.agent, medication_as_typed=f.input,
                certainty=f.certainty.value, patient_message=f.patient_message)
                for f in review.findings))
    if review.issues:  # still unacknowledged: show the findings without a reviewer
        return tuple(InteractionNotice(
            severity=f.severity.value, agent=f.agent, medication_as_typed=f.input,
            certainty=f.certainty.value, patient_message=f.patient_message) for f in review.findings)
    return tuple(interactions_svc.acknowledgement_notices(ctx, review.patient_id, list(review.findings)))


def record_review(ctx: AppContext, review: Review) -> tuple[list[int], tuple[InteractionNotice, ...]]:
    """Inside the caller's write transaction: store a new acknowledgement when one was given,
    and return the acknowledgement ids with the notices the document prints (every finding;
    a major one with who acknowledged it, when and why)."""
    ack_ids = list(review.existing_ack_ids)
    if review.ack_by and review.ack_reason and needs_acknowledgement(review.findings):
        ack_ids = list(interactions_svc.acknowledge(ctx, review.patient_id, list(review.findings),
                                                    review.ack_by, review.ack_reason))
    notices = interactions_svc.acknowledgement_notices(ctx, review.patient_id, list(review.findings))
    return ack_ids, tuple(notices)


def review_statement(notices: Sequence[InteractionNotice]) -> str:
    """The interaction review line printed in the order's pharmacy-use box."""
    if not notices:
        return "Interaction check: no vitamin K interactions found in the patient's medication list."
    parts = []
    for n in notices:
        line = f"{n.severity.upper()}: {n.agent} (as typed: {n.medication_as_typed})"
        if n.certainty != "exact":
            line += " — possible match — confirm"
        if n.acknowledged_by:
            line += f". Interaction reviewed by RPh {n.acknowledged_by}"
            if n.ack_at:
                line += f" on {n.ack_at[:10]}"
            line += f": {n.ack_reason}"
        parts.append(line + ".")
    return "\n".join(parts)
