"""Patient handout use cases: build from vetted snippets, save the record, render from the saved
record, store the PDF; and an unsaved preview through the same renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

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
from k2desk.domain.interactions import Finding
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.languages import ENGLISH, HandoutTemplate
from k2desk.domain.models import Patient
from k2desk.domain.record_json import handout_from_json, handout_to_json
from k2desk.domain.records import StoredHandout
from k2desk.library.evidence_library import Library
from k2desk.library.languages import (
    LanguageDataError,
    LanguageInfo,
    available_languages,
    load_template,
    load_translations,
)
from k2desk.services import interactions as interactions_svc
from k2desk.services import library as library_svc
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed
from k2desk.services.library import LeftOut
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

PREVIEW_DOCUMENT_ID = 0  # a preview is not a stored document


def languages() -> list[LanguageInfo]:
    """Every language a handout can be made in (a template file each), English first."""
    return available_languages()


def template_problems(code: str) -> list[str]:
    """What is wrong with a language's handout template (empty when it loads)."""
    try:
        load_template(code)
    except LanguageDataError as exc:
        return exc.problems
    return []


@dataclass(frozen=True)
class LanguagePlan:
    """What a handout in one language prints: its template, each snippet's text in that language,
    the snippets left out (and why), and the food rows (none when any row has no translation)."""

    language: str
    name: str
    template: HandoutTemplate
    texts: dict[str, str]
    left_out: tuple[LeftOut, ...] = ()
    foods: tuple[FoodRow, ...] = ()
    foods_left_out: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # agent -> patient message
    contraindications: dict[str, str] = field(default_factory=dict)  # ingredient -> message
    names: dict[str, str] = field(default_factory=dict)  # agent -> its name in the language


def _template(language: str) -> HandoutTemplate:
    try:
        return load_template(language)
    except LanguageDataError as exc:
        raise InputRefused([error("language", "template_problem", p) for p in exc.problems]) from exc


def plan_language(ctx: AppContext, library: Library, snippets: Sequence[Snippet], language: str,
                  findings: Sequence[Finding] = ()) -> LanguagePlan:
    """Check that a handout can be made in ``language`` and say what it prints.

    Refused (nothing printed in English instead): a language without a sound template; no
    chosen snippet with a printable translation; a finding (above all a blood thinner) whose
    patient message the interaction table lacks in that language; a labelled contraindication
    without one. Snippets without a printable translation are left out, each with its reason.
    """
    language = (language or ENGLISH).strip().lower()
    template = _template(language)
    name = template.name
    texts, left_out = library_svc.printable_translations(ctx, list(snippets), language)
    issues: list[FieldIssue] = []
    if snippets and not texts:
        issues.append(error("language", "no_translations",
                            f"None of the chosen snippets can print in {name}: "
                            + "; ".join(f"{x.snippet_id}: {x.reason}" for x in left_out) + "."))
    table = interactions_svc.table()
    agents = {a.generic: a for a in table.agents}
    messages: dict[str, str] = {}
    names: dict[str, str] = {}
    for f in findings:
        agent = agents.get(f.agent)
        text = agent.patient_message_in(language) if agent is not None else None
        if agent is not None and f.patient_message != agent.patient_message:
            text = None  # a message this agent's translations were not made from
        if text is None:
            issues.append(error("language", "interaction_message_missing",
                                f"A handout in {name} cannot be made for this patient: the "
                                f"interaction table (version {table.version}) has no {name} message "
                                f"for {f.agent}. Make the handout in English, or add the message to "
                                "the table and sign off the new version."))
        else:
            messages[f.agent] = text
            if agent is not None:
                names[f.agent] = agent.name_in(language)
    contraindications: dict[str, str] = {}
    if any(f.is_major for f in findings):
        texts_for_check = [t for s in snippets if s.id in texts
                           for t in (s.text["en"], s.pharmacist_note)]
        for c in named_in_any(texts_for_check, table.contraindications):
            text = c.patient_message_in(language)
            if text is None:
                issues.append(error("language", "interaction_message_missing",
                                    f"A handout in {name} cannot be made for this patient: the "
                                    f"interaction table (version {table.version}) has no {name} "
                                    f"message for the {c.ingredient} contraindication."))
            else:
                contraindications[c.ingredient] = text
    if issues:
        raise InputRefused(issues)
    foods, foods_note = _foods(library, language, template)
    return LanguagePlan(language, name, template, texts, tuple(left_out), tuple(foods), foods_note,
                        messages, contraindications, names)


def _foods(library: Library, language: str, template: HandoutTemplate) -> tuple[list[FoodRow], str]:
    rows = [f.to_row() for f in library.foods]
    if language == ENGLISH:
        return rows, ""
    translated = load_translations().foods.get(language, {})
    missing = [f.food for f in library.foods if f.food not in translated]
    if missing:
        return [], (f"the food table is left out: no {template.name} name for "
                    + ", ".join(repr(m) for m in missing))
    out = []
    for f, row in zip(library.foods, rows, strict=True):
        t = translated[f.food]
        amount = row.amount.removeprefix("about ").removesuffix(" mcg")
        out.append(FoodRow(food=t.food, serving=t.serving, form=row.form,
                           amount=template.text("foods.amount", amount=amount)))
    return out, ""


def _localised(notices: Sequence[InteractionNotice], plan: LanguagePlan) -> tuple[InteractionNotice, ...]:
    if plan.language == ENGLISH:
        return tuple(notices)
    # The agent as the patient reads it in the language ("warfarina"): printed words only; the
    # finding itself (and any acknowledgement of it) is the table's agent.
    return tuple(replace(n, patient_message=plan.messages.get(n.agent, n.patient_message),
                         agent=plan.names.get(n.agent, n.agent))
                 for n in notices)


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
                 contraindications: Sequence[Contraindication] = (),
                 plan: LanguagePlan | None = None) -> HandoutRecord:
    """Sections in question order, each snippet with its plain evidence label and citation
    numbers (numbered in order of first use). For a patient with a major finding, the labelled
    contraindications of any ingredient the snippets name (MK-4) go into the VKA box.

    ``plan`` (from ``plan_language``) gives the language: its template's words, the translated
    texts (a snippet without one is not printed) and messages. Without it: English."""
    if plan is None:
        template = _template(ENGLISH)
        plan = LanguagePlan(ENGLISH, template.name, template, {s.id: s.text["en"] for s in snippets},
                            foods=tuple(foods))
    language = plan.language
    t = plan.template
    snippets = [s for s in snippets if s.id in plan.texts]
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
            items.append(HandoutItem(snippet_id=s.id, version=s.version, text=plan.texts[s.id],
                                     evidence_label=t.text(f"evidence_labels.{s.study_type.value}"),
                                     citation_numbers=tuple(numbers)))
        if items:
            sections.append(HandoutSection(question=t.text(f"questions.{section.value}"),
                                           items=tuple(items)))
    return HandoutRecord(
        document_id=document_id, created_on=created_on, pharmacy=pharmacy, patient_name=patient.name,
        patient_dob=patient.dob, title=t.text("handout.title"), sections=tuple(sections),
        citations=tuple(citations), foods=plan.foods, interactions=_localised(notices, plan),
        counselled_by=counselled_by, language=language, paper_size=paper, large_print=large_print,
        contraindications=_contraindication_texts(snippets, notices, contraindications, plan),
        template=dict(t.texts))


def _contraindication_texts(snippets: Sequence[Snippet], notices: Sequence[InteractionNotice],
                            contraindications: Sequence[Contraindication],
                            plan: LanguagePlan) -> tuple[str, ...]:
    if not any(n.severity == "major" for n in notices):
        return ()
    # Which ingredients the handout talks about is read from the English text and note (the
    # translation says the same); the message printed is in the handout's language.
    texts = [t for s in snippets for t in (s.text["en"], s.pharmacist_note)]
    found = named_in_any(texts, contraindications)
    if plan.language == ENGLISH:
        return tuple(c.patient_message for c in found)
    return tuple(plan.contraindications[c.ingredient] for c in found
                 if c.ingredient in plan.contraindications)


def _check_printable(patient: Patient, profile: PharmacyProfile, operator: str) -> list[FieldIssue]:
    from k2desk.documents.fonts import check_printable

    return check_printable(patient.name, "patient.name", "Patient name") + \
        check_printable(operator, "operator", "Counseled by") + profile_issues(profile)


def _prepare(ctx: AppContext, patient_id: int, topics: Sequence[str], snippet_ids: Sequence[str],
             ack_by: str | None, ack_reason: str | None,
             ack_pin: str | None = None,
             ack_for: Sequence[str] | None = None,
             language: str | None = None) -> tuple[Patient, Library, list[Snippet], Review, LanguagePlan]:
    patient = get_patient(ctx, patient_id)
    library = library_svc.load(ctx)
    snippets = _select(ctx, library, topics, snippet_ids)
    review = review_interactions(ctx, patient_id, ack_by, ack_reason, kind="handout", ack_pin=ack_pin,
                                 ack_for=ack_for)
    problems = _check_printable(patient, pharmacy_profile(ctx), ctx.operator) + list(review.issues)
    if problems:
        raise InputRefused(problems)
    plan = plan_language(ctx, library, snippets, language or patient.language, review.findings)
    return patient, library, snippets, review, plan


def handout_plan(ctx: AppContext, patient_id: int, topics: Sequence[str] = (),
                 snippet_ids: Sequence[str] = (), language: str | None = None) -> LanguagePlan:
    """What a handout in ``language`` (default: the patient's) would print and leave out, for
    the builder and the CLI to say before anything is made; refused as ``create_handout`` is."""
    patient = get_patient(ctx, patient_id)
    library = library_svc.load(ctx)
    snippets = _select(ctx, library, topics, snippet_ids)
    findings = interactions_svc.findings_for_patient(ctx, patient_id)
    return plan_language(ctx, library, snippets, language or patient.language, findings)


def create_handout(ctx: AppContext, patient_id: int, topics: Sequence[str] = (),
                   snippet_ids: Sequence[str] = (), ack_by: str | None = None,
                   ack_reason: str | None = None, *, ack_pin: str | None = None,
                   ack_for: Sequence[str] | None = None, language: str | None = None) -> int:
    """Build, save and render a handout; return the new document id.

    ``language`` defaults to the patient's preferred language; the handout prints only snippets
    with a printable translation (``handout_plan`` says which are left out) and is refused when
    the language cannot carry the patient's interaction messages.

    Refused (nothing written) for an unknown patient or topic, a snippet that is not vetted and
    in date, an unprintable name, or an unacknowledged major interaction. Otherwise one
    transaction: the acknowledgement, the handout record, the render from the stored record,
    and the PDF with its SHA-256.
    """
    from k2desk.documents.handout import render_handout

    patient, library, snippets, review, plan = _prepare(ctx, patient_id, topics, snippet_ids, ack_by,
                                                        ack_reason, ack_pin, ack_for, language)
    profile, paper = pharmacy_profile(ctx), paper_size(ctx)
    foods = list(plan.foods)
    with ctx.store.write() as db:
        ack_ids, notices = record_review(ctx, review)
        doc_id = doc_repo.next_document_id(db)
        record = build_record(document_id=doc_id, created_on=local_date(now_iso()), patient=patient,
                              snippets=snippets, library=library, foods=foods, notices=notices,
                              counselled_by=ctx.operator, pharmacy=profile, paper=paper,
                              large_print=large_print(ctx),
                              contraindications=interactions_svc.table().contraindications,
                              plan=plan)
        hid = repo.insert_handout(db, patient_id=patient_id,
                                  snippets=[(s.id, s.version) for s in snippets if s.id in plan.texts],
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
                    ack_pin: str | None = None, ack_for: Sequence[str] | None = None,
                    language: str | None = None) -> bytes:
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
    plan = plan_language(ctx, library, snippets, language or patient.language, review.findings)
    record = build_record(
        document_id=PREVIEW_DOCUMENT_ID, created_on=dt.date.today(), patient=patient, snippets=snippets,
        library=library, foods=list(plan.foods),
        notices=preview_notices(ctx, review), counselled_by=ctx.operator,
        pharmacy=pharmacy_profile(ctx), paper=paper_size(ctx), large_print=large_print(ctx),
        contraindications=interactions_svc.table().contraindications, plan=plan)
    return render_handout(record)


def get_handout(ctx: AppContext, handout_id: int) -> StoredHandout:
    """The stored handout with the record that was printed; NotFound for an unknown id. A
    handout stored before issue 25 has no template in its record: it printed the English one."""
    h = repo.get_handout(ctx.store.db, handout_id)
    if h is None:
        raise NotFound(f"There is no handout with id {handout_id}.")
    if "template" not in h.record:
        h = replace(h, record={**h.record, "template": dict(_template(ENGLISH).texts)})
    return h
