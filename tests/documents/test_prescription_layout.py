"""A faxed order is a prescription (issue 14): the signed page carries the order, every page of a
handout or an order names its patient, and boxes never split. Each page's text is read back
from the PDF with pypdf."""

from __future__ import annotations

import dataclasses
import io
import re

import doc_samples as samples
import pytest
from faxcheck import fax_ready_problems
from pypdf import PdfReader

from k2desk.documents.fax_cover import render_fax_cover
from k2desk.documents.handout import render_handout
from k2desk.documents.order_form import render_order
from k2desk.domain.documents import InteractionNotice, OrderLine, OrderRecord, PaperSize
from k2desk.domain.forms import FormDefinition
from k2desk.library.forms import load_form

SIG = ("Take 1 capsule by mouth once daily with a meal containing fat.\n"
       "Swallow whole; do not open or crush.\nStore at room temperature, away from light.")


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_form("compound_order")


def pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces (cells wrap)."""
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def order_with(n: int, paper: PaperSize = PaperSize.LETTER,
               interactions: tuple[InteractionNotice, ...] = ()) -> OrderRecord:
    # No blood-thinner box here: with one, the whole prescription moves to the signed page after
    # the box (tests/attack/test_i13_attack.py).
    rec = samples.order(paper=paper, interactions=interactions)
    lines = tuple(OrderLine(f"Ingredient {chr(64 + i)}-{i:02d}", f"{i * 5}", "mg") for i in range(1, n + 1))
    values = {**rec.values, "compound.sig": SIG, "compound.quantity": "30", "compound.refills": "3"}
    return dataclasses.replace(rec, lines=lines, values=values)


def signature_page(texts: list[str]) -> int:
    found = [i for i, t in enumerate(texts) if "Prescriber's signature" in t]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("paper", [PaperSize.LETTER, PaperSize.A4])
@pytest.mark.parametrize("n", [1, 4, 6])
def test_signature_page_holds_the_whole_prescription(form: FormDefinition, n: int, paper: PaperSize) -> None:
    pdf = render_order(order_with(n, paper), form)
    texts = pages(pdf)
    signed = texts[signature_page(texts)]
    assert signature_page(texts) == 0  # up to 6 lines and a 3-line sig: one page, signed
    for i in range(1, n + 1):
        assert f"{i} Ingredient {chr(64 + i)}-{i:02d} {i * 5} mg" in signed, i
    for expected in ("Quantity: 30", "Quantity unit: capsules", "Refills: 3", "Days' supply: 30",
                     "Directions (sig): Take 1 capsule by mouth once daily", "do not open or crush",
                     "away from light", "Dispense as written (brand medically necessary): No",
                     "Diagnosis: Osteopenia", "Base or vehicle: Microcrystalline cellulose",
                     "Dosage form: capsule", "Full name: Maria Lopez", "Date signed"):
        assert expected in signed, expected
    # The prescription comes before the signature on that page.
    assert signed.index(f"Ingredient {chr(64 + n)}") < signed.index("Prescriber's signature")
    assert signed.index("Refills: 3") < signed.index("Prescriber's signature")
    assert not any("continues" in t for t in texts)
    assert fax_ready_problems(pdf, paper) == []


def test_twelve_ingredients_continue_with_initials_on_every_page_before_the_signature(
        form: FormDefinition) -> None:
    rec = order_with(12)
    long_sig = "\n".join(f"Step {i}: take 1 capsule by mouth with a glass of water." for i in range(1, 13))
    rec = dataclasses.replace(rec, values={**rec.values, "compound.sig": long_sig,
                                           "patient.allergies": "Penicillin; " * 30})
    texts = pages(render_order(rec, form))
    signed = signature_page(texts)
    assert signed >= 1
    for number, text in enumerate(texts[:signed], start=1):
        assert f"Prescription continues on page {number + 1}" in text, number
        assert "Prescriber's initials" in text, number
    for text in texts[signed:]:
        assert "continues" not in text and "Prescriber's initials" not in text
    everything = " ".join(texts[:signed + 1])
    for i in range(1, 13):
        assert f"Ingredient {chr(64 + i)}-{i:02d}" in everything
    assert "Refills: 3" in everything and "Step 12: take 1 capsule" in everything


def _assert_every_page_names_the_patient(pdf: bytes, name: str, dob: str, ref: str) -> None:
    texts = pages(pdf)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Patient: {name}" in text, number
        assert f"Date of birth: {dob}" in text, number
        assert ref in text, number
        assert f"Page {number} of {total}" in text, number


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("paper", [PaperSize.LETTER, PaperSize.A4])
def test_every_handout_page_names_the_patient(large: bool, paper: PaperSize) -> None:
    rec = dataclasses.replace(samples.handout(sections=6, paper=paper), large_print=large)
    pdf = render_handout(rec)
    assert len(pages(pdf)) >= 3
    _assert_every_page_names_the_patient(pdf, "Maria Lopez", "March 4, 1951", "D-123")


@pytest.mark.parametrize("n", [1, 6, 12])
def test_every_order_page_names_the_patient(form: FormDefinition, n: int) -> None:
    pdf = render_order(order_with(n), form)
    assert len(pages(pdf)) >= 2  # the pharmacy-use box may run on
    _assert_every_page_names_the_patient(pdf, "Maria Lopez", "March 4, 1951", "D-124")


def test_a_long_name_is_cut_short_in_the_footer_but_whole_on_page_one() -> None:
    name = "Maria " + "Guadalupe " * 20 + "Lopez"
    texts = pages(render_handout(samples.handout(name, sections=6)))
    assert name in " ".join(texts[0].split())
    for text in texts[1:]:
        assert "Patient: Maria Guadalupe" in text and "…" in text and "Date of birth: March 4, 1951" in text


def test_fax_cover_keeps_no_patient_details() -> None:
    text = " ".join(pages(render_fax_cover(samples.cover())))
    assert "Patient" not in text and "Date of birth" not in text and "Maria" not in text


def test_document_id_prints_in_one_form() -> None:
    handout = " ".join(pages(render_handout(samples.handout())))
    order = " ".join(pages(render_order(samples.order(), load_form("compound_order"))))
    assert "D-123" in handout and "D-124" in order
    assert not re.search(r"[Dd]ocument \d", handout + order)


def _body_sizes(pdf: bytes, needle: str) -> set[float]:
    sizes: set[float] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        def visit(text: str, _cm: object, _tm: object, _font: object, size: float) -> None:
            if needle in text:
                sizes.add(round(size, 1))
        page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.parametrize(("large", "size"), [(False, 12.0), (True, 14.0)])
def test_handout_body_text_is_12_pt_or_14_pt_large_print(large: bool, size: float) -> None:
    pdf = render_handout(dataclasses.replace(samples.handout(), large_print=large))
    assert _body_sizes(pdf, "helps the body use") == {size}
    assert _body_sizes(pdf, "This handout is to help you learn") == {size}


def test_legend_comes_before_the_statements_it_explains() -> None:
    text = " ".join(pages(render_handout(samples.handout())))
    assert text.index("How we grade evidence") < text.index("What is vitamin K2?")
    assert "Each statement below starts with the kind of study" in text


def _notice(agent: str) -> InteractionNotice:
    # Moderate: each finding has a box of its own (major findings share the one VKA box).
    return dataclasses.replace(samples.WARFARIN, agent=agent, medication_as_typed=f"{agent} 5 mg",
                               severity="moderate")


@pytest.mark.parametrize("count", range(2, 8))
def test_boxes_never_split_across_pages(count: int) -> None:
    # Enough boxes that one of them meets a page end at some count: each stays whole.
    agents = [f"agent{i}" for i in range(count)]
    rec = dataclasses.replace(samples.handout(sections=2), interactions=tuple(_notice(a) for a in agents))
    texts = pages(render_handout(rec))
    for a in agents:
        holding = [i for i, t in enumerate(texts) if f"vitamin K2 and {a}" in t]
        assert len(holding) == 1
        box = texts[holding[0]]
        start = box.index(f"vitamin K2 and {a}")
        assert "Vitamin K2 can make it work less well" in box[start:], a
        assert "anticoagulation clinic informed by phone" in box[start:], a


@pytest.mark.parametrize("note_lines", range(4, 30, 3))
def test_confidential_box_is_never_split(note_lines: int) -> None:
    note = "\n".join(f"Line {i} of the message to the prescriber." for i in range(note_lines))
    texts = pages(render_fax_cover(samples.cover(note=note)))
    holding = [t for t in texts if "CONFIDENTIAL" in t]
    assert len(holding) == 1 and "Do not read, copy, share or act on them." in holding[0]


def test_heading_and_sign_off_are_never_alone_at_a_page_top() -> None:
    for sections in range(1, 7):
        texts = pages(render_handout(samples.handout(sections=sections)))
        for text in texts:
            for heading in ("Please read", "References"):
                if text.endswith(heading) or f"{heading} Patient:" in text:
                    pytest.fail(f"{heading!r} ends a page ({sections} sections)")
        signed = [t for t in texts if "Counseled by:" in t]
        # The sign-off line keeps the notice's last paragraph with it (the heading its first).
        assert len(signed) == 1 and "Tell all your doctors about every vitamin" in signed[0]
