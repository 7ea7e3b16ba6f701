"""The interaction review a handout or order goes through before it is saved.

A major finding blocks the document until a pharmacist acknowledges it with a reason, for this
document (or a pending acknowledgement, recorded on its own today and not used yet, covers the
same findings: the document uses it up). The notices printed on the document say who
acknowledged what, and when; on an order also how the prescriber or clinic was reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from k2desk.domain.documents import InteractionNotice
from k2desk.domain.interactions import Finding, major_findings, needs_acknowledgement
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.roles import PHARMACIST, contact_sentence, review_by
from k2desk.domain.text import check_text
from k2desk.services import interactions as interactions_svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused


@dataclass(frozen=True)
class Review:
    """What the interaction check found for one patient, and how a block will be lifted."""

    patient_id: int
    findings: tuple[Finding, ...]
    issues: tuple[FieldIssue, ...]
    ack_by: str = ""
    ack_reason: str = ""
    existing_ack_ids: tuple[int, ...] = field(default=())
    kind: str = interactions_svc.HANDOUT  # the document: handout | order
    ack_contact: str = ""
    ack_contact_note: str = ""
    ack_pin: str | None = None

    @property
    def blocked(self) -> bool:
        return bool(self.issues)


def _describe(findings: Sequence[Finding]) -> str:
    return "; ".join(f"{f.agent} (as typed: {f.input})" for f in findings)


def review_interactions(ctx: AppContext, patient_id: int, ack_by: str | None,
                        ack_reason: str | None, *, printable: bool = True,
                        kind: str = interactions_svc.HANDOUT, ack_contact: str | None = None,
                        ack_contact_note: str | None = None, ack_pin: str | None = None,
                        ack_for: Sequence[str] | None = None) -> Review:
    """Check the patient's medications; say what is missing before a ``kind`` document may be
    saved (in plain words: the window shows them as they are; the CLI adds its option names).
    A new acknowledgement (``ack_by`` and ``ack_reason``; for an order also
    ``ack_contact``) must come from a pharmacist; without one, a usable pending acknowledgement
    is used. ``ack_for``, when given, are the major findings (their text) the pharmacist saw
    when acknowledging (the window holds an acknowledgement until Create): if the medication
    list changed since, the acknowledgement does not cover it and is refused."""
    by = (ack_by or "").strip()
    reason = (ack_reason or "").strip()
    contact = (ack_contact or "").strip()
    contact_note = (ack_contact_note or "").strip()
    is_order = kind == interactions_svc.ORDER
    issues: list[FieldIssue] = []
    if by:
        issues += check_text(by, "ack_by", label="Acknowledged by", max_length=100)
    if reason:
        issues += check_text(reason, "ack_reason", label="Acknowledgement reason", max_length=1000)
    if contact or contact_note:
        issues += interactions_svc.check_contact(contact, contact_note, required=False)
    if printable and not issues:
        from k2desk.documents.fonts import check_printable

        issues += check_printable(by, "ack_by", "Acknowledged by")
        issues += check_printable(reason, "ack_reason", "Acknowledgement reason")
        issues += check_printable(contact_note, "ack_contact_note", "Contact details")
    findings = tuple(interactions_svc.findings_for_patient(ctx, patient_id))
    existing: tuple[int, ...] = ()
    if bool(by) != bool(reason):
        missing = "ack_reason" if by else "ack_by"
        issues.append(error(missing, "ack_incomplete",
                            "An acknowledgement needs both the pharmacist's name and the reason."))
    if (contact or contact_note) and not by and needs_acknowledgement(findings):
        issues.append(error("ack_contact", "ack_incomplete",
                            "How the prescriber was reached goes with a new acknowledgement: "
                            "give the pharmacist's name and the reason too."))
    if needs_acknowledgement(findings) and by and reason:
        now_major = sorted({f.text for f in major_findings(findings)})
        if ack_for is not None and now_major != sorted(set(ack_for)):
            issues.append(error(
                "ack_by", "ack_stale",
                "The medication list changed after the pharmacist acknowledged the interaction "
                f"(now: {_describe(major_findings(findings))}). A pharmacist must review it again "
                f"for this {kind}."))
        if is_order and not contact:
            issues += interactions_svc.check_contact("", "", required=True)
        try:
            interactions_svc.require_pharmacist(ctx, by, action=interactions_svc.ACK_ACTION,
                                                pin=ack_pin, field="ack_by")
        except InputRefused as exc:
            issues += exc.issues
    if needs_acknowledgement(findings) and not (by and reason):
        acks = interactions_svc.current_acknowledgement(ctx, patient_id, list(findings))
        existing = tuple(a.id for a in acks or ())
        if acks is None:
            majors = major_findings(findings)
            issues.append(error(
                "ack_by", "interaction_unacknowledged",
                f"Major interaction with vitamin K: {_describe(majors)}. A pharmacist must "
                f"review it for this {kind} before it is made: acknowledge it with the "
                "pharmacist's name and the reason"
                + (" and say how the prescriber or clinic was reached" if is_order else "")
                + "."))
        elif is_order and any(not a.contact_method for a in acks):
            issues.append(error(
                "ack_contact", "required",
                "The pending acknowledgement does not say how the prescriber or the "
                "anticoagulation clinic was reached: acknowledge it for this order with the "
                "pharmacist's name, the reason and how they were reached."))
    return Review(patient_id=patient_id, findings=findings, issues=tuple(issues), ack_by=by,
                  ack_reason=reason, existing_ack_ids=existing, kind=kind, ack_contact=contact,
                  ack_contact_note=contact_note, ack_pin=ack_pin)


def preview_notices(ctx: AppContext, review: Review) -> tuple[InteractionNotice, ...]:
    """Notices for an unsaved preview: the acknowledgement typed so far, or the one on file."""
    if review.ack_by and review.ack_reason:
        return tuple(
            replace(n, acknowledged_by=review.ack_by, ack_reason=review.ack_reason,
                    ack_role=PHARMACIST, ack_contact=review.ack_contact,
                    ack_contact_note=review.ack_contact_note)
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
    """Inside the caller's write transaction: store a new acknowledgement for this document
    when one was given, or take the pending one (checked again here, so two documents cannot
    both use it); return the acknowledgement ids (the caller links them to the document) with
    the notices the document prints (every finding; a major one with who acknowledged it, when
    and why)."""
    findings = list(review.findings)
    acks = None
    if review.ack_by and review.ack_reason and needs_acknowledgement(review.findings):
        ids = interactions_svc.acknowledge(
            ctx, review.patient_id, findings, review.ack_by, review.ack_reason,
            purpose=review.kind, contact=review.ack_contact, contact_note=review.ack_contact_note,
            pin=review.ack_pin)
        acks = [interactions_svc.get_acknowledgement(ctx, i) for i in ids]
    elif needs_acknowledgement(review.findings):
        acks = interactions_svc.current_acknowledgement(ctx, review.patient_id, findings)
        if acks is None or [a.id for a in acks] != list(review.existing_ack_ids):
            raise InputRefused([error(
                "ack_by", "interaction_unacknowledged",
                "The pending acknowledgement was used by another document or lapsed meanwhile: "
                f"a pharmacist must review the interaction again for this {review.kind}.")])
    notices = interactions_svc.acknowledgement_notices(ctx, review.patient_id, findings,
                                                      acks=acks or [])
    return [a.id for a in acks or ()], tuple(notices)


def review_line(n: InteractionNotice, day: str) -> str:
    """'Reviewed by J. Smith, pharmacist, November 30, 2026: reason' - the name once, one role
    word (a name typed as "RPh J. Smith" is printed without its own "RPh")."""
    return f"Reviewed by {review_by(n.acknowledged_by, n.ack_role)}" + (f", {day}" if day else "") \
        + f": {n.ack_reason}"


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
            from k2desk.documents.blocks import fmt_date
            from k2desk.services.rendering import local_date

            # Sentences typed with their own full stop get no second one ("informed..").
            line += ". " + review_line(n, fmt_date(local_date(n.ack_at)) if n.ack_at else "").rstrip(".")
            contact = contact_sentence(n.ack_contact, n.ack_contact_note).rstrip(".")
            if contact:
                line += f". {contact}"
        parts.append(line + ".")
    return "\n".join(parts)
