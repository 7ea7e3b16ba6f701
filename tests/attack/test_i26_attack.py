"""Attacks on issue 26 (Spanish handouts): what broke, and a few attacks it withstood."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from doc_helpers import setup_pharmacy
from k2desk.library.interactions import load_interaction_table
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as svc
from k2desk.services import library as library_svc
from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient
from k2desk.services.settings import set_settings

ACK = {"ack_by": "Dana Lee", "ack_reason": "Clínica avisada; INR en 1 semana"}
# The first and the last words of the VKA box, by language (heading; the review line).
BOX = {"en": ("MAJOR INTERACTION", "Interaction reviewed by"),
       "es": ("INTERACCIÓN GRAVE", "Interacción revisada por")}
MK4_LEAD = {"en": "MK-4 is not for you", "es": "La MK-4 no es para usted"}


def _pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _warfarin_patient(ctx: AppContext, language: str, med: str = "warfarin 5 mg daily") -> int:
    return add_patient(ctx, PatientInput(name="Rosario Núñez", dob="1947-11-30", nkda=True,
                                         language=language, medications=[med]),
                       allow_duplicate=True)


@pytest.mark.parametrize("text_size", ["standard", "large"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_vka_box_with_the_mk4_contraindication_starts_on_page_1_in_every_language(
        ctx: AppContext, paper: str, text_size: str) -> None:
    """Found: a Spanish handout for a warfarin patient on a topic that talks about MK-4 had a
    VKA box ~4 lines taller than the English one; it did not fit under the title, so page 1
    carried only the letterhead and title and the box began on page 2."""
    setup_pharmacy(ctx)
    set_settings(ctx, {"print.paper_size": paper, "print.handout_text": text_size})
    for language in ("en", "es"):
        pid = _warfarin_patient(ctx, language)
        for topic in library_svc.load(ctx).topics:
            doc = svc.create_handout(ctx, pid, topics=[topic], **ACK)
            pages = _pages(doc_svc.get_pdf(ctx, doc))
            first, last = BOX[language]
            where = f"{language} {paper} {text_size} {topic}"
            assert first in pages[0] and last in pages[0], f"{where}: page 1 is {pages[0][:300]}"
            if topic in ("what-is-k2", "dosing"):  # the snippets that talk about MK-4
                assert MK4_LEAD[language] in pages[0], where


@pytest.mark.parametrize(("typed", "name"), [
    ("warfarina 5 mg diario", "warfarina"), ("Coumadin", "warfarina"),
    ("acenocumarol 4 mg", "acenocumarol"), ("Sintrom 4 mg", "acenocumarol"),
    ("fenprocumón 3 mg", "fenprocumón"), ("anticoagulante", "anticoagulante sin nombre")])
def test_a_blood_thinner_typed_in_spanish_gets_the_spanish_warning_in_its_spanish_name(
        ctx: AppContext, typed: str, name: str) -> None:
    """Found: a Sintrom or acenocumarol patient's Spanish box said "vitamina K2 y acenocoumarol"
    (the English spelling, not the name on the patient's box; warfarin alone had a Spanish
    name). Withstood: every Spanish way of typing the medicine is found and warned about."""
    setup_pharmacy(ctx)
    pid = _warfarin_patient(ctx, "es", typed)
    with pytest.raises(Exception, match="Major interaction"):
        svc.create_handout(ctx, pid, topics=["bone"])  # nothing printed without a review
    doc = svc.create_handout(ctx, pid, topics=["bone"], **ACK)
    page1 = _pages(doc_svc.get_pdf(ctx, doc))[0]
    assert f"INTERACCIÓN GRAVE: vitamina K2 y {name}" in page1, page1[:400]
    assert f"“{typed}”" in page1 and "Llame al 911" in page1


@pytest.mark.parametrize(("typed", "agent"), [
    ("aceite mineral", "mineral oil"), ("vaselina líquida", "mineral oil"),
    ("vitamina E 1000 UI", "vitamin E"), ("vitamina A 10000 UI", "vitamin A")])
def test_a_supplement_typed_in_spanish_is_found(typed: str, agent: str) -> None:
    """Found: the table gives mineral oil, vitamin E and vitamin A a Spanish name for the box
    ("aceite mineral") but did not match that name when the medicine list was typed in Spanish:
    "No interactions found" for a Spanish reader's own words."""
    from k2desk.domain.interactions import check_medications

    findings = check_medications([typed], load_interaction_table())
    assert [f.agent for f in findings] == [agent], findings


def test_a_spanish_patient_with_spanish_typed_supplements_gets_spanish_boxes_only(
        ctx: AppContext) -> None:
    """Withstood (after the fix above): no VKA, three findings typed in Spanish, every topic:
    each box is in Spanish (no "Your medicine list", "Interaction", "Talk to"), the page carries
    no English fixed word of the template, and the stored copy saves byte for byte."""
    setup_pharmacy(ctx)
    pid = add_patient(ctx, PatientInput(
        name="José Peña", dob="1960-12-31", nkda=True, language="es",
        medications=["orlistat 120 mg", "aceite mineral", "vitamina E 1000 UI"]))
    doc = svc.create_handout(ctx, pid, topics=list(library_svc.load(ctx).topics), **ACK)
    pdf = doc_svc.get_pdf(ctx, doc)
    text = " ".join(_pages(pdf))
    for es in ("vitamina K2 y orlistat", "vitamina K2 y aceite mineral", "vitamina K2 y vitamina E",
               "Su lista de medicamentos incluye “aceite mineral”"):
        assert es in text, es
    for en in ("Your medicine list", "Interaction reviewed", "Talk to", "Page 1 of", "Date of birth",
               "Prepared for", "Counseled by", "How we grade", "Foods with", "MAJOR INTERACTION"):
        assert en not in text, en
    assert "Página 1 de" in text and "Fecha de nacimiento: 31 de diciembre de 1960" in text
    assert doc_svc.get_pdf(ctx, doc) == pdf
