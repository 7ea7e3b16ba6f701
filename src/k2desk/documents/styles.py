"""The one stylesheet and page geometry every k2desk PDF uses.

Fax-ready by construction (DOMAIN.md section 4): black ink only, no text under 10 pt (body
11 pt), and every mark at least 0.5 in from every edge. The frame margins are 0.75 in and the
footer sits between 0.6 in and 1.25 in from the bottom, so there is room to spare.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import TableStyle

from k2desk.documents.fonts import BASE, register_fonts
from k2desk.domain.documents import PaperSize

INK = black
MIN_FONT_SIZE = 10.0
BODY_SIZE = 11.0
HANDOUT_BODY_SIZE = 12.0  # handouts are read by older patients
LARGE_PRINT_SIZE = 14.0  # the "large" handout text setting

SIDE_MARGIN = 0.75 * inch
TOP_MARGIN = 0.75 * inch
FOOTER_TOP = 1.25 * inch  # the footer's rule; the story frame ends above it
BOTTOM_MARGIN = FOOTER_TOP + 0.15 * inch
FOOTER_LABEL_BASELINE = 0.92 * inch  # the document line, under the patient's name
FOOTER_BASELINE = 0.7 * inch  # "Page N of M"
QR_SIZE = 0.6 * inch
QR_BOTTOM = 0.6 * inch

RULE = 0.75  # pt; a thin black line that survives a fax
HEAVY_RULE = 3.0  # pt; the major-interaction box


def page_size(paper: PaperSize) -> tuple[float, float]:
    width, height = A4 if paper is PaperSize.A4 else letter
    return float(width), float(height)


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    body_bold: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    letterhead: ParagraphStyle
    letterhead_name: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    label: ParagraphStyle
    box_title: ParagraphStyle
    bullet: ParagraphStyle
    reference: ParagraphStyle


@cache
def stylesheet(body_size: float = BODY_SIZE, *, compact: bool = False) -> Styles:
    """The shared paragraph styles (cached; fonts are registered on first use). ``body_size``
    sets the running text, bullets and headings (handouts: 12 pt, or 14 pt large print).
    ``compact`` tightens the line spacing and the space after paragraphs (never the size): the
    handout's blood-thinner box uses it only when its normal layout would not fit on page 1."""
    register_fonts()

    def style(name: str, size: float, leading: float, *, bold: bool = False, **kw: object) -> ParagraphStyle:
        assert size >= MIN_FONT_SIZE
        return ParagraphStyle(
            name,
            fontName=BASE + ("-Bold" if bold else ""),
            fontSize=size,
            leading=leading,
            textColor=INK,
            bulletFontName=BASE,
            **kw,  # ParagraphStyle takes arbitrary attributes
        )

    b = body_size
    lead = round(b * (1.2 if compact else 1.32), 1)
    after = 2 if compact else 4
    return Styles(
        body=style("body", b, lead, spaceAfter=after),
        body_bold=style("body_bold", b, lead, bold=True, spaceAfter=after),
        small=style("small", MIN_FONT_SIZE, 12.5),
        title=style("title", 18, 22, bold=True, spaceBefore=4, spaceAfter=8),
        heading=style("heading", b + 2.5, lead + 2.5, bold=True, spaceBefore=10, spaceAfter=4,
                      keepWithNext=1),
        letterhead=style("letterhead", 10.5, 13),
        letterhead_name=style("letterhead_name", 14, 17, bold=True),
        cell=style("cell", b - 0.5, round((b - 0.5) * 1.24, 1)),
        cell_bold=style("cell_bold", b - 0.5, round((b - 0.5) * 1.24, 1), bold=True),
        label=style("label", MIN_FONT_SIZE, 12, bold=True),
        box_title=style("box_title", b + 1.5, lead + 1, bold=True, spaceAfter=2 if compact else 3),
        bullet=style("bullet", b, lead, leftIndent=12, bulletIndent=0, spaceAfter=1),
        reference=style("reference", MIN_FONT_SIZE, 12.5, leftIndent=18, firstLineIndent=-18, spaceAfter=2),
    )


def table_style(commands: list[tuple[object, ...]]) -> TableStyle:
    """A TableStyle whose cells default to our font: reportlab's default is Helvetica, which it
    never embeds, and a fax server substitutes fonts it is not given."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), BASE), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                       *commands])
