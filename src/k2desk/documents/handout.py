"""The patient handout: letterhead, interaction box, question-style sections, foods, references."""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from k2desk.documents import styles as S
from k2desk.documents.blocks import boxed, labelled, letterhead, para
from k2desk.documents.fonts import markup
from k2desk.documents.page import Footer, build_pdf, document_ref
from k2desk.documents.vka_box import patient_box, review_paragraph
from k2desk.domain.documents import HandoutItem, HandoutRecord, InteractionNotice
from k2desk.domain.evidence import StudyType
from k2desk.domain.languages import HandoutTemplate

# Every fixed text comes from the record's template (resources/templates/handout.<code>.toml,
# issue 25), stored with the handout so it renders again from exactly the words it printed.


def template_of(rec: HandoutRecord) -> HandoutTemplate:
    """The record's template; a record without one cannot be rendered (the services fill it)."""
    if not rec.template:
        raise ValueError("the handout record carries no template (its fixed texts); build it "
                         "with services.handouts")
    return HandoutTemplate(code=rec.language, texts=rec.template)


def _width(rec: HandoutRecord) -> float:
    return float(S.page_size(rec.paper_size)[0] - 2 * S.SIDE_MARGIN)


def _styles(rec: HandoutRecord) -> S.Styles:
    """12 pt body text, or 14 pt with the large-print setting."""
    return S.stylesheet(S.LARGE_PRINT_SIZE if rec.large_print else S.HANDOUT_BODY_SIZE)


def _interaction_box(n: InteractionNotice, width: float, st: S.Styles, t: HandoutTemplate) -> Flowable:
    major = n.severity == "major"
    severity = t.texts.get(f"interaction_box.{n.severity}") or t.text("interaction_box.other")
    title = t.text("interaction_box.title", severity=severity, agent=n.agent)
    typed = "interaction_box.medicine_may_be" if n.certainty != "exact" else "interaction_box.medicine_is"
    body: list[Flowable] = [
        para(title, st.box_title),
        para(n.medication_as_typed, st.body_bold if major else st.body,
             prefix=markup(t.text("interaction_box.medicine_before")),
             suffix=t.texts[typed].format(agent=markup(n.agent))),
    ]
    if n.patient_message:
        body.append(para(n.patient_message, st.body_bold if major else st.body))
    if n.acknowledged_by:
        body.append(review_paragraph(n, st, t))
    return boxed(body, width, border=S.HEAVY_RULE if major else S.RULE * 1.5, padding=9)


def _item(item: HandoutItem, st: S.Styles) -> Paragraph:
    cites = "".join(f"[{c}]" for c in item.citation_numbers)
    return para(item.text, st.body, prefix=f"<b><i>{markup(item.evidence_label)}:</i></b> ",
                suffix=f" {cites}" if cites else "")


def _food_table(cells: list[list[Flowable]], width: float) -> Table:
    t = Table(cells, colWidths=[width * 0.36, width * 0.24, width * 0.14, width * 0.26], repeatRows=1)
    # Rules, not shading: a grey fill dithers to a black smear on a fax.
    t.setStyle(S.table_style([
        ("LINEABOVE", (0, 0), (-1, 0), S.RULE * 1.5, S.INK),
        ("LINEBELOW", (0, 0), (-1, 0), S.RULE * 1.5, S.INK),
        ("LINEBELOW", (0, 1), (-1, -1), S.RULE * 0.75, S.INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


def _foods(rec: HandoutRecord, width: float) -> list[Flowable]:
    st = _styles(rec)
    header = [Paragraph(markup(h), st.cell_bold) for h in template_of(rec).items("foods.columns")]
    rows = [[para(f.food, st.cell), para(f.serving, st.cell), para(f.form, st.cell), para(f.amount, st.cell)]
            for f in rec.foods]
    # The table may run on to the next page (its header row repeats there) rather than move
    # whole and leave a third of a page blank; the heading stays with the header and two rows.
    heading = Paragraph(markup(template_of(rec).text("foods.heading")),
                        ParagraphStyle("foods-heading", parent=st.heading, keepWithNext=0))
    need = (heading.wrap(width, 10_000)[1] + st.heading.spaceBefore + st.heading.spaceAfter
            + _food_table([header, *rows[:2]], width).wrap(width, 10_000)[1])
    return [CondPageBreak(need), heading, _food_table([header, *rows], width)]


def _grading(width: float, st: S.Styles, t: HandoutTemplate) -> Flowable:
    body: list[Flowable] = [
        Paragraph(markup(t.text("grading.title")), st.box_title),
        Paragraph(markup(t.text("grading.intro")), st.body),
    ]
    for label in (t.text(f"evidence_labels.{k.value}") for k in StudyType):
        body.append(Paragraph(f"<b><i>{markup(label)}</i></b>", st.bullet, bulletText="•"))
    return boxed(body, width)


def _counselled(rec: HandoutRecord, width: float) -> Table:
    st = _styles(rec)
    tpl = template_of(rec)
    who = para(rec.counselled_by, st.body) if rec.counselled_by else Paragraph("", st.body)
    # The template spells the label (US "Counseled"); the record's field keeps its stored name.
    t = Table([[Paragraph(f"<b>{markup(tpl.text('handout.counseled_by'))}</b>", st.body), who,
                Paragraph(f"<b>{markup(tpl.text('handout.date'))}</b>", st.body),
                para(tpl.date(rec.created_on), st.body)]],
              colWidths=[width * 0.24, width * 0.34, width * 0.1, width * 0.32])
    t.setStyle(S.table_style([
        ("LINEBELOW", (1, 0), (1, 0), S.RULE, S.INK),
        ("LINEBELOW", (3, 0), (3, 0), S.RULE, S.INK),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 14),
    ]))
    return t


def _height(f: Flowable, width: float) -> float:
    """``f``'s height with its spacing, measured on a scratch canvas (nothing is drawn)."""
    if isinstance(f, KeepTogether):  # (its wrap answers the room it was offered)
        return sum(_height(g, width) for g in f._content)
    h = f.wrapOn(Canvas(io.BytesIO()), width, 100_000)[1]
    return float(h + f.getSpaceBefore() + f.getSpaceAfter())


def _title_block(rec: HandoutRecord, width: float, st: S.Styles, t: HandoutTemplate) -> list[Flowable]:
    """Letterhead, title, the patient's name and date of birth (new flowables on every call)."""
    right = ParagraphStyle("right", parent=st.letterhead, alignment=TA_RIGHT)
    return [
        letterhead(rec.pharmacy, width, [para(t.date(rec.created_on), right),
                                         Paragraph(document_ref(rec.document_id), right)],
                   words=(t.text("letterhead.phone"), t.text("letterhead.fax"))),
        Spacer(1, 8),
        para(rec.title, st.title),
        labelled(t.text("handout.prepared_for"), rec.patient_name, st.body),
        labelled(t.text("handout.date_of_birth"), t.date(rec.patient_dob), st.body),
        Spacer(1, 6),
    ]


def _first_page_vka_box(rec: HandoutRecord, majors: list[InteractionNotice],
                        width: float, st: S.Styles, t: HandoutTemplate) -> Flowable:
    """The VKA box in the handout's own layout, or, when that would not fit under the title (a
    longer language, a long review reason, two blood thinners), in a tighter one that still
    does: closer lines first, then up to 1.5 pt smaller, never under 10 pt. A box never splits (issue
    14), so a box too tall for page 1 would leave page 1 with only the title on it. A box that
    fits in the normal layout is drawn exactly as before (same bytes)."""
    room = (S.page_size(rec.paper_size)[1] - S.TOP_MARGIN - S.BOTTOM_MARGIN
            - sum(_height(f, width) for f in _title_block(rec, width, st, t)) - 2)  # 2 pt: rounding
    size = st.body.fontSize
    tries = [st, S.stylesheet(size, compact=True)]
    # (the stylesheet's table cells are 0.5 pt under the body: keep those at 10 pt too)
    tries += [S.stylesheet(s, compact=True) for s in (size - 1, size - 1.5) if s - 0.5 >= S.MIN_FONT_SIZE]
    # Measured on a copy: the box that prints is made fresh, never wrapped before the layout.
    fits = next((s for s in tries if _height(patient_box(majors, rec.contraindications, width, s, t),
                                             width) <= room), tries[-1])
    # (none fits: the tightest one; taller than page 1 even so, it starts on page 2 as before)
    return patient_box(majors, rec.contraindications, width, fits, t)


def story(rec: HandoutRecord) -> list[Flowable]:
    """The handout's flowables, in print order: interaction boxes, then the legend that
    explains the evidence labels, then the statements that carry them."""
    st = _styles(rec)
    t = template_of(rec)
    width = _width(rec)
    out = _title_block(rec, width, st, t)
    # A patient on a blood thinner gets the whole VKA box on every handout, whatever the topics;
    # other findings keep a box each, below it.
    majors = [n for n in rec.interactions if n.severity == "major"]
    if majors:
        out += [_first_page_vka_box(rec, majors, width, st, t), Spacer(1, 8)]
    for notice in rec.interactions:
        if notice.severity != "major":
            out += [_interaction_box(notice, width, st, t), Spacer(1, 8)]
    if rec.sections:  # the legend comes before the statements it explains
        out += [_grading(width, st, t), Spacer(1, 4)]
    for section in rec.sections:
        items = [_item(i, st) for i in section.items]
        # Keep a question with its first answer so a heading never ends a page.
        out.append(KeepTogether([para(section.question, st.heading), *items[:1]]))
        out += items[1:]
    if rec.foods:
        out += _foods(rec, width)
    # The heading keeps its first paragraph and the sign-off line its last: neither starts or
    # ends a page alone, and the block may still break between paragraphs (no half-blank page).
    notice = [Paragraph(markup(p), st.body) for p in t.items("disclaimer.paragraphs")]
    out += [Spacer(1, 10), KeepTogether([Paragraph(markup(t.text("disclaimer.heading")), st.heading),
                                         notice[0]]),
            *notice[1:-1], KeepTogether([notice[-1], _counselled(rec, width)])]
    if rec.citations:
        refs = [Paragraph(f"[{i}]&nbsp;&nbsp;{markup(c)}", st.reference)
                for i, c in enumerate(rec.citations, 1)]
        out += [KeepTogether([Paragraph(markup(t.text("handout.references")), st.heading), *refs[:1]]),
                *refs[1:]]
    return out


def render_handout(rec: HandoutRecord) -> bytes:
    """The handout PDF for ``rec``: same record, same bytes; no patient name in the metadata."""
    ref = document_ref(rec.document_id)
    t = template_of(rec)
    return build_pdf(
        story(rec),
        paper=rec.paper_size,
        footer=Footer(label=t.text("handout.footer_label", ref=ref), qr_text=ref,
                      patient_name=rec.patient_name, patient_dob=t.date(rec.patient_dob),
                      patient_word=t.text("footer.patient"), dob_word=t.text("footer.date_of_birth"),
                      page_format=t.text("footer.page")),
        title=f"k2desk handout {ref}",
        subject="Vitamin K2 patient handout",
        created_on=rec.created_on,
    )


render = render_handout
