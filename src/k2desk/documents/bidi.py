"""Right-to-left text on a left-to-right page: the Unicode bidirectional algorithm, line by line.

User text stays in logical (typed) order through markup and line breaking. :class:`BidiParagraph`
lets reportlab wrap the logical text and, when it draws, puts each *line* in visual order with
the Unicode bidirectional algorithm from ``python-bidi`` (a wrapper of the Rust
``unicode-bidi`` crate): embedding levels resolved by the library, then rules L1 (trailing
spaces at the page's level), L2 (reverse each run at or above a level, highest first) and L4
(mirrored brackets) over the line. So a right-to-left address that wraps reads first line
first, and each line reads right to left.

Arabic letters are joined up front by :func:`join_arabic`: uharfbuzz shapes each Arabic run in
the bundled Noto Sans Arabic, and each joined letter form it picks is written as the Unicode
presentation-form character the font maps to that glyph (U+FExx), still in logical order;
reportlab then draws those characters unshaped with the same glyphs. Text extraction reads the
presentation forms back as the letters typed through the fonts' ToUnicode maps (fonts.py).

Why reportlab's own bidi is not used: it needs the optional ``rlbidi`` package (not on PyPI
here) and shapes a whole word with the font of the word's first character, so a word such as
"דוד," (Hebrew letters, Latin comma) would print the comma as a missing-glyph box.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import uharfbuzz as hb
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

ARABIC_FAMILY = "K2Arabic"
# Print the letters typed: no optional ligatures (dlig makes "محمد" one vowelled glyph).
_FEATURES = {"liga": False, "dlig": False, "kern": False}
# A run of Arabic letters (bidi class AL) with their combining marks: what HarfBuzz joins.
_ARABIC_RUN = re.compile(
    "(?:[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe])+")
# Where an inline object (an image, an anchor) sits in a line's text while it is reordered.
_OBJECT = "\ufffc"


def strong(ch: str) -> str:
    """'R' for right-to-left letters, 'L' for left-to-right letters, 'N' for the rest."""
    bidi = unicodedata.bidirectional(ch)
    if bidi in ("R", "AL"):
        return "R"
    if bidi == "L":
        return "L"
    return "N"


def has_rtl(text: str) -> bool:
    return any(strong(c) == "R" for c in text)


@cache
def _arabic() -> tuple[hb.Font, dict[int, str]]:
    """HarfBuzz font for the Arabic face and its glyph -> character map (lowest code point, so
    a base letter wins over a presentation form that shares its glyph)."""
    from k2desk.documents.fonts import register_fonts

    register_fonts()
    font = pdfmetrics.getFont(ARABIC_FAMILY)
    assert isinstance(font, TTFont)
    face = font.face
    hb_font = hb.Font(hb.Face(hb.Blob(face._ttf_data)))
    reverse: dict[int, str] = {}
    for cp, gid in face.charToGlyph.items():
        if gid not in reverse or cp < ord(reverse[gid]):
            reverse[gid] = chr(cp)
    return hb_font, reverse


def _join_run(run: str) -> str:
    """An Arabic run with each letter in its joined form, in logical order."""
    if not any(unicodedata.bidirectional(c) == "AL" for c in run):
        return run
    hb_font, reverse = _arabic()
    buf = hb.Buffer()
    buf.add_str(run)
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(hb_font, buf, _FEATURES)
    units: list[tuple[int, str]] = []  # (cluster, text), in HarfBuzz's (visual) order
    clusters = [info.cluster for info in buf.glyph_infos]
    for k, info in enumerate(buf.glyph_infos):
        ch = reverse.get(info.codepoint) if info.codepoint else None
        if ch is None:
            # A glyph with no character of its own: keep the typed characters of its cluster.
            if k > 0 and clusters[k - 1] == info.cluster:
                continue
            end = min((c for c in clusters if c > info.cluster), default=len(run))
            ch = run[info.cluster:end]
        units.append((info.cluster, ch))
    # Right-to-left buffer: glyphs come last letter first; back to typed order.
    units.sort(key=lambda u: u[0])
    return "".join(text for _, text in units)


def join_arabic(text: str) -> str:
    """``text`` with its Arabic letters in their joined (presentation) forms, order kept."""
    return _ARABIC_RUN.sub(lambda m: _join_run(m.group()), text)


def _levels(text: str) -> list[int]:
    """The resolved embedding level of every character of ``text`` (one paragraph, left-to-right
    page), from python-bidi.

    python-bidi exposes the levels only through ``get_display(..., debug=True)``, which
    returns the Rust ``BidiInfo`` debug text with one level per UTF-8 byte; each character
    takes the level of its first byte. The version is pinned in pyproject.toml and a test
    checks the reading, so a format change fails loudly rather than misprinting.
    """
    info = str(get_display(text, base_dir="L", debug=True))
    block = info.split("levels: [", 1)[1].split("]", 1)[0]
    per_byte = [int(v) for v in re.findall(r"Level\(\s*(\d+),?\s*\)", block)]
    sizes = [len(ch.encode("utf-8")) for ch in text]
    if len(per_byte) != sum(sizes):
        raise RuntimeError("python-bidi returned levels this version of k2desk cannot read")
    out, at = [], 0
    for size in sizes:
        out.append(per_byte[at])
        at += size
    return out


def visual_positions(text: str, levels: list[int] | None = None) -> list[int]:
    """Indices of ``text`` (one printed line, logical order) in the order to draw them left to
    right: Unicode bidi rules L1 and L2 over the resolved ``levels`` (python-bidi's levels of
    the line alone when not given)."""
    if not has_rtl(text):
        return list(range(len(text)))
    levels = list(_levels(text) if levels is None else levels)
    # L1: whitespace at the end of the line goes back to the page's (left-to-right) level.
    end = len(text)
    while end > 0 and text[end - 1].isspace():
        end -= 1
        levels[end] = 0
    order = list(range(len(text)))
    # L2: from the highest level down to the lowest odd one, reverse every run at or above it.
    lowest_odd = min((lv for lv in levels if lv % 2), default=None)
    if lowest_odd is None:
        return order
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def _mirrored(ch: str, rtl: bool) -> str:
    # L4: a mirrored character (a bracket) in right-to-left text is drawn as its mirror image.
    return MIRRORED.get(ch, ch) if rtl else ch


def visual_order(text: str) -> str:
    """One line of ``text`` (logical order) as the characters to draw left to right, Arabic
    joined: for places that draw a single line without :class:`BidiParagraph`."""
    return _reorder(join_arabic(text))


def _reorder(line: str, levels: list[int] | None = None, font_name: str = "") -> str:
    if not has_rtl(line):
        return line
    levels = _levels(line) if levels is None else levels
    shown = "".join(_mirrored(line[i], levels[i] % 2 == 1) for i in visual_positions(line, levels))
    if not font_name:
        return shown
    from k2desk.documents.fonts import split_lam_alef  # fonts imports this module
    return "".join(split_lam_alef(font_name, ch) for ch in shown)


def _line_text(line: Any, kind: int) -> str:
    if kind == 0:
        return " ".join(line[1])
    if not hasattr(line, "words"):
        return ""
    return "".join(_OBJECT if hasattr(f, "cbDefn") else f.text for f in line.words)


def _paragraph_levels(lines: list[str]) -> list[list[int]]:
    """Each wrapped line's levels, resolved over the whole paragraph.

    The bidi algorithm resolves levels over the paragraph and reorders line by line (UAX #9,
    section 3.4): a number at the start of a wrapped line still belongs to the right-to-left
    text before it. The paragraph is the lines joined by the spaces reportlab dropped where it
    broke them.
    """
    text = " ".join(lines)
    levels = _levels(text) if has_rtl(text) else [0] * len(text)
    out, at = [], 0
    for line in lines:
        out.append(levels[at:at + len(line)])
        at += len(line) + 1
    return out


def _visual_frag_line(words: list[Any], levels: list[int]) -> list[Any]:
    """A wrapped line's fragments (each with its own font and style) in visual order: the
    line's characters are reordered as one text, then cut back into fragments wherever the
    owning fragment changes."""
    text: list[str] = []
    owner: list[int] = []
    for k, frag in enumerate(words):
        piece = _OBJECT if hasattr(frag, "cbDefn") else frag.text
        text.extend(piece)
        owner.extend([k] * len(piece))
    line = "".join(text)
    if not has_rtl(line):
        return words
    out: list[Any] = []
    run_owner, run_chars = -1, []

    def flush() -> None:
        if run_owner < 0:
            return
        frag = words[run_owner]
        out.append(frag if hasattr(frag, "cbDefn") else frag.clone(text="".join(run_chars)))

    from k2desk.documents.fonts import split_lam_alef  # fonts imports this module

    for i in visual_positions(line, levels):
        if owner[i] != run_owner or hasattr(words[owner[i]], "cbDefn"):
            flush()
            run_owner, run_chars = owner[i], []
        frag = words[owner[i]]
        ch = _mirrored(line[i], levels[i] % 2 == 1)
        run_chars.append(ch if hasattr(frag, "cbDefn") else split_lam_alef(frag.fontName, ch))
    flush()
    return out


class BidiParagraph(Paragraph):
    """A Paragraph of logical-order text that draws each wrapped line in visual order.

    Line breaking, splitting across pages and heights are reportlab's own, on the logical
    text; only drawing sees the reordered lines (a copy: the split logic keeps the logical
    lines, so a paragraph continued on the next page is not reordered twice).
    """

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 - reportlab's method name
        logical = self.blPara
        self.blPara = _visual_lines(logical)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical


def _visual_lines(bl_para: Any) -> Any:
    texts = [_line_text(line, bl_para.kind) for line in bl_para.lines]
    if not any(has_rtl(t) for t in texts):
        return bl_para
    levels = _paragraph_levels(texts)
    if bl_para.kind == 0:
        # One font and style: lines are (extra space, [words]).
        return bl_para.clone(lines=[
            (extra, _reorder(text, lv, bl_para.fontName).split(" ") if has_rtl(text) else words)
            for (extra, words), text, lv in zip(bl_para.lines, texts, levels, strict=True)])
    return bl_para.clone(lines=[
        line.clone(words=_visual_frag_line(line.words, lv)) if hasattr(line, "words") else line
        for line, lv in zip(bl_para.lines, levels, strict=True)])
