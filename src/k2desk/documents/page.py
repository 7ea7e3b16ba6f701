"""The shared page template: frame, footer ("Page X of Y", document id, QR code), metadata.

Reproducible: reportlab's invariant mode, the creation date taken from the record and no random
ids, so the same record gives the same bytes. The PDF metadata never carries a patient's name:
callers pass a title such as "k2desk handout D-123".
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from reportlab.lib.units import inch
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from k2desk.documents import styles as S
from k2desk.documents.blocks import para
from k2desk.documents.fonts import BASE, register_fonts
from k2desk.domain.documents import PaperSize


def document_ref(document_id: int) -> str:
    """How a document id is printed and encoded in the footer QR code: 'D-123'."""
    return f"D-{document_id}"


@dataclass(frozen=True, slots=True)
class Footer:
    label: str  # e.g. "Vitamin K2 handout · Document D-123"
    qr_text: str  # what the QR code encodes (the document reference)
    # The patient's name as typed, printed in the footer of every page after the first so a
    # page that comes loose from a fax still says whose it is ("" on pages that name no one).
    patient: str = ""


def _timestamp(day: dt.date) -> TimeStamp:
    """A reportlab TimeStamp fixed at midnight UTC of ``day`` (CreationDate/ModDate)."""
    ts = TimeStamp(invariant=True)
    t = calendar.timegm(day.timetuple())
    ts.t = t
    ts.lt = time.gmtime(t)
    ts.YMDhms = tuple(ts.lt)[:6]
    return ts


@lru_cache(maxsize=64)
def _qr_rows(text: str) -> tuple[tuple[int, ...], ...]:
    # Mask 0 is a valid mask for any symbol; letting segno score all eight costs ~30 ms a code
    # and only trims a little contrast a scanner never misses at this size.
    qr = segno.make(text, error="m", micro=False, mask=0)
    return tuple(tuple(r) for r in qr.matrix)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``text`` as black vector squares, ``size`` points wide, at (x, y)."""
    rows = _qr_rows(text)
    n = len(rows)
    module = size / n
    canvas.saveState()
    canvas.setFillColor(S.INK)
    for r, row in enumerate(rows):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                # One rectangle per horizontal run of dark modules keeps the stream small.
                canvas.rect(x + start * module, y + (n - 1 - r) * module, (c - start) * module, module,
                            stroke=0, fill=1)
            else:
                c += 1
    canvas.restoreState()


_FOOTER_EDGE = 0.3 * inch  # nothing prints closer to the paper's bottom edge than this


def _canvas_class(footer: Footer, created_on: dt.date) -> type[Canvas]:
    class FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
        """Holds pages back until the end so every footer can say "Page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["invariant"] = 1
            # reportlab's default initial font is Helvetica, which it never embeds; start in
            # ours so every font the PDF names travels with it (fax servers substitute others).
            kwargs["initialFontName"] = BASE
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _timestamp(created_on)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            left = S.SIDE_MARGIN
            right = width - S.SIDE_MARGIN
            self.saveState()
            self.setStrokeColor(S.INK)
            self.setFillColor(S.INK)
            self.setLineWidth(S.RULE)
            self.line(left, S.FOOTER_TOP, right, S.FOOTER_TOP)
            self.setFont(BASE, S.MIN_FONT_SIZE)
            self.drawString(left, S.FOOTER_BASELINE + 14, footer.label)
            self.setFont(BASE + "-Bold", S.BODY_SIZE)
            page_label = f"Page {number} of {total}"
            self.drawString(left, S.FOOTER_BASELINE, page_label)
            self.restoreState()
            if footer.patient and number > 1:
                self._draw_patient(left + stringWidth(page_label, BASE + "-Bold", S.BODY_SIZE) + 12,
                                   right - S.QR_SIZE - 12)
            draw_qr(self, footer.qr_text, right - S.QR_SIZE, S.QR_BOTTOM, S.QR_SIZE)

        def _draw_patient(self, left: float, right: float) -> None:
            """"Patient: NAME" beside the page number, first line on its baseline; a long
            name wraps downwards (shaped and reordered like the name on page 1)."""
            style = S.stylesheet().small
            top = S.FOOTER_BASELINE + style.fontSize  # first baseline one font size below
            room = top - _FOOTER_EDGE
            words = footer.patient.split()
            while True:
                # A name too long for the room loses whole words from its end, never part of
                # a letter cluster; page 1 prints it in full.
                text = " ".join(words) + ("" if len(words) == len(footer.patient.split()) else " …")
                name = para(text, style, prefix="<b>Patient:</b> ")
                _width, height = name.wrapOn(self, right - left, room)
                if height <= room or len(words) <= 1:
                    break
                words = words[:-1]
            name.drawOn(self, left, top - height)

    return FooterCanvas


def build_pdf(
    story: Sequence[Flowable],
    *,
    paper: PaperSize,
    footer: Footer,
    title: str,
    subject: str,
    created_on: dt.date,
) -> bytes:
    """Lay out ``story`` on the shared template and return the PDF bytes.

    ``title`` and ``subject`` go into the PDF metadata: never put a patient's name in them.
    """
    register_fonts()
    buf = io.BytesIO()
    size = S.page_size(paper)
    frame = Frame(
        S.SIDE_MARGIN,
        S.BOTTOM_MARGIN,
        size[0] - 2 * S.SIDE_MARGIN,
        size[1] - S.TOP_MARGIN - S.BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        buf,
        pagesize=size,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        title=title,
        author="k2desk",
        subject=subject,
        creator="k2desk",
        keywords="",
        invariant=1,
        lang="en",
    )
    doc.build(list(story), canvasmaker=_canvas_class(footer, created_on))
    return buf.getvalue()
