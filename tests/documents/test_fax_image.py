"""TIFF Class F export and the fax preview PNG."""

from __future__ import annotations

import io

import doc_samples as samples
import pytest
from PIL import Image
from pypdf import PdfReader

from k2desk.documents.fax_cover import render_fax_cover
from k2desk.documents.fax_image import fax_preview_png, pdf_to_fax_tiff
from k2desk.documents.handout import render_handout
from k2desk.domain.documents import PaperSize

# US Letter at 204 dpi is 1734 px wide: scaled to the 1728-pixel fax line.
LETTER_FIT = 1728 / round(8.5 * 204)


@pytest.fixture(scope="module")
def handout_pdf() -> bytes:
    return render_handout(samples.handout())


def _frames(tiff: bytes) -> list[dict[str, object]]:
    im = Image.open(io.BytesIO(tiff))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append({
            "mode": im.mode, "size": im.size, "compression": im.info.get("compression"),
            "dpi": tuple(round(float(v)) for v in im.info["dpi"]), "page": im.tag_v2.get(297),
            "black": im.convert("L").histogram()[0],
        })
    return out


def test_fine_tiff_is_class_f_with_page_numbers(handout_pdf: bytes) -> None:
    pages = len(PdfReader(io.BytesIO(handout_pdf)).pages)
    frames = _frames(pdf_to_fax_tiff(handout_pdf))
    assert len(frames) == pages == 4
    for index, f in enumerate(frames):
        assert f["mode"] == "1"
        assert f["compression"] == "group4"
        assert f["size"] == (1728, round(11 * 196 * LETTER_FIT))
        assert f["dpi"] == (204, 196)
        assert f["page"] == (index, pages)
        assert 0 < f["black"]  # the page has ink, it is not blank


def test_standard_resolution_halves_the_lines(handout_pdf: bytes) -> None:
    frames = _frames(pdf_to_fax_tiff(handout_pdf, fine=False))
    assert {f["dpi"] for f in frames} == {(204, 98)}
    assert {f["size"] for f in frames} == {(1728, round(11 * 98 * LETTER_FIT))}


def test_a4_is_centred_on_a_1728_pixel_line() -> None:
    pdf = render_fax_cover(samples.cover(paper_size=PaperSize.A4))
    (frame,) = _frames(pdf_to_fax_tiff(pdf))
    assert frame["size"] == (1728, round(841.8898 / 72 * 196))
    assert frame["page"] == (0, 1)


def test_preview_png_is_the_fax_image(handout_pdf: bytes) -> None:
    png = fax_preview_png(handout_pdf, page=1)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG"
    assert im.mode == "1"
    assert im.size == (1728, round(11 * 196 * LETTER_FIT))
    # Same pixels as the TIFF's second page.
    tiff = Image.open(io.BytesIO(pdf_to_fax_tiff(handout_pdf)))
    tiff.seek(1)
    assert im.tobytes() == tiff.convert("1").tobytes()
    with pytest.raises(ValueError, match="no page 5"):
        fax_preview_png(handout_pdf, page=4)
