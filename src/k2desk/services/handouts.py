"""Patient handout use cases: build from vetted snippets, save the record, render from the saved
record, store the PDF; and an unsaved preview through the same renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from k2desk.domain.contraindications import Contraindication, named_in_any
from k2desk.domain.documents import (
    DocumentKind,
    FoodRow,
    HandoutItem,
    HandoutRecord,
    HandoutSection,
    InteractionNotice,
    PaperSize,
    PharmacyProfile,
)
from k2desk.domain.evidence import Section, Snippet
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.models import Patient
from k2desk.domain.record_json import handout_from_json, handout_to_json
from k2desk.domain.records import StoredHandout
from k2desk.library.evidence_library import Library
from k2desk.services import interactions as interactions_svc
from k2desk.services import library as library_svc
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.patients import get_patient
from k2desk.services.rendering import (
    count_pages,
    large_print,
    local_date,
    paper_size,
    pharmacy_profile,
    profile_issues,
)
from k2desk.services.review import Review, preview_notices, record_review, review_interactions
from k2desk.storage import documents as doc_repo
from k2desk.storage import handouts as repo
from k2desk.storage.clock import now_iso

HANDOUT_TITLE = "Vitamin K2: questions and answers"
PREVIEW_DOCUMENT_ID = 0  # a preview is not a stored document


def _select(ctx: AppContext, library: Library, topics: Sequence[str],
            snippet_ids: Sequence[str]) -> list[Snippet]:
    """Usable snippets for the topics, then the named ones; refuse unknown topics or an empty set."""
    issues: list[FieldIssue] = []
    for t in topics:
        if t not in library.topics:
            issues.append(error("topic", "unknown_topic",
                                f"{t!r} is not a topic; topics: {', '.join(library.topics)}."))
    if issues:
        raise InputRefused(issues)
    chosen: dict[str, Snippet] = {}
    if topics:
        usable = library_svc.usable_snippets(ctx, topics=list(topics))
        for t in topics:
            if not any(t in s.topics for s in usable):
                issues.append(error("topic", "no_vetted_snippets",
                                    f"Topic {t!r} has no vetted, in-date snippets to print."))
        chosen.update((s.id, s) for s in usable)
    if snippet_ids:
        chosen.update((s.id, s) for s in library_svc.usable_snippets(ctx, ids=list(snippet_ids)))
    if not topics and not snippet_ids:
        issues.append(error("topic", "required", "Choose at least one topic or snippet."))
    if issues:
        raise InputRefused(issues)
    return list(chosen.values())


def build_record(*, document_id: int, created_on: dt.date, patient: Patient, snippets: Sequence[Snippet],
                 library: Library, foods: Sequence[FoodRow], notices: Sequence[InteractionNotice],
                 counselled_by: str, pharmacy: PharmacyProfile, paper: PaperSize,
                 language: str = "en", large_print: bool = False,
                 contraindications: Sequence[Contraindication] = ()) -> HandoutRecord:
    """Sections in question order, each snippet with its plain evidence label and citation
    numbers (numbered in order of first use). For a patient with a major finding, the labelled
    contraindications of any ingredient the snippets name (MK-4) go into the VKA box."""
    citation_numbers: dict[str, int] = {}
    citations: list[str] = []
    sections: list[HandoutSection] = []
    for section in Section:
        items = []
        for s in (x for x in snippets if x.section is section):
            numbers = []
            for c in library.citations_for(s):
                if c.id not in citation_numbers:
                    citations.append(c.formatted())
                    citation_numbers[c.id] = len(citations)
                numbers.append(citation_numbers[c.id])
            items.append(HandoutItem(snippet_id=s.id, version=s.version, text=s.text_for(language),
                                     evidence_label=s.evidence_label,
                                     citation_numbers=tuple(numbers)))
        if items:
            sections.append(HandoutSection(question=section.question, items=tuple(items)))
    return HandoutRecord(
        document_id=document_id, created_on=created_on, pharmacy=pharmacy, patient_name=patient.name,
        patient_dob=patient.dob, title=HANDOUT_TITLE, sections=tuple(sections),
        citations=tuple(citations), foods=tuple(foods), interactions=tuple(notices),
        counselled_by=counselled_by, language=language, paper_size=paper, large_print=large_print,
        contraindications=_contraindication_texts(snippets, notices, contraindications, language))


def _contraindication_texts(snippets: Sequence[Snippet], notices: Sequence[InteractionNotice],
                            contraindications: Sequence[Contraindication],
                            language: str) -> tuple[str, ...]:
    if not any(n.severity == "major" for n in notices):
        return ()
    texts = [t for s in snippets for t in (s.text_for(language), s.pharmacist_note)]
    return tuple(c.patient_message for c in named_in_any(texts, contraindications))


def _check_printable(patient: Patient, profile: PharmacyProfile, operator: str) -> list[FieldIssue]:
    from k2desk.documents.fonts import check_printable

    return check_printable(patient.name, "patient.name", "Patient name") + \
        check_printable(operator, "operator", "Counseled by") + profile_issues(profile)


def _prepare(ctx: AppContext, patient_id: int, topics: Sequence[str], snippet_ids: Sequence[str],
             ack_by: str | None, ack_reason: str | None,
             ack_pin: str | None = None,
             ack_for: Sequence[str] | None = None) -> tuple[Patient, Library, list[Snippet], Review]:
    patient = get_patient(ctx, patient_id)
    library = library_svc.load(ctx)
    snippets = _select(ctx, library, topics, snippet_ids)
    review = review_interactions(ctx, patient_id, ack_by, ack_reason, kind="handout", ack_pin=ack_pin,
                                 ack_for=ack_for)
    problems = _check_printable(patient, pharmacy_profile(ctx), ctx.operator) + list(review.issues)
    if problems:
        raise InputRefused(problems)
    return patient, library, snippets, review


def create_handout(ctx: AppContext, patient_id: int, topics: Sequence[str] = (),
                   snippet_ids: Sequence[str] = (), ack_by: str | None = None,
                   ack_reason: str | None = None, *, ack_pin: str | None = None,
                   ack_for: Sequence[str] | None = None) -> int:
    """Build, save and render a handout; return the new document id.

    Refused (nothing written) for an unknown patient or topic, a snippet that is not vetted and
    in date, an unprintable name, or an unacknowledged major interaction. Otherwise one
    transaction: the acknowledgement, the handout record, the render from the stored record,
    and the PDF with its SHA-256.
    """
    from k2desk.documents.handout import render_handout

    patient, library, snippets, review = _prepare(ctx, patient_id, topics, snippet_ids, ack_by,
                                                  ack_reason, ack_pin, ack_for)
    profile, paper = pharmacy_profile(ctx), paper_size(ctx)
    foods = [f.to_row() for f in library.foods]
    with ctx.store.write() as db:
        ack_ids, notices = record_review(ctx, review)
        doc_id = doc_repo.next_document_id(db)
        record = build_record(document_id=doc_id, created_on=local_date(now_iso()), patient=patient,
                              snippets=snippets, library=library, foods=foods, notices=notices,
                              counselled_by=ctx.operator, pharmacy=profile, paper=paper,
                              large_print=large_print(ctx),
                              contraindications=interactions_svc.table().contraindications)
        hid = repo.insert_handout(db, patient_id=patient_id,
                                  snippets=[(s.id, s.version) for s in snippets],
                                  language=record.language, acknowledgement_ids=ack_ids,
                                  record=handout_to_json(record), operator=ctx.operator)
        stored = repo.get_handout(db, hid)
        if stored is None:  # pragma: no cover - read back inside the same transaction
            raise OperationFailed(f"handout {hid} vanished while it was being saved")
        pdf = render_handout(handout_from_json(stored.record))
        doc_repo.store_document(db, kind=DocumentKind.HANDOUT.value, patient_id=patient_id,
                                source_table="handouts", source_id=hid, pdf=pdf,
                                title="Vitamin K2 handout", operator=ctx.operator,
                                pages=count_pages(pdf), document_id=doc_id)
    ctx.changes.publish(Changes(document=True, acknowledgement=bool(ack_ids), patient_id=patient_id))
    return doc_id


def preview_handout(ctx: AppContext, patient_id: int, topics: Sequence[str] = (),
                    snippet_ids: Sequence[str] = (), ack_by: str | None = None,
                    ack_reason: str | None = None, *, require_ack: bool = False,
                    ack_pin: str | None = None, ack_for: Sequence[str] | None = None) -> bytes:
    """Render a handout without saving anything (the window's live preview), same renderer.

    An unacknowledged major interaction is shown in the preview rather than refused, unless
    ``require_ack``; everything else is refused as in ``create_handout``.
    """
    from k2desk.documents.handout import render_handout

    patient = get_patient(ctx, patient_id)
    library = library_svc.load(ctx)
    snippets = _select(ctx, library, topics, snippet_ids)
    review = review_interactions(ctx, patient_id, ack_by, ack_reason, kind="handout", ack_pin=ack_pin,
                                 ack_for=ack_for)
    problems = _check_printable(patient, pharmacy_profile(ctx), ctx.operator)
    problems += [i for i in review.issues
                 if require_ack or i.code != "interaction_unacknowledged"]
    if problems:
        raise InputRefused(problems)
    record = build_record(
        document_id=PREVIEW_DOCUMENT_ID, created_on=dt.date.today(), patient=patient, snippets=snippets,
        library=library, foods=[f.to_row() for f in library.foods],
        notices=preview_notices(ctx, review), counselled_by=ctx.operator,
        pharmacy=pharmacy_profile(ctx), paper=paper_size(ctx), large_print=large_print(ctx),
        contraindications=interactions_svc.table().contraindications)
    return render_handout(record)


def get_handout(ctx: AppContext, handout_id: int) -> StoredHandout:
    """The stored handout with the record that was printed; NotFound for an unknown id."""
    h = repo.get_handout(ctx.store.db, handout_id)
    if h is None:
        raise NotFound(f"There is no handout with id {handout_id}.")
    return h
