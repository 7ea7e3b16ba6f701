"""Compound order use cases: create (check, save, render from the saved rows, store the PDF),
show, and move through the status workflow."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from k2desk.documents.vka_box import CONTRAINDICATED_PREFIX
from k2desk.domain.contraindications import (
    APPROVAL_EXAMPLE,
    Contraindication,
    applies_to_patient,
    contraindicated_lines,
    named_in_any,
    read_approval,
)
from k2desk.domain.documents import DocumentKind, OrderLine, OrderRecord
from k2desk.domain.forms import FieldType, FormDefinition
from k2desk.domain.issues import FieldIssue, Severity, blocking, error, warning
from k2desk.domain.models import Patient, Prescriber
from k2desk.domain.notation import normalise_order
from k2desk.domain.orders import (
    CANCELLED,
    DISPENSED,
    DRAFT,
    SIGNED,
    check_transition,
    read_order_data,
    validate_order,
)
from k2desk.domain.records import StatusChange, StoredDocument, StoredOrder
from k2desk.domain.text import check_text
from k2desk.domain.validation import format_phone, normalise_phone
from k2desk.library.forms import load_form
from k2desk.services import interactions as interactions_svc
from k2desk.services import library as library_svc
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.operators import require_pharmacist
from k2desk.services.patients import get_patient
from k2desk.services.rendering import (
    count_pages,
    local_date,
    paper_size,
    pharmacy_profile,
    profile_issues,
)
from k2desk.services.review import record_review, review_interactions, review_statement
from k2desk.storage import documents as doc_repo
from k2desk.storage import orders as repo

ORDER_FORM = "compound_order"
OVERRIDE_ACTION = "override a warning"
DISPENSE_ACTION = "mark an order dispensed"
# Patient details on an order always come from the stored patient record.
FROM_RECORD = ("patient.name", "patient.dob", "patient.address", "patient.phone", "patient.allergies")
_FROM_RECORD = FROM_RECORD  # older name, used by the order editor


def order_form() -> FormDefinition:
    """The shipped compound order form definition."""
    return load_form(ORDER_FORM)


def _patient_values(patient: Patient, values: dict[str, str]) -> list[FieldIssue]:
    """Fill the patient fields from the record; refuse a file that names someone else."""
    issues: list[FieldIssue] = []
    record = {
        "patient.name": patient.name, "patient.dob": patient.dob.isoformat(),
        "patient.address": patient.address, "patient.phone": format_phone(patient.phone),
        "patient.allergies": patient.allergy_text,
    }
    for key in FROM_RECORD:
        given = values.get(key)
        if given is not None and given.strip():
            if key in ("patient.name", "patient.dob") and given.strip() != record[key]:
                issues.append(error(key, "patient_mismatch",
                                    f"The order file's {key.split('.')[1]} {given!r} does not match "
                                    f"patient {patient.id}'s record; check you chose the right "
                                    "patient (leave it out to use the record)."))
            elif key not in ("patient.name", "patient.dob"):
                issues.append(error(key, "from_record",
                                    f"{key} comes from patient {patient.id}'s record, not the order "
                                    "file; edit the patient instead."))
        values[key] = record[key]
    if not patient.allergy_text:
        issues.append(error("patient.allergies", "allergies_missing",
                            f"Patient {patient.id} has no allergies recorded and is not marked NKDA; "
                            "record the allergies, or NKDA, on the patient first."))
    return issues


def _tidy(form: FormDefinition, values: dict[str, str]) -> None:
    """Store identifiers and numbers one way: codes upper-case, phones in national format."""
    for key in ("patient.icd10", "prescriber.dea"):
        if key in values:
            values[key] = values[key].strip().upper()
    for f in form.fields(repeating=False):
        if f.type is FieldType.PHONE and values.get(f.key, "").strip():
            e164 = normalise_phone(values[f.key])[0]
            if e164:
                values[f.key] = format_phone(e164)


def _printable_issues(form: FormDefinition, values: Mapping[str, str],
                      lines: Any) -> list[FieldIssue]:
    from k2desk.documents.fonts import check_printable

    issues: list[FieldIssue] = []
    for key, value in values.items():
        if value and form.has_key(key):
            issues += check_printable(value, key, form.field(key).label)
    for n, line in enumerate(lines, 1):
        for name in ("ingredient", "strength", "unit"):
            key = f"ingredients.{n}.{name}"
            issues += check_printable(getattr(line, name), key, form.field(key).label)
    return issues


def _override_issues(form: FormDefinition, overrides: Mapping[str, str],
                     found: list[FieldIssue]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    warned = {i.field for i in found if i.severity is Severity.WARNING}
    for key, reason in overrides.items():
        if not reason or not reason.strip():
            issues.append(error(key, "override_reason", f"The override of {key} needs a reason "
                                f"(--override {key}=REASON)."))
        elif key not in warned:
            what = "is not a field of this form" if not form.has_key(key) else "has no warning"
            issues.append(error(key, "override_unused",
                                f"--override {key}: {key} {what}, so there is nothing to override."))
        else:
            issues += check_text(reason, key, label=f"Override reason for {key}", max_length=1000)
    return issues


def _explain(issues: list[FieldIssue]) -> list[FieldIssue]:
    """Warnings that still block say which key to override."""
    return [replace(i, message=f"{i.message} To go ahead, override {i.field} with a reason "
                    f"(--override {i.field}=REASON).") if i.severity is Severity.WARNING else i
            for i in issues]


def check_order(ctx: AppContext, patient_id: int, order_json: Any,
                overrides: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[Any],
                                                                      list[FieldIssue]]:
    """Every issue with an order file for this patient, before anything is saved.

    Returns the values (patient fields from the record), the ingredient lines and all issues,
    warnings included (``blocking`` tells which still stop the order).
    """
    form = order_form()
    patient = get_patient(ctx, patient_id)
    values, lines, issues = read_order_data(form, order_json)
    # Error-safe notation (0.5, not .5; 5, not 5.0; mcg; units): saved as printed, with a note.
    values, lines, notes = normalise_order(form, values, lines)
    issues += notes
    issues += _patient_values(patient, values)
    issues += [i for i in validate_order(form, values, lines, dose_limits=library_svc.dose_limits(ctx),
                                         today=dt.date.today())
               if not (i.field == "patient.allergies" and i.code == "required")]
    _tidy(form, values)
    # The renderer's font check at entry, on every field that has no other error yet.
    refused = {i.field for i in issues if i.severity is Severity.ERROR}
    issues += [i for i in _printable_issues(form, values, lines) if i.field not in refused]
    issues += _contraindication_issues(ctx, patient_id, lines, overrides or {}, values)
    issues += _override_issues(form, overrides or {}, issues)
    return values, lines, issues


CONTRAINDICATION_KEY = "pharmacy_use.contraindication"


BASE_KEY = "compound.base"


def _contraindicated_fields(lines: list[OrderLine], values: Mapping[str, str] | None
                            ) -> list[tuple[str, str, str, Contraindication]]:
    """(field key, text as written, amount, contraindication) for every ingredient line and the
    base or vehicle ("MK-4 in MCT oil") that names a contraindicated ingredient."""
    table = interactions_svc.table().contraindications
    out = [(f"ingredients.{n}.ingredient", line.ingredient.strip(),
            " ".join(p for p in (line.strength.strip(), line.unit.strip()) if p), c)
           for n, line, c in contraindicated_lines(lines, table)]
    base = (values or {}).get(BASE_KEY, "")
    hit = named_in_any([base], table)
    if base.strip() and hit:
        out.append((BASE_KEY, base.strip(), "", hit[0]))
    return out


def _contraindication_issues(ctx: AppContext, patient_id: int, lines: list[OrderLine],
                             overrides: Mapping[str, str],
                             values: Mapping[str, str] | None = None) -> list[FieldIssue]:
    """A line (or the base) naming an ingredient the product labeling contraindicates with a
    VKA (MK-4), for a patient with any major finding: a warning that only an override naming
    who approved it and how they were reached lifts. The override is a pharmacist's decision
    (create_order checks the role, as for every override)."""
    hits = _contraindicated_fields(lines, values)
    if not hits or not applies_to_patient(interactions_svc.findings_for_patient(ctx, patient_id)):
        return []
    issues: list[FieldIssue] = []
    for key, written, _amount, c in hits:
        issues.append(warning(
            key, "contraindicated",
            f"{written} is contraindicated in the product labeling ({c.label}) for a "
            "patient on a blood thinner like warfarin, at any strength, and this patient's "
            "medication list has a major finding. Do not go ahead unless the prescriber approves "
            f"it: a pharmacist overrides {key} with a reason that says who approved it and how "
            f"they were reached, for example \"{APPROVAL_EXAMPLE}\"."))
        reason = (overrides.get(key) or "").strip()
        if reason and read_approval(reason) is None:
            issues.append(error(key, "approval_incomplete",
                                f"The override of {key} must say who approved it (by name, not "
                                f"a title or \"n/a\") and how they were reached, as \"approved "
                                f"by NAME, reached HOW\" (for example \"{APPROVAL_EXAMPLE}\")."))
    return issues


def _self_approvals(lines: list[OrderLine], values: Mapping[str, str], overrides: Mapping[str, str],
                    pharmacists: tuple[str, ...]) -> list[FieldIssue]:
    """The pharmacy's own operator cannot be the one who approved a contraindicated line: the
    approval is the prescriber's (or the clinic's), the override only records it."""
    own = {" ".join(_name_words(p)) for p in pharmacists if p}
    out = []
    for key, _written, _amount, _c in _contraindicated_fields(lines, values):
        approval = read_approval(overrides.get(key, ""))
        if approval is not None and " ".join(_name_words(approval.approved_by)) in own:
            out.append(error(key, "approval_incomplete",
                             f"The override of {key} names {approval.approved_by}, who is recording "
                             "it: say which prescriber (or clinic) approved it and how they were "
                             f"reached (for example \"{APPROVAL_EXAMPLE}\")."))
    return out


def _name_words(name: str) -> list[str]:
    return [w for w in re.sub(r"[^\w]+", " ", name.lower()).split()
            if w not in ("rph", "pharmd", "pharmacist", "dr", "md")]


def contraindication_statements(ctx: AppContext, patient_id: int, lines: list[OrderLine],
                                overrides: Mapping[str, str],
                                values: Mapping[str, str] | None = None,
                                recorded_by: str | None = None) -> list[str]:
    """What the order prints for each approved contraindicated line (and base)."""
    if not applies_to_patient(interactions_svc.findings_for_patient(ctx, patient_id)):
        return []
    out = []
    for key, written, amount, c in _contraindicated_fields(lines, values):
        approval = read_approval(overrides.get(key, ""))
        if approval is None:  # pragma: no cover - check_order refuses this first
            continue
        what = f"{written} {amount}" if amount else f"{written} (base or vehicle)"
        out.append(f"{what}: {CONTRAINDICATED_PREFIX} ({c.label}) "
                   f"with a vitamin K antagonist — {approval.statement()}; override recorded by "
                   f"{recorded_by or ctx.operator}.")
    return out


def create_order(ctx: AppContext, patient_id: int, order_json: Any,
                 overrides: Mapping[str, str] | None = None, ack_by: str | None = None,
                 ack_reason: str | None = None, notes: list[FieldIssue] | None = None, *,
                 ack_contact: str | None = None, ack_contact_note: str | None = None,
                 ack_pin: str | None = None, ack_for: Sequence[str] | None = None,
                 override_by: str | None = None,
                 override_pin: str | None = None) -> tuple[int, int]:
    """Check, save and render a compound order; return (order id, document id).

    Refused with every problem at once (InputRefused, nothing written) on a field error, a
    warning without an override reason, or an unacknowledged major interaction. Otherwise, in
    one transaction: the order, its lines, overrides and acknowledgement are saved, the order is
    read back and rendered from what was saved, and the PDF is stored with its SHA-256.

    Once operators exist, overrides are a pharmacist's decision: ``override_by`` (default: the
    operator) must be a pharmacist (in the window, with ``override_pin`` when it is not the
    signed-in operator). An acknowledgement made here is for this order only and says how the
    prescriber or clinic was reached (``ack_contact``: domain.roles.CONTACT_METHODS).

    ``notes``, when given, receives what was normalised (".5" saved as "0.5", "IU" as "units").
    """
    overrides = {k: v.strip() for k, v in (overrides or {}).items()}
    form = order_form()
    values, lines, issues = check_order(ctx, patient_id, order_json, overrides)
    review = review_interactions(ctx, patient_id, ack_by, ack_reason, kind="order",
                                 ack_contact=ack_contact, ack_contact_note=ack_contact_note,
                                 ack_pin=ack_pin, ack_for=ack_for)
    if notes is not None:
        notes += [i for i in issues if i.severity is Severity.NOTE]
    problems = _explain(blocking(issues, overrides)) + list(review.issues)
    problems += profile_issues(pharmacy_profile(ctx))
    override_operator = ctx.operator
    if overrides and not problems:
        try:
            override_operator = require_pharmacist(ctx, override_by or ctx.operator,
                                                   action=OVERRIDE_ACTION, pin=override_pin,
                                                   field="override_by")
        except InputRefused as exc:
            problems += exc.issues
        problems += _self_approvals(lines, values, overrides, (override_operator, ctx.operator))
    if problems:
        raise InputRefused(problems)
    from k2desk.documents.order_form import render_order

    profile, paper = pharmacy_profile(ctx), paper_size(ctx)
    prescriber = Prescriber(
        name=values.get("prescriber.name", "").strip(), npi=values.get("prescriber.npi", "").strip(),
        dea=values.get("prescriber.dea", "").strip().upper(),
        licence=values.get("prescriber.licence", "").strip(),
        phone=normalise_phone(values.get("prescriber.phone", ""))[0],
        fax=normalise_phone(values.get("prescriber.fax", ""))[0],
        address=values.get("prescriber.address", "").strip())
    with ctx.store.write() as db:
        ack_ids, notices = record_review(ctx, review)
        values = {k: v.strip() for k, v in values.items()}
        values["pharmacy_use.interaction_review"] = review_statement(notices)
        values["pharmacy_use.status"] = DRAFT
        statements = contraindication_statements(ctx, patient_id, lines, overrides, values,
                                                 recorded_by=override_operator)
        if statements:
            values[CONTRAINDICATION_KEY] = "\n".join(statements)
        prescriber_id = repo.find_or_add_prescriber(db, prescriber, ctx.operator)
        lines = [OrderLine(ln.ingredient.strip(), ln.strength.strip(), ln.unit.strip()) for ln in lines]
        order_id = repo.insert_order(db, patient_id=patient_id, values=values, lines=lines,
                                     status=DRAFT, interactions=notices, acknowledgement_ids=ack_ids,
                                     operator=ctx.operator, prescriber_id=prescriber_id)
        if overrides:
            repo.add_overrides(db, entity="order", entity_id=order_id, overrides=overrides,
                               operator=override_operator, login=ctx.login)
        stored = repo.get_order(db, order_id)
        if stored is None:  # pragma: no cover - read back inside the same transaction
            raise OperationFailed(f"order {order_id} vanished while it was being saved")
        doc_id = doc_repo.next_document_id(db)
        record = order_record(stored, document_id=doc_id, profile=profile, paper=paper)
        pdf = render_order(record, form)
        doc_repo.store_document(db, kind=DocumentKind.ORDER.value, patient_id=patient_id,
                                source_table="orders", source_id=order_id, pdf=pdf,
                                title=f"Compound order {order_id}", operator=ctx.operator,
                                pages=count_pages(pdf), document_id=doc_id)
    ctx.changes.publish(Changes(order=True, document=True, acknowledgement=bool(ack_ids),
                                patient_id=patient_id))
    return order_id, doc_id


def order_record(stored: StoredOrder, *, document_id: int, profile: Any, paper: Any) -> OrderRecord:
    """The record the order renderer takes, built only from the stored order."""
    return OrderRecord(
        document_id=document_id, order_id=stored.id, created_on=local_date(stored.created_at),
        pharmacy=profile, values=dict(stored.values), lines=stored.lines,
        interactions=stored.interactions,
        overrides=tuple((o.field, o.reason, o.operator) for o in stored.overrides),
        status=stored.status, paper_size=paper)


def get_order(ctx: AppContext, order_id: int) -> StoredOrder:
    """The stored order with its lines, overrides and notices; NotFound for an unknown id."""
    # a number beyond SQLite's integers (a mistyped or scanned-in-the-wrong-box id) names no order
    o = repo.get_order(ctx.store.db, order_id) if -2**63 <= order_id < 2**63 else None
    if o is None:
        raise NotFound(f"There is no order with id {order_id}.")
    return o


def list_orders(ctx: AppContext, *, patient_id: int | None = None) -> list[StoredOrder]:
    """Orders newest first, optionally for one patient."""
    return repo.list_orders(ctx.store.db, patient_id=patient_id)


def status_history(ctx: AppContext, order_id: int) -> tuple[StatusChange, ...]:
    """Every status the order entered, oldest first, with when, who and the note."""
    return repo.status_history(ctx.store.db, order_id)


def order_documents(ctx: AppContext, order_id: int) -> list[StoredDocument]:
    """The stored PDFs rendered for an order, newest first."""
    return doc_repo.list_documents(ctx.store.db, source=("orders", order_id))


def order_status(ctx: AppContext, order_id: int, new: str, note: str = "", *,
                 by: str | None = None, pin: str | None = None) -> StoredOrder:
    """Move an order to ``new``; the signed original must be recorded (with how it came in,
    as the note) before an order can be compounded or dispensed. Once operators exist, only a
    pharmacist (``by``, default the operator; in the window with their ``pin`` when it is not
    the signed-in operator) may mark an order dispensed."""
    order = get_order(ctx, order_id)
    note = note.strip()
    issues = check_transition(order.status, new)
    actor = ctx.operator
    if new == DISPENSED and not issues:
        try:
            actor = require_pharmacist(ctx, by or ctx.operator, action=DISPENSE_ACTION, pin=pin,
                                       field="operator")
        except InputRefused as exc:
            issues += exc.issues
    issues += check_text(note, "note", label="Note", max_length=1000)
    if new == SIGNED and not note:
        issues.append(error("note", "required",
                            "Say how the signed original came in (for example: fax from the "
                            "prescriber's office, by mail, by hand) with --note."))
    if new == CANCELLED and not note and not issues:
        issues.append(error("note", "required",
                            "Say why the order is cancelled (for example: the prescriber changed "
                            "the therapy, the patient declined)."))
    if issues:
        raise InputRefused(issues)
    changes = {"pharmacy_use.status_note": note}
    if new == SIGNED:
        changes["pharmacy_use.signed_original_received"] = note
        changes["pharmacy_use.signed_original_received_on"] = dt.date.today().isoformat()
    try:
        with ctx.store.write() as db:
            repo.set_status(db, order_id, old=order.status, new=new, operator=actor,
                            field_changes=changes, login=ctx.login, note=note)
    except repo.OrderChanged as exc:
        raise OperationFailed(f"Order {order_id} was changed by someone else meanwhile; "
                              "look at it again and retry.") from exc
    ctx.changes.publish(Changes(order=True))
    return get_order(ctx, order_id)
