"""Issue 13: every fixed patient paragraph of the handout reads at Flesch-Kincaid grade 8 or
below, the VKA box prints all of it, and the order's box has the same content for the prescriber."""

from __future__ import annotations

import dataclasses
import io

import doc_samples as samples
import pytest
from pypdf import PdfReader

from k2desk.documents import vka_box
from k2desk.documents.handout import render_handout
from k2desk.domain.evidence import STUDY_LABELS, reading_grade
from k2desk.library.interactions import load_interaction_table
from k2desk.library.languages import load_template

HEADING_WORDS = 8  # the issue: headings under 8 words are not graded


EN = load_template("en")


def fixed_patient_paragraphs() -> dict[str, str]:
    """Every fixed paragraph a patient reads, by where it comes from (the English template,
    resources/templates/handout.en.toml, since issue 25)."""
    table = load_interaction_table()
    out: dict[str, str] = {}
    out["box title"] = EN.text("vka.title")
    for lead, text in EN.pairs("vka.paragraphs"):
        out[f"box: {lead}"] = f"{lead} {text}"
    for c in table.contraindications:
        out[f"box: contraindication {c.ingredient}"] = (
            f"{EN.text('vka.contraindication_lead')} {c.patient_message}")
    for n, text in enumerate(EN.items("disclaimer.paragraphs"), 1):
        out[f"disclaimer {n}"] = text
    out["legend intro"] = EN.text("grading.intro")
    for kind in STUDY_LABELS:
        out[f"legend: {kind.value}"] = EN.text(f"evidence_labels.{kind.value}")
    return out


def test_the_list_covers_every_paragraph_of_the_english_template() -> None:
    # A new fixed paragraph added to the template's box, legend or notice must join the list.
    listed = " ".join(fixed_patient_paragraphs().values())
    for key, text in EN.texts.items():
        if key.startswith(("vka.paragraphs", "disclaimer.paragraphs", "grading.intro", "evidence_labels.")):
            assert text in listed, key
    # The patient box has no English of its own in code any more: it is all template.
    assert not [n for n in dir(vka_box) if n.startswith("PATIENT_") and n.isupper()]
    # The Library's English labels and the template's agree.
    assert {k.value: v for k, v in STUDY_LABELS.items()} == {
        k.value: EN.text(f"evidence_labels.{k.value}") for k in STUDY_LABELS}


GRADED = sorted((w, t) for w, t in fixed_patient_paragraphs().items()
                if len(t.split()) >= HEADING_WORDS)


def test_only_short_headings_and_labels_are_left_ungraded() -> None:
    short = {w: t for w, t in fixed_patient_paragraphs().items() if len(t.split()) < HEADING_WORDS}
    assert set(short) <= {"box title"} | {f"legend: {k.value}" for k in STUDY_LABELS}, short
    assert len(GRADED) >= 12


@pytest.mark.parametrize("where,text", GRADED)
def test_every_fixed_patient_paragraph_reads_at_grade_8_or_below(where: str, text: str) -> None:
    assert reading_grade(text) <= 8.0, f"{where}: grade {reading_grade(text)}: {text}"


def test_the_grade_check_would_catch_a_hard_paragraph() -> None:
    hard = ("Do not start or stop vitamin K2 without talking to your anticoagulation clinic; "
            "get your INR checked in about 1-2 weeks.")  # the old "What to do" line
    assert reading_grade(hard) > 8.0


def test_one_clinic_name_in_everything_the_patient_reads() -> None:
    texts = " ".join(fixed_patient_paragraphs().values())
    assert "anticoagulation clinic" not in texts
    table = load_interaction_table()
    majors = [a for a in table.agents if a.severity.value == "major"]
    for agent in majors:
        assert "anticoagulation clinic" not in agent.patient_message, agent.generic


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())


def test_the_vka_box_prints_every_paragraph_with_the_contraindication() -> None:
    rec = dataclasses.replace(samples.handout(), contraindications=(
        load_interaction_table().contraindications[0].patient_message,))
    text = _text(render_handout(rec))
    for where, paragraph in fixed_patient_paragraphs().items():
        assert " ".join(paragraph.split()) in text, where
    # The box comes before the first question: the patient reads it first.
    assert text.index(EN.text("vka.title")) < text.index("What is vitamin K2?")
