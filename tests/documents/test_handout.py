"""The handout renderer: content, every script, escaping, fax-readiness, reproducibility."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import doc_samples as samples
import pytest
from faxcheck import fax_ready_problems
from pypdf import PdfReader

from k2desk.documents.fonts import UnprintableText
from k2desk.documents.handout import render_handout
from k2desk.domain.documents import PaperSize


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def assert_name_extracts(pdf: bytes, name: str) -> None:
    """The name comes back from pypdf exactly as typed: pypdf puts right-to-left runs back in
    logical order, and the joined Arabic shapes (presentation forms, U+FExx) that are drawn map
    back to the letters typed through the fonts' ToUnicode tables (documents/fonts.py)."""
    text = pypdf_text(pdf)
    assert name in text
    assert not any(0xFB50 <= ord(c) <= 0xFEFF for c in text if unicodedata.bidirectional(c) == "AL")


@pytest.fixture(scope="module")
def handout_pdf() -> bytes:
    return render_handout(samples.handout())


def test_handout_prints_every_part(handout_pdf: bytes) -> None:
    text = " ".join(pypdf_text(handout_pdf).split())  # 12 pt text wraps where it wraps
    for expected in [
        "Riverside Compounding Pharmacy", "120 Main Street, Suite 4, Springfield, IL 62701",
        "Phone (217) 555-0142", "Fax (217) 555-0143", "Vitamin K2: what you asked about",
        "Prepared for: Maria Lopez", "Date of birth: March 4, 1951", "November 22, 2026",
        "MAJOR INTERACTION: vitamin K2 and warfarin", "Coumadin 5 mg daily",
        "Never start or stop K2 on your own", "Call 911",
        "Interaction reviewed by Dana Whitfield, pharmacist, November 20, 2026: Discussed with",
        "What is vitamin K2?", "A review of several studies in people:", "[1]",
        "Foods that contain vitamin K2", "Natto (fermented soybeans)", "about 850 µg",
        "How we grade evidence", "Animal studies only: not shown in people",
        "The FDA has not approved it to treat cancer", "This handout is to help you learn",
        "Counseled by:", "Dana Whitfield, RPh", "References",
        "Geleijnse JM et al.", "Page 1 of 4", "Page 4 of 4", "D-123",
    ]:
        assert expected in text, expected


def test_handout_is_four_pages_and_fax_ready(handout_pdf: bytes) -> None:
    assert len(PdfReader(io.BytesIO(handout_pdf)).pages) == 4  # 12 pt text, the whole VKA box
    assert fax_ready_problems(handout_pdf) == []


def test_a4_when_asked() -> None:
    pdf = render_handout(samples.handout(paper=PaperSize.A4, sections=2))
    assert fax_ready_problems(pdf, PaperSize.A4) == []


@pytest.mark.parametrize("name", samples.NAMES)
def test_every_script_name_extracts_as_typed(name: str) -> None:
    pdf = render_handout(samples.handout(name, sections=1))
    assert_name_extracts(pdf, name)
    assert fax_ready_problems(pdf) == []


def test_user_text_is_escaped_not_markup() -> None:
    rec = samples.handout('O\'Brien <b>&amp; "Jr"', sections=1)
    text = pypdf_text(render_handout(rec))
    assert 'O\'Brien <b>&amp; "Jr"' in text
    assert "Gouda cheese <aged>" in text
    assert "Chicken thigh & leg" in text


def test_same_record_same_bytes_and_no_name_in_metadata() -> None:
    rec = samples.handout("Zebulon Quartermaine")
    first, second = render_handout(rec), render_handout(rec)
    assert first == second
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta is not None
    assert meta.title == "k2desk handout D-123"
    for value in meta.values():
        assert "Zebulon" not in str(value) and "Quartermaine" not in str(value)
    assert meta["/CreationDate"].startswith("D:20261122")
    # A different record gives different bytes (the id is not ignored).
    assert render_handout(dataclasses.replace(rec, document_id=124)) != first


def test_no_interaction_box_without_findings() -> None:
    text = pypdf_text(render_handout(samples.handout(interactions=(), sections=1)))
    assert "INTERACTION" not in text
    assert "INR" not in text


def test_unprintable_character_is_refused_not_boxed() -> None:
    with pytest.raises(UnprintableText, match="U\\+1F600 GRINNING FACE"):
        render_handout(samples.handout("Anna 😀", sections=1))


def test_a_very_long_interaction_message_continues_on_the_next_page() -> None:
    notice = dataclasses.replace(samples.WARFARIN, patient_message="Talk to your clinic first. " * 250)
    pdf = render_handout(samples.handout(interactions=(notice,), sections=1))
    # Every sentence printed (one may straddle a page break, with the footer in between).
    # 250 from the message, 1 from the VKA box's fixed text ("Talk to your blood thinner clinic").
    assert pypdf_text(pdf).count("Talk") == 251
    assert fax_ready_problems(pdf) == []


def test_rendering_other_documents_first_changes_nothing() -> None:
    rec = samples.handout("محمد عبد الله", sections=1)
    first = render_handout(rec)
    render_handout(samples.handout("王小明 김민준", sections=2, document_id=7))
    assert render_handout(rec) == first


def test_footer_qr_code_encodes_the_document_id(handout_pdf: bytes) -> None:
    import pypdfium2
    import segno

    from k2desk.documents import styles as S

    expected = [list(row) for row in segno.make("D-123", error="m", micro=False, mask=0).matrix]
    n = len(expected)
    dpi = 288
    doc = pypdfium2.PdfDocument(handout_pdf)
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=dpi / 72).to_pil().convert("L")
            px = dpi / 72
            left = (612 - S.SIDE_MARGIN - S.QR_SIZE) * px
            top = image.height - (S.QR_BOTTOM + S.QR_SIZE) * px
            module = S.QR_SIZE * px / (n + 8)  # a 4-module quiet zone on every side
            seen = [[image.getpixel((int(left + (c + 4.5) * module), int(top + (r + 4.5) * module))) < 128
                     for c in range(n)] for r in range(n)]
            assert seen == [[bool(v) for v in row] for row in expected], f"page {index + 1}"
            # The quiet zone: 4 modules of white on every side of the symbol, nothing else in it.
            quiet = image.crop((int(left) + 1, int(top) + 1, int(left + S.QR_SIZE * px) - 1,
                                int(top + S.QR_SIZE * px) - 1))
            inner = (int(4 * module) + 1, int(4 * module) + 1, int((n + 4) * module) - 1,
                     int((n + 4) * module) - 1)
            for x in range(quiet.width):
                for y in (0, inner[1] - 2, quiet.height - 1):
                    assert quiet.getpixel((x, y)) > 200, (x, y)
                for y in range(quiet.height):
                    if x in (0, inner[0] - 2, quiet.width - 1):
                        assert quiet.getpixel((x, y)) > 200, (x, y)
    finally:
        doc.close()
