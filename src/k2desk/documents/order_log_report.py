"""The printed order log: a fax-ready table of the chosen orders for an inspector who wants
paper. Portrait Letter or A4 so a fax keeps the 10 pt text; the pharmacy's letterhead, the
selection, then one row per order (patient and date of birth, prescriber and NPI, each
ingredient with its strength, quantity, status and the date of each status) on the shared page
template ("Page N of M"). Rendered from the record it is given; it never reads the database.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table
from reportlab.platypus.doctemplate import LayoutError

from k2desk.documents import styles as S
from k2desk.documents.blocks import fmt_date, letterhead, para
from k2desk.documents.fonts import markup
from k2desk.documents.page import Footer, build_pdf
from k2desk.domain.order_log import OrderLogReport, ReportRow

# Shares of the frame's width: order, patient, prescriber, ingredients, quantity, status/dates.
_COLUMNS = (0.08, 0.18, 0.17, 0.25, 0.11, 0.21)
_HEADER = ("Order", "Patient (date of birth)", "Prescriber (NPI)", "Ingredients and strengths",
           "Quantity", "Status and dates")


def _cell(lines: list[str], bold_first: bool = False) -> list[Flowable]:
    st = S.stylesheet()
    out: list[Flowable] = []
    for n, text in enumerate(lines):
        for part in text.replace("\r\n", "\n").split("\n"):
            out.append(para(part, st.cell_bold if (bold_first and n == 0) else st.small))
    return out


def _row(r: ReportRow) -> list[list[Flowable]]:
    return [
        _cell([str(r.order_id)]),
        _cell([r.patient_name, f"({r.patient_dob})" if r.patient_dob else ""]),
        _cell([r.prescriber, f"NPI {r.prescriber_npi}" if r.prescriber_npi else ""]),
        _cell(list(r.ingredients) or ["(no lines)"]),
        _cell([r.quantity]),
        _cell([r.status.replace("-", " "), *r.dates], bold_first=True),
    ]


def story(rep: OrderLogReport, *, split_rows: bool = False) -> list[Flowable]:
    st = S.stylesheet()
    width = float(S.page_size(rep.paper_size)[0] - 2 * S.SIDE_MARGIN)
    right = ParagraphStyle("right", parent=st.letterhead, alignment=TA_RIGHT)
    head = [[para(h, st.label) for h in _HEADER]]
    body = [_row(r) for r in rep.rows]
    out: list[Flowable] = [
        letterhead(rep.pharmacy, width, [Paragraph(f"Printed {markup(fmt_date(rep.printed_on))}", right)]),
        Spacer(1, 6),
        para("Compound order log", st.title),
        para(rep.selection, st.body),
        para(f"{len(rep.rows)} orders, {sum(len(r.ingredients) for r in rep.rows)} ingredient lines. "
             "Dates are the pharmacy's local days.", st.body),
        Spacer(1, 4),
    ]
    if not rep.rows:
        out.append(para("No order matches this selection.", st.body_bold))
        return out
    # Each order's row stays whole on one page, so a page never starts with half an order that
    # does not say whose it is; only a row taller than a page is split (split_rows).
    t = Table(head + body, colWidths=[width * w for w in _COLUMNS], repeatRows=1,
              splitInRow=1 if split_rows else 0)
    t.setStyle(S.table_style([
        ("GRID", (0, 0), (-1, -1), S.RULE, S.INK),
        ("LINEBELOW", (0, 0), (-1, 0), S.RULE * 2, S.INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    out.append(t)
    return out


def render_order_log(rep: OrderLogReport) -> bytes:
    """The order log PDF for ``rep``; the metadata names no patient."""
    label = f"Compound order log · printed {rep.printed_on.isoformat()}"
    footer = Footer(label=label, qr_text=f"k2desk order log {rep.printed_on.isoformat()}")

    def build(split_rows: bool) -> bytes:
        return build_pdf(story(rep, split_rows=split_rows), paper=rep.paper_size, footer=footer,
                         title="k2desk compound order log", subject="Compound order log",
                         created_on=rep.printed_on)

    try:
        return build(False)
    except LayoutError:  # an order with so much text its row is taller than a page
        return build(True)
