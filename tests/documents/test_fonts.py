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
