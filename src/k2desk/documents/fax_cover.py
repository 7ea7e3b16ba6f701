"""The fax cover sheet: date, to, from, total pages including the cover, reference, notice.

The reference names the order or document, never the patient (DOMAIN.md section 4): the cover
is the page most likely to be read by the wrong person.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from k2desk.documents import styles as S
from k2desk.documents.blocks import boxed, fmt_date, letterhead, para
from k2desk.documents.fonts import markup
from k2desk.documents.page import Footer, build_pdf
from k2desk.domain.documents import FaxCoverRecord


def _rows(rec: FaxCoverRecord) -> list[tuple[str, list[Flowable]]]:
    st = S.stylesheet()
    p = rec.from_pharmacy

    def lines(*pairs: tuple[str, str]) -> list[Flowable]:
        return [para(value, st.body, prefix=f"<b>{label}</b> " if label else "")
                for label, value in pairs if value]

    return [
        ("Date", lines(("", fmt_date(rec.created_on)))),
        ("To", lines(("", rec.to_name or "Prescriber's office"), ("", rec.to_organisation),
                     ("Fax:", rec.to_fax), ("Phone:", rec.to_phone))),
        ("From", lines(("", p.name), ("Fax:", p.fax),
                       ("Phone:", f"{p.phone} (call this number if any pages are missing or unreadable)"
                        if p.phone else ""))),
        ("Pages", [Paragraph(f"<b>{rec.total_pages}</b> (including this cover sheet)", st.body)]),
        ("Reference", lines(("", rec.reference))),
    ]


def _notice(rec: FaxCoverRecord) -> str:
    phone = rec.from_pharmacy.phone
    call = f"call us at {phone}" if phone else "call the pharmacy named above"
    return (
        "CONFIDENTIAL. The pages that follow may contain protected health information. They are "
        "meant only for the person named above. If you are not that person, or you received this "
        f"fax by mistake, please {call} right away, then destroy every page. Do not read, copy, "
        "share or act on them."
    )


def story(rec: FaxCoverRecord) -> list[Flowable]:
    st = S.stylesheet()
    width = S.page_size(rec.paper_size)[0] - 2 * S.SIDE_MARGIN
    table = Table(
        [[Paragraph(f"<b>{label}</b>", st.body_bold), cell] for label, cell in _rows(rec)],
        colWidths=[width * 0.22, width * 0.78],
    )
    table.setStyle(S.table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), S.RULE, S.INK),
        ("LINEABOVE", (0, 0), (-1, 0), S.RULE, S.INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    title = Paragraph("FAX", st.title.clone("fax_title", fontSize=30, leading=36))
    out: list[Flowable] = [letterhead(rec.from_pharmacy, width), Spacer(1, 14), title, Spacer(1, 6), table]
    if rec.note:
        out += [Spacer(1, 14), boxed([Paragraph("Message", st.box_title), para(rec.note, st.body)], width)]
    out += [Spacer(1, 18),
            boxed([Paragraph(markup(_notice(rec)), st.body_bold)], width, border=S.HEAVY_RULE * 0.67)]
    return out


def render_fax_cover(rec: FaxCoverRecord) -> bytes:
    """The cover sheet PDF for ``rec`` (one page); same record, same bytes."""
    return build_pdf(
        story(rec),
        paper=rec.paper_size,
        footer=Footer(label=f"Fax cover sheet · {rec.reference}", qr_text=rec.reference),
        title=f"k2desk fax cover {rec.reference}",
        subject="Fax cover sheet",
        created_on=rec.created_on,
    )


render = render_fax_cover
