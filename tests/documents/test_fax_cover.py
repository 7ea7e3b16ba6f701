"""The fax cover sheet renderer."""

from __future__ import annotations

import io

import doc_samples as samples
from faxcheck import fax_ready_problems
from pypdf import PdfReader

from k2desk.documents.fax_cover import render_fax_cover
from k2desk.domain.documents import PaperSize


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_cover_prints_every_required_field() -> None:
    pdf = render_fax_cover(samples.cover())
    text = _text(pdf)
    for expected in [
        "FAX", "November 22, 2026", "Dr. Priya Raman", "Springfield Family Medicine",
        "Fax: (217) 555-0199", "Phone: (217) 555-0198", "Riverside Compounding Pharmacy",
        "Fax: (217) 555-0143", "(217) 555-0142 (call this number if any pages are missing",
        "3 (including this cover sheet)", "Order 42, document 123", "CONFIDENTIAL",
        "please call us at (217) 555-0142 right away, then destroy every page",
        "Please sign the compound order and fax it back.", "Page 1 of 1",
    ]:
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert fax_ready_problems(pdf) == []


def test_cover_on_a4_with_escaped_text_and_other_scripts() -> None:
    rec = samples.cover(to_name="Dr. <Smith> & Partners", to_organisation="מרפאת כהן",
                        paper_size=PaperSize.A4)
    pdf = render_fax_cover(rec)
    text = _text(pdf)
    assert "Dr. <Smith> & Partners" in text
    assert "מרפאת כהן" in text
    assert fax_ready_problems(pdf, PaperSize.A4) == []


def test_cover_is_reproducible_and_metadata_names_only_the_reference() -> None:
    rec = samples.cover()
    pdf = render_fax_cover(rec)
    assert pdf == render_fax_cover(rec)
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.title == "k2desk fax cover Order 42, document 123"
