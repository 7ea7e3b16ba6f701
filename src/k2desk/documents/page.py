"""The shared page template: frame, footer ("Page X of Y", document id, QR code), metadata.

Every page of a patient document names its patient (name and date of birth) in the footer, so
a page that drops out of a stack at a busy fax machine still says whose it is. A compound order
whose prescription runs over several pages also says, on every page before the signature,
"Prescription continues on page N+1" beside a box for the prescriber's initials.

Reproducible: reportlab's invariant mode, the creation date taken from the record and no random
ids, so the same record gives the same bytes. The PDF metadata never carries a patient's name:
callers pass a title such as "k2desk handout D-123".
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from reportlab.lib.units import inch
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from k2desk.documents import styles as S
from k2desk.documents.bidi import BidiParagraph
from k2desk.documents.fonts import BASE, markup, register_fonts
from k2desk.domain.documents import PaperSize


def document_ref(document_id: int) -> str:
    """How a document id is printed and encoded in the footer QR code: 'D-123'."""
    return f"D-{document_id}"


class PageMarks:
    """Pages the story reports while it is laid out: ``signature_page`` is the page the
    prescriber's signature box landed on (set by :class:`SignatureMark` when it is drawn)."""

    def __init__(self) -> None:
        self.signature_page: int | None = None


class SignatureMark(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """An invisible flowable placed with the signature box: it records the page it is drawn on."""

    def __init__(self, marks: PageMarks) -> None:
        super().__init__()
        self.marks = marks
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.marks.signature_page = self.canv.getPageNumber()


INITIALS_BOX_WIDTH = 1.6 * inch


@dataclass(frozen=True, slots=True)
class Footer:
    label: str  # e.g. "Vitamin K2 handout · Document D-123"
    qr_text: str  # what the QR code encodes (the document reference)
    patient_name: str = ""  # printed on every page with the date of birth; never on a fax cover
    patient_dob: str = ""  # as printed, e.g. "March 4, 1951"
    marks: PageMarks | None = None  # an order's signature page: earlier pages say "continues"
    # The footer's fixed words: a handout passes its language's template (issue 25); orders and
    # fax covers go to prescribers and stay in English.
    patient_word: str = "Patient:"
    dob_word: str = "Date of birth:"
    page_format: str = "Page {page} of {pages}"

    def patient_line(self, fits: Callable[[str], bool]) -> str:
        """'Patient: Maria Lopez' as Paragraph markup when ``fits`` says it takes one line."""
        if not self.patient_name:
            return ""
        name = " ".join(self.patient_name.split())
        return f"<b>{markup(self.patient_word)}</b> {markup(name)}"

    def patient_block(self, fits_two: Callable[[str], bool]) -> str:
        """For a name too long for one line: name, date of birth and document label as one
        paragraph over the two footer lines, so the whole name is on every page (two patients'
        long names often agree for most of their length). Only a name that cannot fit even so is
        cut short, with "…"; page 1 prints it whole."""
        name = " ".join(self.patient_name.split())
        # The document's short reference (D-13) is enough when the longer label does not fit.
        short = f"{self.dob_word} {self.patient_dob} · {self.qr_text}"

        def block(shown: str, label: str = short) -> str:
            return f"<b>{markup(self.patient_word)}</b> {markup(shown)} · {markup(label)}"

        text = block(name, self.label_line())
        if fits_two(text):
            return text
        text = block(name)
        words = name.split()
        kept = len(words)
        while not fits_two(text) and kept > 1:  # whole words go, never part of a letter cluster
            kept -= 1
            text = block(" ".join(words[:kept]) + " …")
        return text

    def label_line(self) -> str:
        """The document line under the name: 'Date of birth: March 4, 1951 · <label>'."""
        if not self.patient_name:
            return self.label
        return f"{self.dob_word} {self.patient_dob} · {self.label}"


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


QUIET_ZONE_MODULES = 4  # ISO/IEC 18004 asks for a light margin 4 modules wide round a QR code


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``text`` as black vector squares in the ``size``-point square at (x, y),
    its 4-module quiet zone inside that square (so nothing else is drawn within it)."""
    rows = _qr_rows(text)
    n = len(rows)
    module = size / (n + 2 * QUIET_ZONE_MODULES)
    x += QUIET_ZONE_MODULES * module
    y += QUIET_ZONE_MODULES * module
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
            signed_on = footer.marks.signature_page if footer.marks is not None else None
            continues = signed_on is not None and number < signed_on
            text_right = right - S.QR_SIZE - 0.15 * inch
            if continues:
                text_right -= INITIALS_BOX_WIDTH + 0.15 * inch
            self.saveState()
            self.setStrokeColor(S.INK)
            self.setFillColor(S.INK)
            self.setLineWidth(S.RULE)
            self.line(left, S.FOOTER_TOP, right, S.FOOTER_TOP)
            st = S.stylesheet()
            room = text_right - left

            # BidiParagraph: a right-to-left name wraps in typed order and draws in visual order.
            def fits(line: str) -> bool:
                return bool(BidiParagraph(line, st.small).wrap(room, S.FOOTER_TOP)[1] <= st.small.leading)

            def fits_two(line: str) -> bool:
                return bool(BidiParagraph(line, st.small).wrap(room, S.FOOTER_TOP)[1] <= 2 * st.small.leading)

            who = footer.patient_line(fits)
            if who and not fits(who):
                p = BidiParagraph(footer.patient_block(fits_two), st.small)
                _w, h = p.wrap(room, S.FOOTER_TOP)
                p.drawOn(self, left, S.FOOTER_TOP - 2 - h)
            else:
                if who:
                    p = BidiParagraph(who, st.small)
                    _w, h = p.wrap(room, S.FOOTER_TOP)
                    p.drawOn(self, left, S.FOOTER_TOP - 2 - h)
                self.setFont(BASE, S.MIN_FONT_SIZE)
                self.drawString(left, S.FOOTER_LABEL_BASELINE, footer.label_line())
            self.setFont(BASE + "-Bold", S.BODY_SIZE)
            page = footer.page_format.format(page=number, pages=total)
            if continues:
                page += f" · Prescription continues on page {number + 1}"
            self.drawString(left, S.FOOTER_BASELINE, page)
            if continues:
                # A box for the prescriber's initials on every page of the prescription before
                # the signed one, so no page can be swapped into a signed order unnoticed.
                x = text_right + 0.15 * inch
                self.setLineWidth(S.RULE * 1.5)
                self.rect(x, S.QR_BOTTOM, INITIALS_BOX_WIDTH, S.FOOTER_TOP - 0.08 * inch - S.QR_BOTTOM,
                          stroke=1, fill=0)
                self.setFont(BASE, S.MIN_FONT_SIZE)
                self.drawString(x + 3, S.FOOTER_TOP - 0.08 * inch - 11, "Prescriber's initials")
            self.restoreState()
            draw_qr(self, footer.qr_text, right - S.QR_SIZE, S.QR_BOTTOM, S.QR_SIZE)

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
