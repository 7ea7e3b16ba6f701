"""The compound order renderer, laid out from the shipped form definition."""

from __future__ import annotations

import dataclasses
import io

import doc_samples as samples
import pytest
from faxcheck import fax_ready_problems
from pypdf import PdfReader
from test_handout import assert_name_extracts, pypdf_text

from k2desk.documents.order_form import render_order
from k2desk.domain.documents import PaperSize
from k2desk.domain.forms import FormDefinition
from k2desk.library.forms import load_form


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_form("compound_order")


@pytest.fixture(scope="module")
def order_pdf(form: FormDefinition) -> bytes:
    return render_order(samples.order(), form)


def test_order_prints_every_field_label_from_the_definition(order_pdf: bytes, form: FormDefinition) -> None:
    text = " ".join(pypdf_text(order_pdf).split())  # a long label may wrap inside its cell
    values = samples.order().values
    for section in form.sections:
        assert section.title in text, section.title
        for f in section.fields:
            if f.key not in ("pharmacy_use.interaction_review", "pharmacy_use.signed_original_received",
                             "pharmacy_use.signed_original_received_on"):
                # An optional field left empty prints no empty labelled line.
                if section.repeating:
                    assert f.label in text, f.key  # a column heading
                    continue
                shown = f.required or bool(values.get(f.key, "").strip())
                assert (f"{f.label}:" in text) == shown, f.key


def test_order_prints_values_lines_review_overrides_and_boxes(order_pdf: bytes) -> None:
    text = pypdf_text(order_pdf)
    for expected in [
        "Compounded Prescription Order", "Order 42", "Document D-124",
        "Full name: Maria Lopez", "Date of birth: March 4, 1951", "Allergies: NKDA",
        "Diagnosis: Osteopenia", "ICD-10 code: M85.80", "NPI: 1558598797",
        "Prescriber name: Dr. Priya Raman", "Date written: November 21, 2026",
        "Prescriber's signature", "Date signed",
        "Please sign, date and fax the signed order back to (217) 555-0143.",
        "Menaquinone-4 (MK-4)", "Menaquinone-7 (MK-7)", "Cholecalciferol (vitamin D3)",
        "Take 1 capsule by mouth once daily with a meal containing fat.",
        "Dispense as written (brand medically necessary): No",
        "Interaction review: MAJOR: warfarin (as typed: Coumadin 5 mg daily)",
        "Override: DEA number (prescriber.dea): Not a scheduled compound",
        "Signed original received:", "(how, when)",
        "Fax signed order to: (217) 555-0143",
        "MAJOR INTERACTION: vitamin K2 and warfarin", "Page 1 of ",
    ]:
        assert expected in text, expected


def test_each_ingredient_is_its_own_ruled_line_with_its_own_strength(order_pdf: bytes) -> None:
    # Each table cell extracts as its own line: number, ingredient, strength, unit.
    text = pypdf_text(order_pdf)
    assert "\n1\nMenaquinone-4 (MK-4)\n15\nmg\n" in text
    assert "\n2\nMenaquinone-7 (MK-7)\n180\nµg\n" in text
    assert "\n3\nCholecalciferol (vitamin D3)\n1000\nIU\n" in text


def test_order_is_fax_ready_on_letter_and_a4(order_pdf: bytes, form: FormDefinition) -> None:
    assert fax_ready_problems(order_pdf) == []
    a4 = render_order(samples.order(paper=PaperSize.A4), form)
    assert fax_ready_problems(a4, PaperSize.A4) == []


@pytest.mark.parametrize("name", samples.NAMES)
def test_every_script_name_extracts_as_typed(name: str, form: FormDefinition) -> None:
    pdf = render_order(samples.order(name), form)
    assert_name_extracts(pdf, name)


def test_order_is_reproducible_without_the_name_in_metadata(form: FormDefinition) -> None:
    rec = samples.order("Zebulon Quartermaine")
    pdf = render_order(rec, form)
    assert pdf == render_order(rec, form)
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.title == "k2desk order 42 D-124"
    assert all("Zebulon" not in str(v) for v in meta.values())


def test_blank_fields_print_as_lines_to_fill_and_no_review_falls_back(form: FormDefinition) -> None:
    rec = samples.order(interactions=())
    values = {k: v for k, v in rec.values.items() if k != "pharmacy_use.interaction_review"}
    values["compound.sig"] = "Take <1> capsule & water"
    pdf = render_order(dataclasses.replace(rec, values=values), form)
    text = pypdf_text(pdf)
    assert "Interaction review: no vitamin K interactions found" in text
    assert "MAJOR INTERACTION" not in text
    assert "Take <1> capsule & water" in text


def test_fields_at_their_longest_continue_on_the_next_page(form: FormDefinition) -> None:
    rec = samples.order()
    values = dict(rec.values)
    # Each at the form's max_length: a box or row taller than a page must split, not crash.
    values["pharmacy_use.interaction_review"] = ("MAJOR: warfarin, reviewed with the clinic. " * 100)[:4000]
    values["patient.address"] = ("45 Elm Street\n" * 200)[:2000]
    values["compound.sig"] = ("Take one capsule daily. " * 50)[:1000]
    pdf = render_order(dataclasses.replace(rec, values=values), form)
    text = " ".join(pypdf_text(pdf).split())
    assert text.count("reviewed with the clinic") >= 90
    assert text.count("45 Elm Street") == 2000 // len("45 Elm Street\n")
    assert "Fax signed order to: (217) 555-0143" in text
    assert fax_ready_problems(pdf) == []
