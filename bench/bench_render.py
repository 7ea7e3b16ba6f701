"""Rendering a three-page handout, against building the same text with bare reportlab.

Both sides use the same registered TrueType font (fonts load once per process, outside the
timing), so the ratio measures what k2desk adds: per-script font runs, escaping, the interaction
and grading boxes, the "Page X of Y" footer with its QR code, fixed metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from xml.sax.saxutils import escape

from common import Result, median, ms, verdict
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from k2desk.documents.fonts import register_fonts
from k2desk.documents.handout import DISCLAIMER, MAJOR_ACTION, render_handout
from k2desk.domain.documents import (
    FoodRow,
    HandoutItem,
    HandoutRecord,
    HandoutSection,
    InteractionNotice,
    PharmacyProfile,
)

_TEXT = ("Vitamin K2 (menaquinone) helps the body use calcium. Studies looked at bone density and at "
         "markers in the blood; results differ between studies, and the doses used varied widely. ")
_LABELS = ["A review of several studies in people", "A clinical trial in people",
           "Population studies: shows a link, not proof", "Animal studies only: not shown in people"]


def _record() -> HandoutRecord:
    sections = tuple(
        HandoutSection(f"Question {s + 1}?", tuple(
            HandoutItem(f"s{s}-{i}", 1, _TEXT * (1 + i % 2), _LABELS[(s + i) % 4], (1 + (s + i) % 4,))
            for i in range(3)))
        for s in range(4)
    )
    return HandoutRecord(
        document_id=123, created_on=dt.date(2026, 11, 22),
        pharmacy=PharmacyProfile("Riverside Compounding Pharmacy", "120 Main Street, Springfield, IL",
                                 "(217) 555-0142", "(217) 555-0143"),
        patient_name="Nguyễn Thị Minh Khai", patient_dob=dt.date(1951, 3, 4),
        title="Vitamin K2: what you asked about", sections=sections,
        citations=tuple(f"Author {i} et al. A study of vitamin K2. J Nutr. 2004;134:3100-5."
                        for i in range(4)),
        foods=(FoodRow("Natto", "3 oz", "MK-7", "about 850 µg"),
               FoodRow("Gouda", "1 oz", "MK-8", "about 20 µg")),
        interactions=(InteractionNotice("major", "warfarin", "Coumadin 5 mg", "exact",
                                        "Your blood thinner works by blocking vitamin K.", "Dana W", "ok",
                                        "2026-11-20"),),
        counselled_by="Dana Whitfield, RPh",
    )


def _bare(rec: HandoutRecord) -> bytes:
    """The same words with plain reportlab: one font, Paragraphs, a plain table, page numbers."""
    body = ParagraphStyle("b", fontName="K2Sans", fontSize=11, leading=14.5)
    head = ParagraphStyle("h", fontName="K2Sans-Bold", fontSize=13.5, leading=17)
    story = [Paragraph(escape(t), head) for t in (rec.pharmacy.name, rec.title)]
    story += [Paragraph(escape(f"Prepared for: {rec.patient_name}"), body)]
    for n in rec.interactions:
        story += [Paragraph(escape(t), body) for t in (n.patient_message, MAJOR_ACTION, n.ack_reason)]
    for s in rec.sections:
        story.append(Paragraph(escape(s.question), head))
        story += [Paragraph(f"<b><i>{escape(i.evidence_label)}:</i></b> {escape(i.text)} [1]", body)
                  for i in s.items]
    story.append(Table([[f.food, f.serving, f.form, f.amount] for f in rec.foods]))
    story += [Paragraph(escape(t), body) for t in (*_LABELS, DISCLAIMER, *rec.citations)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, invariant=1)
    doc.build(story, onFirstPage=_number, onLaterPages=_number)
    return buf.getvalue()


def _number(canvas, doc) -> None:  # type: ignore[no-untyped-def]  # reportlab callback signature
    canvas.setFont("K2Sans", 10)
    canvas.drawString(72, 40, f"Page {doc.page}")


def run(repeat: int = 15) -> list[Result]:
    register_fonts()
    rec = _record()
    render_handout(rec)  # warm up: first use subsets and caches font data
    _bare(rec)
    ours, bare = [], []
    for _ in range(repeat):  # interleaved so both see the same machine state
        t0 = time.perf_counter()
        render_handout(rec)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _bare(rec)
        bare.append(time.perf_counter() - t0)
    o, b = median(ours), median(bare)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(render_handout(rec))).pages)
    return [Result(f"render a {pages}-page handout", ms(o), f"{ms(b)} (bare reportlab)", f"{o / b:.2f}×",
                   "≤ 150 ms and ≤ 2×", verdict(o <= 0.150 and o / b <= 2.0))]


if __name__ == "__main__":
    for r in run(int(sys.argv[1]) if len(sys.argv) > 1 else 15):
        print(f"{r.what}: {r.value}; baseline {r.baseline}; ratio {r.ratio}; target {r.target}: {r.verdict}")
