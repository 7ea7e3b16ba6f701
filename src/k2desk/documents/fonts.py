"""Bundled fonts: registration, per-character fallback, right-to-left runs, printable checks.

Every piece of user text that reaches a PDF goes through :func:`markup`, which escapes it for
reportlab's Paragraph mini-language and wraps each run of characters in the first bundled font
that has them (see resources/fonts/README.md for the chain). A character that no bundled font has
is refused up front by :func:`check_printable` (services call it before saving) and, as a last
line of defence, makes :func:`markup` raise instead of printing a box or dropping it.

Text stays in logical (typed) order, Arabic joined into presentation forms by
``k2desk.documents.bidi``; right-to-left text is put in visual order line by line, after
wrapping, by ``bidi.BidiParagraph`` (``blocks.para`` builds one). A plain reportlab Paragraph
draws markup in logical order, so user text that may hold right-to-left letters must go in a
BidiParagraph (or, for one line drawn on the canvas, through ``bidi.visual_order``).

Scripts whose letters change shape, combine or reorder (Devanagari, Bengali, Gurmukhi,
Gujarati, Tamil, Telugu, Thai, Lao, Khmer, Burmese) are shaped here with uharfbuzz, one word
at a time, and each glyph HarfBuzz picks is drawn through a private-use code point that the
font's subset maps to that glyph (see :func:`_shape_word`). The PDF's ToUnicode map sends each
of those code points back to the characters typed, so a conjunct (one glyph, several
characters) or a vowel drawn before its consonant still extracts as the name as typed.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

import uharfbuzz as hb
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from k2desk.documents.bidi import join_arabic, strong
from k2desk.domain.issues import FieldIssue, error
from k2desk.resources import resource_path

# The body font family; bold/italic come from <b>/<i> through reportlab's family mapping.
BASE = "K2Sans"


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    # Shaped with HarfBuzz (complex scripts); the other families draw one glyph per character.
    shaped: bool = False


def _script(family: str, stem: str, shaped: bool = True) -> _Family:
    """A Noto script family with regular and bold faces (no italics: they print upright)."""
    regular, bold = f"NotoSans{stem}-Regular.ttf", f"NotoSans{stem}-Bold.ttf"
    return _Family(family, regular, bold, regular, bold, shaped)


# Fallback order: the first family whose regular face has a character prints it.
_FAMILIES: tuple[_Family, ...] = (
    _Family(BASE, "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf",
            "NotoSans-BoldItalic.ttf"),
    _Family("K2Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
            "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    _Family("K2Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
            "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    _Family("K2CJK", "DroidSansFallbackFull.ttf", "DroidSansFallbackFull.ttf",
            "DroidSansFallbackFull.ttf", "DroidSansFallbackFull.ttf"),
    _Family("K2Korean", "NanumGothic.ttf", "NanumGothic.ttf", "NanumGothic.ttf", "NanumGothic.ttf"),
    _script("K2Devanagari", "Devanagari"),
    _script("K2Bengali", "Bengali"),
    _script("K2Gurmukhi", "Gurmukhi"),
    _script("K2Gujarati", "Gujarati"),
    _script("K2Tamil", "Tamil"),
    _script("K2Telugu", "Telugu"),
    _script("K2Thai", "Thai"),
    _script("K2Lao", "Lao"),
    _script("K2Khmer", "Khmer"),
    _script("K2Myanmar", "Myanmar"),
    # One glyph per character, no shaping needed (Ethiopic is a syllabary; Armenian and
    # Georgian are alphabets like Latin).
    _script("K2Ethiopic", "Ethiopic", shaped=False),
    _script("K2Armenian", "Armenian", shaped=False),
    _script("K2Georgian", "Georgian", shaped=False),
)
_SHAPED = frozenset(f.name for f in _FAMILIES if f.shaped)
# Shaped glyphs are drawn through code points of Supplementary Private Use Area-A, which no
# bundled font maps and which are never typed into a printed field (missing_characters
# refuses them: no family covers them).
_PUA_FIRST, _PUA_LAST = 0xF0000, 0xFFFFD

# Invisible marks the body font draws as a visible symbol (an arrow for U+200F): on screen they
# show as nothing, in the PDF as a stray mark, so no font is said to print them.
_DRAWN_AS_SYMBOL = frozenset({0x200E, 0x200F, 0x034F, *range(0x206A, 0x2070)})

# A Korean syllable typed as separate conjoining letters (a leading consonant then a vowel jamo):
# the screen joins them into one block, the PDF draws them side by side.
_JAMO_SYLLABLE = re.compile("[\u1100-\u115f\ua960-\ua97c][\u1160-\u11a7\ud7b0-\ud7c6]")

_lock = threading.Lock()
_registered: list[bool] = []  # set once every face is registered (under _lock)


def _face_name(family: str, bold: bool, italic: bool) -> str:
    suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Italic",
              (True, True): "-BoldItalic"}[(bold, italic)]
    return family + suffix


@cache
def _coverage() -> tuple[tuple[str, frozenset[int]], ...]:
    """(family name, code points its regular face maps) in fallback order.

    Read from each font's cmap with harfbuzz (milliseconds) rather than by registering the fonts
    with reportlab (over half a second of parsing): checking a patient's name before saving must
    not wait for that (issue #23). The same sets as reportlab's ``charToGlyph``; a test keeps it so.
    """
    out = []
    for fam in _FAMILIES:
        face = hb.Face(hb.Blob(resource_path(f"fonts/{fam.regular}").read_bytes()))
        cover = {cp for cp in face.unicodes if cp < _PUA_FIRST} - _DRAWN_AS_SYMBOL
        # As reportlab does: a no-break space is drawn with the space glyph, and the other way
        # round (ttfonts.TTFontFile.extractInfo).
        if 0x20 in cover:
            cover.add(0xA0)
        elif 0xA0 in cover:
            cover.add(0x20)
        out.append((fam.name, frozenset(cover)))
    return tuple(out)


def _text_of_glyph(code_point: int) -> str:
    """What a copied or extracted glyph should read as: an Arabic presentation form (the joined
    shape bidi.py draws) reads as the letter or letters that were typed."""
    ch = chr(code_point)
    if unicodedata.decomposition(ch).startswith(("<initial>", "<medial>", "<final>", "<isolated>")):
        return unicodedata.normalize("NFKC", ch)
    return ch


def _text_of(code_point: int) -> str:
    if _PUA_FIRST <= code_point <= _PUA_LAST:
        return _pua_text[code_point]
    return _text_of_glyph(code_point)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    # reportlab maps each glyph of a subset font back to the code point that was drawn. For
    # Arabic that is the joined presentation form, so a PDF reader copying or searching the
    # text would get compatibility characters instead of the name as typed. The same CMap,
    # with those glyphs mapped to the typed letters (PDF allows several per glyph), and each
    # shaped glyph (a private-use code point, see _shape_word) mapped to its share of the
    # characters typed.
    text = str(_TTF_TO_UNICODE(fontname, subset))
    lines = [f"<{i:02X}> <{_text_of(v).encode('utf-16-be').hex().upper()}>"
             for i, v in enumerate(subset)]
    head, rest = text.split("beginbfchar\n", 1)
    return head + "beginbfchar\n" + "\n".join(lines) + "\nendbfchar" + rest.split("endbfchar", 1)[1]


_TTF_TO_UNICODE = ttfonts.makeToUnicodeCMap


@cache
def register_fonts() -> None:
    """Register every bundled face with reportlab once per process (thread-safe, cached)."""
    with _lock:
        if _registered:
            return  # a second thread called while the first was registering
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        for fam in _FAMILIES:
            files = {(False, False): fam.regular, (True, False): fam.bold,
                     (False, True): fam.italic, (True, True): fam.bold_italic}
            registered: dict[str, str] = {}  # file -> face name, so a file is parsed once
            for (bold, italic), filename in files.items():
                name = registered.get(filename)
                if name is None:
                    name = _face_name(fam.name, bold, italic)
                    pdfmetrics.registerFont(TTFont(name, str(resource_path(f"fonts/{filename}"))))
                    registered[filename] = name
                addMapping(fam.name, int(bold), int(italic), name)
        _registered.append(True)


def describe(ch: str) -> str:
    """'U+1F600 GRINNING FACE' for a character."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _ignorable(ch: str) -> bool:
    # Line breaks and tabs are laid out, not drawn.
    return ch in "\n\r\t"


@cache
def _plain_chars() -> frozenset[str]:
    """Characters the body font prints that need no fallback and no right-to-left handling:
    text made only of these takes the fast path through :func:`markup`."""
    # The body face's character map read by HarfBuzz alone (under a millisecond), not by
    # registering all 36 faces with reportlab (about half a second): a bulk import with a few
    # accented names needs only this set (issue 23). The same map as reportlab's, less the
    # U+FFFF reportlab adds, which falls through to ``family_for`` and is found there.
    base = next(f for f in _FAMILIES if f.name == BASE)
    face = hb.Face(hb.Blob.from_file_path(str(resource_path(f"fonts/{base.regular}"))))
    cover = [cp for cp in face.unicodes if cp < _PUA_FIRST]
    return frozenset(chr(cp) for cp in cover if strong(chr(cp)) != "R"
                     and not unicodedata.category(chr(cp)).startswith("M")) | frozenset("\n\r\t")


@cache
def family_for(ch: str) -> str | None:
    """The first bundled family that has ``ch``, or None."""
    cp = ord(ch)
    for name, cover in _coverage():
        if cp in cover:
            return name
    return None


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` (each once, in order) that no bundled font can print."""
    if _plain_chars().issuperset(text):
        return []
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and not _ignorable(ch) and family_for(ch) is None:
            seen[ch] = None
    return list(seen)


def check_printable(text: str, field: str, label: str) -> list[FieldIssue]:
    """Refuse text with characters the PDFs cannot print, naming each one.

    Emoji are refused too: no bundled font has them, and a fax turns colour pictures to mush.
    """
    jamo = _JAMO_SYLLABLE.search(text)
    if jamo:
        return [error(field, "unprintable_character",
                      f"{label} has Korean typed as separate letters ({describe(jamo.group()[0])}, "
                      f"{describe(jamo.group()[1])}): the screen joins them into one syllable but "
                      "the printed documents would show them apart. Retype it with a Korean "
                      "keyboard so each syllable is one character.")]
    missing = missing_characters(text)
    if not missing:
        return []
    named = ", ".join(describe(ch) for ch in missing)
    extra = " Emoji cannot be printed; use words instead." if any(_is_emoji(c) for c in missing) else ""
    if any(ord(c) in _DRAWN_AS_SYMBOL for c in missing):
        extra += (" An invisible mark (often pasted with a name) would print as a symbol: retype "
                  "the text without it.")
    return [
        error(
            field,
            "unprintable_character",
            f"{label} contains {'a character' if len(missing) == 1 else 'characters'} the printed "
            f"documents cannot show: {named}. Letters of Latin, Vietnamese, Greek, Cyrillic, Hebrew, "
            f"Arabic, Chinese, Japanese, Korean, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, "
            f"Telugu, Thai, Lao, Khmer, Burmese, Ethiopic, Armenian and Georgian are accepted."
            f"{extra}",
        )
    ]


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or cp in (0xFE0F, 0x200D)


class UnprintableText(ValueError):
    """Raised by :func:`markup` when text reaches a renderer without check_printable."""


def markup(text: str) -> str:
    """Paragraph markup for user ``text``: escaped, Arabic joined, fonts per run, logical order
    (draw it with ``bidi.BidiParagraph``).

    Line breaks become ``<br/>``. Raises :class:`UnprintableText` naming any character no
    bundled font has (services refuse such input earlier with :func:`check_printable`).
    """
    if _plain_chars().issuperset(text):
        return escape(text, {'"': "&quot;"}).replace("\r\n", "\n").replace("\r", "\n") \
            .replace("\t", " ").replace("\n", "<br/>")
    missing = missing_characters(text)
    if missing:
        raise UnprintableText("cannot print " + ", ".join(describe(c) for c in missing))
    register_fonts()  # the runs below name fonts and shape with them (cached: once per process)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(_markup_line(join_arabic(line.replace("\t", " "))) for line in lines)


def _markup_line(text: str) -> str:
    runs: list[tuple[str, list[str]]] = []
    for ch in text:
        fam = family_for(ch)
        assert fam is not None  # markup() refused missing characters already
        if runs and fam != runs[-1][0] and strong(ch) == "N" and ord(ch) in _cover_of(runs[-1][0]):
            # Spaces and punctuation stay in the current run: fewer font switches, and a
            # right-to-left name keeps its spaces in its own font.
            fam = runs[-1][0]
        if runs and runs[-1][0] == fam:
            runs[-1][1].append(ch)
        else:
            runs.append((fam, [ch]))
    parts = []
    for fam, chars in runs:
        if fam in _SHAPED:
            # Word by word, so the paragraph can still wrap at the spaces.
            body = " ".join(_shape_word(fam, w) if w else "" for w in "".join(chars).split(" "))
        else:
            body = escape("".join(chars), {'"': "&quot;"})
        parts.append(body if fam == BASE else f'<font face="{fam}">{body}</font>')
    return "".join(parts)


@cache
def _cover_of(family: str) -> frozenset[int]:
    return dict(_coverage())[family]


# (family, glyph id, characters, advance) -> private-use code point, and back to the characters.
_pua_of: dict[tuple[str, int, str, int], int] = {}
_pua_text: dict[int, str] = {}


@cache
def _hb_font(face_name: str) -> tuple[hb.Font, float]:
    """HarfBuzz font of a registered face, and the scale from font units to reportlab's
    1/1000 em."""
    register_fonts()
    font = pdfmetrics.getFont(face_name)
    assert isinstance(font, TTFont)
    face = hb.Face(hb.Blob(font.face._ttf_data))
    return hb.Font(face), 1000 / face.upem


def _shape_word(family: str, word: str) -> str:
    """``word`` shaped by HarfBuzz, as private-use characters to draw one glyph each.

    Hand-written because reportlab's own shaping (``shaping=1``) maps each glyph to one
    private-use character per glyph *name*, so a glyph's extracted text cannot depend on the
    characters it was shaped from: a conjunct or a reordered vowel extracts as private-use
    garbage. Here the code point is keyed by (glyph, characters, advance): HarfBuzz's clusters
    say which characters each group of glyphs draws, and the characters are shared out over the
    cluster's glyphs in drawing order, so the concatenated ToUnicode text is the cluster's
    text (a glyph that draws nothing more, such as the second half of a split vowel, maps to no
    characters). Mark offsets from GPOS are not applied: marks print at the position the font
    designs them for, which for these Noto faces sits over the preceding letter.
    """
    hb_font, scale = _hb_font(family)  # the regular face is registered under the family name
    buf = hb.Buffer()
    buf.add_str(word)
    buf.guess_segment_properties()
    hb.shape(hb_font, buf, {"kern": False})
    infos, positions = buf.glyph_infos, buf.glyph_positions
    # Left-to-right scripts: clusters never decrease along the glyphs (HarfBuzz's default
    # cluster level merges any reordered glyphs into one cluster).
    starts = sorted({info.cluster for info in infos})
    end_of = dict(zip(starts, starts[1:] + [len(word)], strict=True))
    out: list[str] = []
    k = 0
    while k < len(infos):
        cluster = infos[k].cluster
        j = k
        while j < len(infos) and infos[j].cluster == cluster:
            j += 1
        text = word[cluster:end_of[cluster]]
        glyphs = j - k
        if glyphs > len(text):
            # More glyphs than characters: a two-part vowel (Bengali ো, Tamil ோ) drawn on both
            # sides of its consonant. A glyph that reads as nothing leaves a hole that
            # pdftotext reads as a space inside the word, so the vowel is written out in its
            # canonical decomposition (the same text to Unicode: e-sign + aa-sign).
            text = unicodedata.normalize("NFD", text)
        advances = [round(positions[k + n].x_advance * scale) for n in range(glyphs)]
        # Still more glyphs than characters (Thai/Lao SARA AM, drawn as NIKHAHIT + SARA AA,
        # has no canonical decomposition): the extra glyphs that read as nothing are zero-width
        # marks, never a glyph that takes room, whose empty text pdftotext reads as a space
        # ("กำจัด" came out as "กำ จัด").
        silent = set(n for n in range(glyphs) if not advances[n])
        silent = set(sorted(silent)[:max(0, glyphs - len(text))])
        readers = [n for n in range(glyphs) if n not in silent]
        for n in range(glyphs):
            # Glyph n of the cluster reads as the next character (the last reader takes the rest).
            if n in silent:
                piece = ""
            else:
                r = readers.index(n)
                piece = text[r:] if r == len(readers) - 1 else text[r:r + 1]
            out.append(chr(_private_use(family, infos[k + n].codepoint, piece, advances[n])))
        k = j
    return "".join(out)


def _private_use(family: str, gid: int, text: str, advance: int) -> int:
    """The private-use code point that draws glyph ``gid`` of ``family`` (regular and bold face)
    with ``advance`` and reads back as ``text``.

    Bold and regular faces of these Noto families have the same glyph order (a test checks),
    so the glyphs shaped with the regular face are drawn from the bold one too, each with the
    bold face's own advance (marks keep the zero advance HarfBuzz gives them).
    """
    _coverage()  # the fonts' real coverage is taken before private-use entries are added
    key = (family, gid, text, advance)
    with _lock:
        cp = _pua_of.get(key)
        if cp is not None:
            return cp
        cp = _PUA_FIRST + len(_pua_of)
        if cp > _PUA_LAST:
            raise UnprintableText("too many distinct shaped glyphs in one session")
        for bold in (False, True):
            name = _face_name(family, bold, False)
            face = pdfmetrics.getFont(name)
            assert isinstance(face, TTFont)
            hb_face, scale = _hb_font(name)
            face.face.charToGlyph[cp] = gid
            face.face.charWidths[cp] = round(hb_face.get_glyph_h_advance(gid) * scale) \
                if bold and advance else advance
        _pua_of[key] = cp
        _pua_text[cp] = text
        return cp


_LAM_ALEF = range(0xFEF5, 0xFEFD)  # the required lam-alef ligatures (presentation forms)


def split_lam_alef(font_name: str, ch: str) -> str:
    """A lam-alef ligature, already in visual order, as two drawn glyphs that read back right.

    One glyph standing for two letters reads back in opposite orders in the two extractors
    (pypdf takes the ToUnicode text as logical, poppler's pdftotext as left to right, so
    "صلاح" comes out as "صالح", another name). So the ligature glyph reads as the lam alone,
    and an empty, zero-width glyph drawn just left of it (where the alef ends the ligature)
    reads as the alef. Called by bidi.BidiParagraph for each character it draws.
    """
    if ord(ch) not in _LAM_ALEF or not font_name.startswith("K2Arabic"):
        return ch
    face = pdfmetrics.getFont("K2Arabic")
    assert isinstance(face, TTFont)
    lam, alef = unicodedata.normalize("NFKC", ch)
    glyph = _private_use("K2Arabic", face.face.charToGlyph[ord(ch)], lam,
                         round(face.face.charWidths[ord(ch)]))
    empty = _private_use("K2Arabic", face.face.charToGlyph[0x20], alef, 0)  # space: no outline
    return chr(empty) + chr(glyph)
