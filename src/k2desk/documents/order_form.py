"""The compound order form, laid out from its form definition (forms/compound_order.toml).

One definition drives validation, the editor and this layout, so the three cannot drift apart:
each section prints its title and its fields in definition order, packed into rows by each
field's ``print_width``; the repeating section prints as a ruled table, one active ingredient
per line with its own strength; ``elements`` add the prescriber's blank signature box and the
pharmacy's "fax signed order to" line. Everything is printed from the stored record.

A faxed order is a prescription: the definition lists the sections the prescriber signs for
(patient, ingredients, compound, prescriber) before the one with the signature box, so the
signature closes the prescription on its last page; the page footers (documents/page.py) name
the patient on every page and, on each page before the signature, say the prescription
continues and give a box for the prescriber's initials.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table

from k2desk.documents import styles as S
from k2desk.documents.blocks import boxed, fmt_date, letterhead, para
from k2desk.documents.fonts import markup
from k2desk.documents.page import Footer, PageMarks, SignatureMark, build_pdf, document_ref
from k2desk.documents.vka_box import prescriber_box
from k2desk.domain.documents import OrderRecord
from k2desk.domain.forms import NO, YES, FieldDef, FieldType, FormDefinition, SectionDef
from k2desk.domain.roles import contact_sentence, review_by

# Pharmacy-use fields printed by the signed-original and review blocks rather than as plain rows.
_REVIEW = "interaction_review"
_CONTRAINDICATION = "pharmacy_use.contraindication"  # set by services.orders (issue 13)
_RECEIVED = ("signed_original_received", "signed_original_received_on")
_SIGNATURE_HEIGHT = 0.6 * inch
_LONG_CHARS = 600
_LONG_LINES = 12


def _width(rec: OrderRecord) -> float:
    return float(S.page_size(rec.paper_size)[0] - 2 * S.SIDE_MARGIN)


def _shown(f: FieldDef, value: str) -> str:
    if not value:
        return ""
    if f.type is FieldType.DATE:
        return fmt_date(value)
    if f.type is FieldType.BOOL:
        return {YES: "Yes", NO: "No"}.get(value, value)
    return value


def _field_cell(f: FieldDef, value: str) -> list[Flowable]:
    """Label and value, one paragraph per typed line."""
    st = S.stylesheet()
    first, *rest = _shown(f, value).replace("\r\n", "\n").split("\n")
    head = para(first, st.cell, prefix=f"<b>{markup(f.label)}:</b> ")
    return [head] + [para(line, st.cell) for line in rest]


def _rows(fields: Sequence[FieldDef]) -> list[list[FieldDef]]:
    """Pack fields into printed rows: a row takes fields while their print widths add up to 1."""
    rows: list[list[FieldDef]] = []
    used = 1.0
    for f in fields:
        if not rows or used + f.print_width > 1.0 + 1e-6:
            rows.append([])
            used = 0.0
        rows[-1].append(f)
        used += f.print_width
    return rows


def _is_long(value: str) -> bool:
    # Past this a value may not fit on one page inside a table row, and reportlab cannot
    # split a row cleanly; long values print as ordinary paragraphs, which split anywhere.
    return len(value) > _LONG_CHARS or value.count("\n") >= _LONG_LINES


def _table(rows: list[list[FieldDef]], rec: OrderRecord, width: float) -> Table:
    data: list[list[list[Flowable] | str]] = []
    spans = []
    columns = 20  # a row's cells span whole twentieths of the line (print widths are fractions)
    for r, row in enumerate(rows):
        cells: list[list[Flowable] | str] = []
        col = 0
        for i, f in enumerate(row):
            span = columns - col if i == len(row) - 1 else max(1, round(f.print_width * columns))
            cells.append(_field_cell(f, rec.values.get(f.key, "")))
            cells += [""] * (span - 1)
            if span > 1:
                spans.append(("SPAN", (col, r), (col + span - 1, r)))
            col += span
        data.append(cells)
    t = Table(data, colWidths=[width / columns] * columns)
    t.setStyle(S.table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        # A ruled line under every field, as on a paper form; filled or blank for handwriting.
        ("LINEBELOW", (0, 0), (-1, -1), S.RULE * 0.75, S.INK),
        *spans,
    ]))
    return t


def _fields(rec: OrderRecord, fields: Sequence[FieldDef], width: float) -> list[Flowable]:
    """The fields as ruled rows; a row holding a very long value prints as paragraphs.

    An optional field left empty is not printed: an empty labelled line ("Address:") on a
    faxed prescription invites someone else to fill it in.
    """
    out: list[Flowable] = []
    pending: list[list[FieldDef]] = []
    fields = [f for f in fields if f.required or rec.values.get(f.key, "").strip()]
    for row in _rows(fields):
        if not any(_is_long(rec.values.get(f.key, "")) for f in row):
            pending.append(row)
            continue
        if pending:
            out.append(_table(pending, rec, width))
            pending = []
        for f in row:
            out += _field_cell(f, rec.values.get(f.key, ""))
            out.append(HRFlowable(width="100%", thickness=S.RULE * 0.75, color=S.INK, spaceBefore=2,
                                  spaceAfter=4))
    if pending:
        out.append(_table(pending, rec, width))
    return out


def _ingredient_value(rec: OrderRecord, n: int, f: FieldDef) -> str:
    if n <= len(rec.lines):
        line = rec.lines[n - 1]
        direct = {"ingredient": line.ingredient, "strength": line.strength, "unit": line.unit}
        if f.name in direct:
            return direct[f.name]
    return rec.values.get(f"{f.key.split('.')[0]}.{n}.{f.name}", "")


def _ingredients(rec: OrderRecord, section: SectionDef, width: float) -> Table:
    st = S.stylesheet()
    total = sum(f.print_width for f in section.fields) or 1.0
    widths = [width * 0.06] + [width * 0.94 * f.print_width / total for f in section.fields]
    header: list[Flowable] = [Paragraph("#", st.cell_bold)] + [
        Paragraph(markup(f.label), st.cell_bold) for f in section.fields
    ]
    rows: list[list[Flowable]] = [header]
    for n in range(1, max(len(rec.lines), 1) + 1):
        rows.append([Paragraph(str(n), st.cell)]
                    + [para(_ingredient_value(rec, n, f), st.cell) for f in section.fields])
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(S.table_style([
        ("BOX", (0, 0), (-1, -1), S.RULE, S.INK),
        ("INNERGRID", (0, 0), (-1, -1), S.RULE * 0.75, S.INK),
        ("LINEBELOW", (0, 0), (-1, 0), S.RULE * 2, S.INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


def _height(flowables: Sequence[Flowable], width: float) -> float:
    return sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def _frame_height(rec: OrderRecord) -> float:
    return S.page_size(rec.paper_size)[1] - S.TOP_MARGIN - S.BOTTOM_MARGIN


class _Whole(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """A flowable that is never split across pages (a KeepTogether cannot be nested in one)."""

    def __init__(self, inner: Flowable) -> None:
        super().__init__()
        self.inner = inner

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, 0)


def _signature_box(width: float, marks: PageMarks | None = None) -> Table:
    st = S.stylesheet()
    label = Paragraph("<b>Prescriber's signature</b> (in ink; valid only when signed)", st.cell)
    # The page mark is drawn inside the box itself: a separate zero-height flowable after the
    # box could land on the next page when the box ends a page, and the footers would then
    # call the page with the signature "continues".
    box: list[Flowable] | str = [SignatureMark(marks)] if marks is not None else ""
    t = Table([[label, Paragraph("<b>Date signed</b>", st.cell)], [box, ""]],
              colWidths=[width * 0.68, width * 0.32], rowHeights=[None, _SIGNATURE_HEIGHT])
    t.setStyle(S.table_style([
        ("BOX", (0, 1), (0, 1), S.RULE * 1.5, S.INK),  # the blank box to sign in
        ("LINEBELOW", (1, 1), (1, 1), S.RULE, S.INK),  # a line to write the date on
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (0, -1), 12),
        ("LEFTPADDING", (1, 0), (1, -1), 12),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]))
    return t


def _review_statement(rec: OrderRecord) -> str:
    stated = rec.values.get(f"pharmacy_use.{_REVIEW}", "").strip()
    if stated:
        return stated
    if not rec.interactions:
        return "no vitamin K interactions found in the patient's medication list."
    lines = []
    for n in rec.interactions:
        line = f"{n.severity.upper()}: {n.agent} (as typed: {n.medication_as_typed})"
        if n.certainty != "exact":
            line += " — possible match — confirm"
        if n.acknowledged_by:
            when = f", {fmt_date(n.ack_at)}" if n.ack_at else ""
            line += f". Reviewed by {review_by(n.acknowledged_by, n.ack_role)}{when}: {n.ack_reason}"
            if n.ack_contact:
                line += f". {contact_sentence(n.ack_contact, n.ack_contact_note)}"
        lines.append(line + ".")
    return "\n".join(lines)


def _pharmacy_use(rec: OrderRecord, form: FormDefinition, section: SectionDef, width: float) -> Flowable:
    st = S.stylesheet()
    inner = width - 2 * 9
    body: list[Flowable] = [para(section.title, st.box_title)]
    body.append(para(_review_statement(rec), st.body, prefix="<b>Interaction review:</b> "))
    for key, reason, operator in rec.overrides:
        try:
            label = form.field(key).label
        except KeyError:
            label = key
        body.append(para(f"{label} ({key}): {reason} (by {operator})", st.body, prefix="<b>Override:</b> "))
    how = rec.values.get(f"pharmacy_use.{_RECEIVED[0]}", "")
    when = rec.values.get(f"pharmacy_use.{_RECEIVED[1]}", "")
    received = Table(
        [[Paragraph("<b>Signed original received:</b>", st.body), para(how, st.body),
          para(fmt_date(when) if when else "", st.body), Paragraph("(how, when)", st.body)]],
        colWidths=[inner * 0.32, inner * 0.3, inner * 0.2, inner * 0.18],
    )
    received.setStyle(S.table_style([
        ("LINEBELOW", (1, 0), (2, 0), S.RULE, S.INK),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (3, 0), (3, 0), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
    ]))
    body.append(received)
    others = [f for f in section.fields if f.name not in (_REVIEW, *_RECEIVED)]
    body += _fields(rec, others, inner)
    if "fax_to" in section.elements:
        body += [Spacer(1, 6), para(rec.pharmacy.fax or "(pharmacy fax not set)", st.box_title,
                                    prefix="Fax signed order to: ")]
    return boxed(body, width, border=S.RULE * 1.5, padding=9)


def _major_box(rec: OrderRecord, width: float) -> Flowable | None:
    """The warning box for a patient on a vitamin K antagonist, with any labelled
    contraindication as approved (stored with the order, printed as stored)."""
    majors = [n for n in rec.interactions if n.severity == "major"]
    stated = rec.values.get(_CONTRAINDICATION, "").strip()
    if not majors and not stated:
        return None
    return prescriber_box(majors, [s for s in stated.splitlines() if s.strip()], width)


class _PrescriptionTogether(KeepTogether):
    """The whole prescription (every section up to the signature) as one block: when a page
    would hold it all but not after what comes first (the warning box of a patient on a blood
    thinner), it starts on the next page, so the signed page still carries the whole
    prescription. A prescription longer than a page runs on from where it is."""

    def __init__(self, blocks: list[Flowable], page_height: float) -> None:
        # Measured and kept whole as the sections' own flowables (a KeepTogether inside a
        # KeepTogether reports no height); run on as the sections' blocks when too long.
        super().__init__([f for b in blocks
                          for f in (b._content if isinstance(b, KeepTogether) else [b])])
        self._blocks = blocks
        self._page_height = page_height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        if self._H > self._page_height:  # never fits on one page: no page break in front
            # A zero-height first piece lets the frame place it; the blocks then go back into
            # the story and each keeps its own section together.
            return [self.NullActionFlowable(), *self._blocks]
        return list(super().split(aW, aH))


def _frame_height(rec: OrderRecord) -> float:
    """The story frame's height on a page (documents/page.py: margins and 6 pt padding)."""
    return float(S.page_size(rec.paper_size)[1] - S.TOP_MARGIN - S.BOTTOM_MARGIN - 12)


def story(rec: OrderRecord, form: FormDefinition, marks: PageMarks | None = None) -> list[Flowable]:
    """The order's flowables in print order: the prescription (every section before the one
    with the signature box, and that one) comes first and the signature closes it; the
    pharmacy-use box follows and may go to the next page. ``marks`` learns the signature's page."""
    st = S.stylesheet()
    width = _width(rec)
    right = ParagraphStyle("right", parent=st.letterhead, alignment=TA_RIGHT)
    # The form's title sits in the letterhead, opposite the pharmacy: a line saved for the
    # prescription, which must fit above the signature on one page (4 ingredients, 3-line sig).
    title = ParagraphStyle("order_title", parent=st.box_title, alignment=TA_RIGHT)
    heading = ParagraphStyle("order_heading", parent=st.heading, spaceBefore=5, spaceAfter=2)
    out: list[Flowable] = [
        letterhead(rec.pharmacy, width, [
            para(form.title, title),
            Paragraph(f"<b>Order {rec.order_id}</b> · Document {document_ref(rec.document_id)}", right),
            Paragraph(markup(fmt_date(rec.created_on)), right),
        ], left_share=0.56),
    ]
    major = _major_box(rec, width)
    if major is not None:
        out += [major, Spacer(1, 2)]
    # What the prescriber signs for, from the ingredients to the signature, is kept on one page
    # when it fits on one: a long name, address or diagnosis then pushes the patient section's
    # page ahead of it (saying "continues", with an initials box), never the signature alone
    # onto a page that names no drug.
    signed: list[list[Flowable]] = []
    prescription: list[Flowable] = []  # laid out as without a box; kept whole after one
    for section in form.sections:
        if section.system:
            if prescription:
                out += _prescription(prescription, major is not None, rec)
                prescription = []
            out += [Spacer(1, 8), _pharmacy_use(rec, form, section, width)]
            continue
        block: list[Flowable] = [para(section.title, heading)]
        if section.repeating:
            block.append(_ingredients(rec, section, width))
        else:
            block += _fields(rec, section.fields, width)
        if "signature_box" in section.elements:
            # Never split: the label above on one page and the box to sign in on the next.
            block += [Spacer(1, 6), _Whole(_signature_box(width, marks))]
            if rec.pharmacy.fax:
                # The prescriber signs here; say where the signed page goes without turning over.
                block.append(para(rec.pharmacy.fax, st.body, prefix="Please sign, date and fax the signed "
                                  "order back to <b>", suffix="</b>."))
        if section.repeating or signed:
            signed.append(block)
            if "signature_box" in section.elements:
                # Too long for one page (many ingredients): the table runs on, and the sections
                # after it (quantity, sig, refills) still stay with the signature.
                lines, *after = signed
                rest = [f for b in after for f in b]
                if _height([*lines, *rest], width) <= _frame_height(rec):
                    prescription.append(KeepTogether([*lines, *rest]))
                else:
                    prescription += [*lines, KeepTogether(rest)]
                signed = []
        else:
            prescription.append(KeepTogether(block))
    if signed:
        prescription.append(KeepTogether([f for b in signed for f in b]))
    if prescription:
        out += _prescription(prescription, major is not None, rec)
    return out


def _prescription(blocks: list[Flowable], after_box: bool, rec: OrderRecord) -> list[Flowable]:
    """The prescription's sections; kept on one page with the signature when a warning box
    comes first (without one it starts at the top of page 1 and the layout is unchanged)."""
    return [_PrescriptionTogether(blocks, _frame_height(rec))] if after_box else list(blocks)


def render_order(rec: OrderRecord, form: FormDefinition) -> bytes:
    """The compound order PDF for ``rec`` laid out from ``form``; same record, same bytes."""
    ref = document_ref(rec.document_id)
    marks = PageMarks()
    return build_pdf(
        story(rec, form, marks),
        paper=rec.paper_size,
        footer=Footer(label=f"Compound order {rec.order_id} · {ref}", qr_text=ref,
                      patient_name=rec.values.get("patient.name", ""),
                      patient_dob=fmt_date(rec.values.get("patient.dob", "")), marks=marks),
        title=f"k2desk order {rec.order_id} {ref}",
        subject="Compounded prescription order",
        created_on=rec.created_on,
    )


render = render_order
