"""Right-to-left text on a left-to-right page: visual order and Arabic joining, done up front.

Why by hand: reportlab orders right-to-left *words* only with the optional ``rlbidi`` package
(not installable from PyPI here), and its own HarfBuzz shaping shapes a whole word with the
font of the word's first character, so a word such as "דוד," (Hebrew letters, Latin comma)
prints the comma as a missing-glyph box. So this module turns each right-to-left stretch into
the characters to draw left to right, and reportlab draws them unshaped, one font per
character as usual:

- words of a stretch in reverse order, and the pieces of each word (letters with their marks)
  reversed, numbers kept left to right, brackets mirrored;
- Arabic words shaped with uharfbuzz in the bundled Noto Sans Arabic: each joined letter form
  it picks is written as the Unicode presentation-form character the font maps to that glyph
  (U+FExx), which reportlab then draws with the same glyph. Text extraction reads those back
  as presentation forms; Unicode NFKC folds them to the letters typed.

This is a word-level subset of the Unicode bidi algorithm for a left-to-right page. A
right-to-left stretch that wraps onto a second line reads in the wrong line order; names and
short fields fit on one line.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

ARABIC_FAMILY = "K2Arabic"
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<",
           "«": "»", "»": "«"}
_OPENING = frozenset("([{<«")
# Print the letters typed: no optional ligatures (dlig makes "محمد" one vowelled glyph).
_FEATURES = {"liga": False, "dlig": False, "kern": False}


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
    font = pdfmetrics.getFont(ARABIC_FAMILY)
    assert isinstance(font, TTFont)
    face = font.face
    hb_font = hb.Font(hb.Face(hb.Blob(face._ttf_data)))
    reverse: dict[int, str] = {}
    for cp, gid in face.charToGlyph.items():
        if gid not in reverse or cp < ord(reverse[gid]):
            reverse[gid] = chr(cp)
    return hb_font, reverse


def _pieces(word: str) -> list[str]:
    """A word cut into the units that move as a whole when reversed: a letter with its
    combining marks, or a run of digits (numbers read left to right inside Arabic and Hebrew)."""
    pieces: list[str] = []
    for ch in word:
        if pieces and unicodedata.category(ch).startswith("M"):
            pieces[-1] += ch
        elif pieces and ch.isdigit() and pieces[-1][-1:].isdigit():
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def _shape_arabic(word: str) -> str:
    """``word`` in visual order with Arabic joining forms, as characters to draw unshaped."""
    hb_font, reverse = _arabic()
    buf = hb.Buffer()
    buf.add_str(word)
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(hb_font, buf, _FEATURES)
    out: list[str] = []
    clusters = [info.cluster for info in buf.glyph_infos]
    for k, info in enumerate(buf.glyph_infos):
        ch = reverse.get(info.codepoint) if info.codepoint else None
        if ch is None:
            # Not in the Arabic font (a Latin comma, a digit) or a glyph with no character:
            # draw the typed characters of this cluster, found again by the fallback chain.
            end = min((c for c in clusters if c > info.cluster), default=len(word))
            if k > 0 and clusters[k - 1] == info.cluster:
                continue
            piece = word[info.cluster:end]
            ch = _MIRROR.get(piece, piece)
        out.append(ch)
    return "".join(out)


def _visual_word(word: str) -> str:
    if not any(unicodedata.bidirectional(c) == "AL" for c in word):
        return "".join(_MIRROR.get(p, p) for p in reversed(_pieces(word)))
    # Numbers stay left to right: shape the runs between them, then reverse the runs.
    runs: list[str] = []
    for ch in word:
        if runs and ch.isdigit() == runs[-1][-1].isdigit():
            runs[-1] += ch
        else:
            runs.append(ch)
    return "".join(r if r[0].isdigit() else _shape_arabic(r) for r in reversed(runs))


def visual_order(text: str) -> str:
    """``text`` (one line) as the characters to draw left to right.

    A right-to-left stretch runs from a right-to-left letter to the last one before the next
    left-to-right letter; neutral characters at its edges stay with the left-to-right page.
    """
    kinds = [strong(c) for c in text]
    if "R" not in kinds:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if kinds[i] != "R":
            out.append(text[i])
            i += 1
            continue
        end = i
        j = i
        while j < n and kinds[j] != "L":
            # Numbers after right-to-left letters read with them (Unicode bidi rule W7).
            if kinds[j] == "R" or text[j].isdigit():
                end = j
            j += 1
        while end + 1 < n and unicodedata.category(text[end + 1]).startswith("M"):
            end += 1
        # An opening bracket just before the stretch whose partner closes inside it belongs
        # to the stretch: "(דוד) 12" keeps its brackets around the name.
        if out and out[-1] in _OPENING and _MIRROR[out[-1]] in text[i : end + 1]:
            i -= 1
            out.pop()
        words = text[i : end + 1].split(" ")
        out.append(" ".join(_visual_word(w) for w in reversed(words)))
        i = end + 1
    return "".join(out)
