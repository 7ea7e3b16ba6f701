"""Bundled fonts: every script of a patient's name is printable; anything else is refused by name."""

from __future__ import annotations

import pytest
from doc_samples import NAMES
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from k2desk.documents import fonts
from k2desk.resources import resource_path


@pytest.mark.parametrize("name", NAMES)
def test_every_script_is_printable(name: str) -> None:
    assert fonts.missing_characters(name) == []
    assert fonts.check_printable(name, "patient.name", "Patient name") == []


def test_bundled_fonts_are_truetype_with_licences() -> None:
    folder = resource_path("fonts")
    ttfs = sorted(folder.glob("*.ttf"))
    assert len(ttfs) >= 5
    for path in ttfs:
        # glyf outlines: reportlab can embed these (it refuses CFF/OpenType-PostScript).
        assert path.read_bytes()[:4] == b"\x00\x01\x00\x00", path.name
    assert (folder / "OFL-Noto.txt").read_text().count("SIL OPEN FONT LICENSE") == 1
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL-Nanum.txt").read_text()
    assert "Apache License" in (folder / "LICENSE-DroidSansFallback-Apache-2.0.txt").read_text()
    total = sum(p.stat().st_size for p in ttfs)
    assert total < 25 * 1024 * 1024


def test_faces_register_once_and_resolve_bold() -> None:
    fonts.register_fonts()
    fonts.register_fonts()
    assert isinstance(pdfmetrics.getFont("K2Sans-Bold"), TTFont)
    assert isinstance(pdfmetrics.getFont("K2Arabic-Bold"), TTFont)


def test_emoji_is_refused_with_its_name() -> None:
    issues = fonts.check_printable("Anna 😀", "patient.name", "Patient name")
    assert len(issues) == 1
    assert issues[0].field == "patient.name"
    assert "U+1F600 GRINNING FACE" in issues[0].message
    assert "Emoji" in issues[0].message


def test_unassigned_symbol_is_refused_and_markup_never_drops_it() -> None:
    text = "dose \U0001f9ea and \u2603"
    missing = fonts.missing_characters(text)
    assert missing == ["\U0001f9ea", "\u2603"]
    with pytest.raises(fonts.UnprintableText, match="U\\+2603 SNOWMAN"):
        fonts.markup(text)


def test_markup_escapes_and_picks_fonts() -> None:
    assert fonts.markup("O'Brien <&> \"Jr\"") == "O'Brien &lt;&amp;&gt; &quot;Jr&quot;"
    assert 'face="K2Korean"' in fonts.markup("김민준")
    assert 'face="K2CJK"' in fonts.markup("王小明")
    assert "<br/>" in fonts.markup("line one\nline two")


# Issue 15: scripts of large US communities, shaped with HarfBuzz where letters combine.
SHAPED_SCRIPTS = {
    "K2Devanagari": "प्रिया शर्मा", "K2Bengali": "সৌমিত্র চট্টোপাধ্যায়", "K2Gurmukhi": "ਹਰਪ੍ਰੀਤ ਸਿੰਘ",
    "K2Gujarati": "કૃષ્ણ પટેલ", "K2Tamil": "முத்துலட்சுமி கோபால்", "K2Telugu": "వెంకటేశ్వర రావు",
    "K2Thai": "สมชาย ใจดี", "K2Lao": "ສົມສັກ ພົມມະວົງ", "K2Khmer": "ស្រីមុំ សុខ",
    "K2Myanmar": "အောင်ဆန်းစုကြည်",
}
PLAIN_SCRIPTS = {"K2Ethiopic": "አበበ ቢቂላ", "K2Armenian": "Արամ Խաչատրյան", "K2Georgian": "ნინო ბერიძე"}


@pytest.mark.parametrize(("family", "name"), [*SHAPED_SCRIPTS.items(), *PLAIN_SCRIPTS.items()])
def test_new_scripts_are_printable_in_their_own_font(family: str, name: str) -> None:
    assert fonts.check_printable(name, "patient.name", "Patient name") == []
    assert {fonts.family_for(c) for c in name if not c.isspace()} == {family}
    assert f'face="{family}"' in fonts.markup(name)


@pytest.mark.parametrize("family", [*SHAPED_SCRIPTS, *PLAIN_SCRIPTS])
def test_bold_face_has_the_regular_glyph_order(family: str) -> None:
    # Glyphs are shaped with the regular face and drawn from the bold one by glyph id.
    import uharfbuzz as hb
    fonts.register_fonts()
    faces = []
    for face in (family, family + "-Bold"):
        ttf = pdfmetrics.getFont(face)
        assert isinstance(ttf, TTFont)
        faces.append(hb.Font(hb.Face(hb.Blob(ttf.face._ttf_data))))
    regular, bold = faces
    assert regular.face.glyph_count == bold.face.glyph_count
    assert all(regular.glyph_to_string(g) == bold.glyph_to_string(g)
               for g in range(regular.face.glyph_count))


def _pdf_of(paragraphs: list[str]) -> bytes:
    import io

    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from k2desk.documents import styles
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build(
        [Paragraph(p, styles.stylesheet().body) for p in paragraphs])
    return buf.getvalue()


def _to_unicode_entries(pdf: bytes) -> dict[str, list[str]]:
    """Base font name -> the texts its ToUnicode CMap gives its glyphs."""
    import io
    import re

    from pypdf import PdfReader
    out: dict[str, list[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/ToUnicode" not in font:
                continue  # reportlab's Helvetica placeholder
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            texts = [bytes.fromhex(v).decode("utf-16-be")
                     for v in re.findall(r"<[0-9A-F]+> <([0-9A-F]*)>",
                                         cmap.split("beginbfchar", 1)[1].split("endbfchar")[0])]
            out[str(font["/BaseFont"])] = texts
    return out


def test_a_conjunct_glyph_reads_back_as_all_its_letters() -> None:
    # क्ष (ka, virama, ssa) is one glyph in Noto Sans Devanagari; कि draws the i-sign before ka.
    pdf = _pdf_of([fonts.markup("क्षमा किशोर")])
    (deva,) = [v for k, v in _to_unicode_entries(pdf).items() if "Devanagari" in k]
    assert "क्ष" in deva  # one glyph, three characters
    import io

    from pypdf import PdfReader
    assert "क्षमा किशोर" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_shaping_uses_the_fonts_glyphs_not_one_per_character() -> None:
    # Shaped: fewer glyphs than characters for a conjunct, and each drawn glyph is a
    # private-use code point mapped to the font's glyph.
    shown = fonts._shape_word("K2Devanagari", "क्ष")
    assert len(shown) == 1 and 0xF0000 <= ord(shown) <= 0xFFFFD
    face = pdfmetrics.getFont("K2Devanagari")
    assert isinstance(face, TTFont)
    assert face.face.charToGlyph[ord(shown)] not in (0, face.face.charToGlyph[ord("क")])
    # A private-use character typed by someone is still refused: no font covers it.
    assert fonts.missing_characters(shown) == [shown]


def test_shaped_text_renders_the_same_bytes_whatever_was_shaped_before() -> None:
    # Private-use code points are handed out in the order glyphs are first shaped in a process;
    # a stored PDF must not depend on that history (same record, same bytes).
    import subprocess
    import sys
    from pathlib import Path
    script = (
        f"import sys, hashlib; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import doc_samples as samples\n"
        "from k2desk.documents.handout import render_handout\n"
        "from k2desk.documents.fonts import markup\n"
        "if sys.argv[1] == 'warm': markup('ক্ষ ਸਿੰਘ स्त्री ก้า صلاح')\n"
        "print(hashlib.sha256(render_handout(samples.handout('प्रिया शर्मा صلاح'))).hexdigest())\n"
    )
    digests = {subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True,
                              check=True).stdout for mode in ("cold", "warm")}
    assert len(digests) == 1


def test_coverage_read_from_the_cmap_matches_what_reportlab_maps():
    # Issue #23: the printable check reads each font's cmap with harfbuzz instead of registering
    # the fonts; it must accept and refuse exactly what the registered fonts can draw.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts.register_fonts()
    for name, cover in fonts._coverage():
        font = pdfmetrics.getFont(name)
        assert isinstance(font, TTFont)
        # U+FFFF is the end marker of a cmap segment reportlab keeps; it is no character to type.
        # Invisible marks drawn as a visible symbol are refused on purpose (issue 23 attack).
        drawn = (frozenset(cp for cp in font.face.charToGlyph if cp < fonts._PUA_FIRST) - {0xFFFF}
                 - fonts._DRAWN_AS_SYMBOL)
        assert cover == drawn, name


def test_checking_text_before_saving_does_not_register_the_pdf_fonts():
    # In a fresh process: the check a patient's save runs loads no font into reportlab.
    import subprocess
    import sys

    code = """
from k2desk.documents import fonts
from reportlab.pdfbase import pdfmetrics
assert fonts.missing_characters("Nguyễn Thị 😀") == ["😀"]
print(fonts.register_fonts.cache_info().currsize, len(pdfmetrics.getRegisteredFontNames()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "0"
