"""The fax-ready checks themselves catch what they are meant to catch."""

from __future__ import annotations

import io

from faxcheck import (
    colour_problems,
    fax_ready_problems,
    margin_problems,
    page_size_problems,
    small_text_problems,
)
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas

from k2desk.domain.documents import PaperSize


def _pdf(draw, size=letter) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(100, 400, "clean text well inside the margins")
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_clean_page_passes_but_for_its_unembedded_helvetica() -> None:
    assert fax_ready_problems(_pdf(lambda c: None)) == ["page 1: font /F1 (/Helvetica) is not embedded"]


def test_grey_fill_and_colour_text_are_caught() -> None:
    def grey(c: canvas.Canvas) -> None:
        c.setFillGray(0.85)
        c.rect(100, 100, 100, 50, stroke=0, fill=1)
        c.setFillColor(Color(0.8, 0, 0))
        c.drawString(100, 300, "red")

    problems = colour_problems(_pdf(grey))
    assert any("0.85" in p for p in problems)
    assert any("0.8, 0.0, 0.0" in p for p in problems)


def test_small_text_is_caught_including_a_scaled_matrix() -> None:
    def small(c: canvas.Canvas) -> None:
        c.setFont("Helvetica", 9)
        c.drawString(100, 200, "too small")
        c.setFont("Helvetica", 12)
        c.saveState()
        c.scale(0.5, 0.5)
        c.drawString(200, 200, "scaled down to 6 pt")
        c.restoreState()

    problems = small_text_problems(_pdf(small))
    assert len(problems) == 2
    assert "9.00 pt" in problems[0] and "6.00 pt" in problems[1]


def test_ink_near_an_edge_is_caught() -> None:
    def edge(c: canvas.Canvas) -> None:
        c.line(0.3 * 72, 300, 0.3 * 72, 400)  # 0.3 in from the left edge

    problems = margin_problems(_pdf(edge))
    assert problems and "left" in problems[0]


def test_wrong_paper_is_caught() -> None:
    assert page_size_problems(_pdf(lambda c: None, A4), PaperSize.LETTER)
    assert page_size_problems(_pdf(lambda c: None, A4), PaperSize.A4) == []
