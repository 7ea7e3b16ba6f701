"""Issue 13: every fixed patient paragraph of the handout reads at Flesch-Kincaid grade 8 or
below, the VKA box prints all of it, and the order's box has the same content for the prescriber."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from types import ModuleType

import doc_samples as samples
import pytest
from pypdf import PdfReader

from k2desk.documents import handout as handout_mod
from k2desk.documents import vka_box
from k2desk.documents.handout import render_handout
from k2desk.domain.evidence import STUDY_LABELS, reading_grade
from k2desk.library.interactions import load_interaction_table

HEADING_WORDS = 8  # the issue: headings under 8 words are not graded


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _strings(v)


def _module_texts(module: ModuleType, names: tuple[str, ...]) -> list[str]:
    return [t for name in names for t in _strings(getattr(module, name))]


def fixed_patient_paragraphs() -> dict[str, str]:
    """Every fixed paragraph a patient reads, by where it comes from."""
    table = load_interaction_table()
    out: dict[str, str] = {}
    out["box title"] = vka_box.PATIENT_TITLE
    for lead, text in vka_box.PATIENT_PARAGRAPHS:
        out[f"box: {lead}"] = f"{lead} {text}"
    for c in table.contraindications:
        out[f"box: contraindication {c.ingredient}"] = (
            f"{vka_box.PATIENT_CONTRAINDICATION_LEAD} {c.patient_message}")
    for n, text in enumerate(handout_mod.DISCLAIMER_PARAGRAPHS, 1):
        out[f"disclaimer {n}"] = text
    out["legend intro"] = handout_mod.GRADING_INTRO
    for kind, label in STUDY_LABELS.items():
        out[f"legend: {kind.value}"] = label
    return out


def test_the_list_covers_every_fixed_text_constant_of_the_patient_renderers() -> None:
    # A new fixed paragraph added to the handout or the box must join the graded list.
    listed = " ".join(fixed_patient_paragraphs().values())
    constants = _module_texts(handout_mod, ("DISCLAIMER_PARAGRAPHS", "GRADING_INTRO")) + \
        [t for lead, text in vka_box.PATIENT_PARAGRAPHS for t in (lead, text)] + \
        [vka_box.PATIENT_TITLE, vka_box.PATIENT_CONTRAINDICATION_LEAD]
    for text in constants:
        assert text in listed, text
    patient_constants = [n for n in dir(vka_box) if n.startswith("PATIENT_") and n.isupper()]
    assert sorted(patient_constants) == ["PATIENT_CLINIC", "PATIENT_CONTRAINDICATION_LEAD",
                                         "PATIENT_PARAGRAPHS", "PATIENT_TITLE"]


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
    assert text.index(vka_box.PATIENT_TITLE) < text.index("What is vitamin K2?")
