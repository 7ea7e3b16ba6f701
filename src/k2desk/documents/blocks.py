"""Small building blocks shared by the renderers: dates, paragraphs of user text, boxes, rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table

from k2desk.documents import styles as S
from k2desk.documents.bidi import BidiParagraph
from k2desk.documents.fonts import markup
from k2desk.domain.documents import PharmacyProfile
from k2desk.domain.languages import as_date


def fmt_date(day: dt.date | str) -> str:
    """'November 22, 2026': month spelled out, so no one reads 03/04 the wrong way round."""
    when = as_date(day)
    if when is None:
        return str(day)
    return f"{when:%B} {when.day}, {when.year}"


def para(text: str, style: ParagraphStyle, *, prefix: str = "", suffix: str = "") -> Paragraph:
    """A paragraph of user ``text`` (escaped, fonts per script); ``prefix``/``suffix`` are trusted
    markup written by k2desk itself (bold labels, citation markers). Right-to-left text wraps in
    logical order and each line is drawn in visual order (``bidi.BidiParagraph``)."""
    return BidiParagraph(prefix + markup(text) + suffix, style)


def labelled(label: str, value: str, style: ParagraphStyle | None = None) -> Paragraph:
    """'<b>Label:</b> value' with the value as typed."""
    return para(value, style or S.stylesheet().body, prefix=f"<b>{markup(label)}:</b> ")


def boxed(content: Sequence[Flowable], width: float, *, border: float = S.RULE,
          padding: float = 8) -> Flowable:
    """``content`` inside a black border (no fill: grey turns to mush on a fax).

    A box is never split across pages: one that does not fit starts on the next page. Only a
    box taller than a whole page (a very long review) continues over pages.
    """
    # splitInRow lets that over-tall box split; KeepTogether moves any other box whole.
    t = Table([[list(content)]], colWidths=[width], splitInRow=1)
    t.setStyle(S.table_style([
        ("BOX", (0, 0), (-1, -1), border, S.INK),
        ("LEFTPADDING", (0, 0), (-1, -1), padding + border / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding + border / 2),
        ("TOPPADDING", (0, 0), (-1, -1), padding - 2 + border / 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding + border / 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return KeepTogether([t])


def letterhead(pharmacy: PharmacyProfile, width: float, right: Sequence[Flowable] = (), *,
               left_share: float = 0.64, words: tuple[str, str] = ("Phone", "Fax")) -> Table:
    """Pharmacy name, address, phone and fax on the left (``left_share`` of the width);
    ``right`` (for example a date) opposite, with a rule underneath. ``words`` are the labels
    of the phone and fax numbers (a handout's come from its language's template)."""
    st = S.stylesheet()
    left: list[Flowable] = [para(pharmacy.name or "Pharmacy", st.letterhead_name)]
    if pharmacy.address:
        left.append(para(pharmacy.address, st.letterhead))
    contact = "   ".join(
        f"{label} {value}" for label, value in ((words[0], pharmacy.phone), (words[1], pharmacy.fax)) if value
    )
    if contact:
        left.append(para(contact, st.letterhead))
    t = Table([[left, list(right)]], colWidths=[width * left_share, width * (1 - left_share)])
    t.setStyle(S.table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, -1), S.RULE * 2, S.INK),
    ]))
    return t
