"""Right-to-left text turned into what reportlab draws left to right."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph, SimpleDocTemplate

from k2desk.documents import styles
from k2desk.documents.bidi import visual_order
from k2desk.documents.fonts import markup, register_fonts


def test_hebrew_words_and_letters_reverse_around_left_to_right_text() -> None:
    assert visual_order("Name: דוד כהן, RPh") == "Name: ןהכ דוד, RPh"
    assert visual_order("Anna Smith") == "Anna Smith"


def test_numbers_stay_left_to_right_and_brackets_mirror() -> None:
    assert visual_order("שקל 12") == "12 לקש"
    # Unicode bidi (python-bidi) on a left-to-right page: brackets that open the line take the
    # page's direction (rule N0), the number after Hebrew reads with it (W7 does not apply).
    assert visual_order("(דוד) 12 שקל") == "(דוד) לקש 12"
    # Brackets inside right-to-left text are mirrored (rule L4).
    assert visual_order("Dr שרה (כהן) RPh") == "Dr (ןהכ) הרש RPh"


def test_arabic_is_joined_into_presentation_forms_in_visual_order() -> None:
    register_fonts()
    shown = visual_order("محمد عبد الله")
    # Final heh, medial lam, initial lam, alef | final dal, medial beh, initial ain | ...
    assert shown == "\ufeea\ufee0\ufedf\u0627 \ufeaa\ufe92\ufecb \ufeaa\ufee4\ufea4\ufee3"
    # Read right to left and folded by NFKC, it is the name as typed.
    assert unicodedata.normalize("NFKC", shown)[::-1] == "محمد عبد الله"
    # lam + alef takes the required ligature; a digit keeps its place after the word.
    assert visual_order("لا") == "\ufefb"
    assert visual_order("محمد2") == "2\ufeaa\ufee4\ufea4\ufee3"


def test_a_word_mixing_scripts_prints_every_character() -> None:
    # A Hebrew name with a Latin comma in the same word: each character in its own font and
    # nothing shaped by reportlab (which shapes a whole word with its first character's font,
    # turning the comma into a missing-glyph box).
    for st in (styles.stylesheet().body, styles.stylesheet().title, styles.stylesheet().cell):
        assert not st.shaping
    typed = "Counselled by דוד כהן, RPh and محمد، RPh"
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([Paragraph(markup(typed), styles.stylesheet().body)])
    text = PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text()
    # pypdf moves neutral punctuation next to right-to-left runs, so compare what was printed
    # character by character: every typed character is there, and nothing else.
    def letters(s: str) -> Counter[str]:
        return Counter(c for c in unicodedata.normalize("NFKC", s) if not c.isspace())

    assert letters(text) == letters(typed)


# Issue 15: right-to-left text wraps in logical order and each line is drawn in visual order.
ADDRESSES = {
    "hebrew": "רחוב הרצל 12 דירה 4 תל אביב יפו מיקוד 6120101 ישראל",
    "arabic": "شارع الملك فيصل 15 الطابق الثالث حي الروضة الرياض المملكة",
    "urdu": "مکان نمبر 12 گلی نمبر 4 گلشن اقبال بلاک 7 لاہور پنجاب پاکستان",
}
_CONTROLS = dict.fromkeys(range(0x202A, 0x202F), " ")  # pdftotext marks embedded runs


def _rtl_lines(text: str) -> list[list[str]]:
    """The words of each extracted line that holds right-to-left letters, top to bottom."""
    out = []
    for line in text.translate(_CONTROLS).splitlines():
        words = unicodedata.normalize("NFKC", line).split()
        if any(unicodedata.bidirectional(c) in ("R", "AL") for w in words for c in w):
            out.append(words)
    return out


@pytest.mark.parametrize("script", list(ADDRESSES))
def test_a_wrapped_right_to_left_address_reads_in_line_order(script: str, tmp_path: Path) -> None:
    from reportlab.platypus import Table

    from k2desk.documents.blocks import para
    address = ADDRESSES[script]
    p = para(address, styles.stylesheet().cell)
    p.wrap(130, 1000)
    assert len(p.blPara.lines) == 3  # it really wraps, onto three lines
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([Table([[p]], colWidths=[130])])
    pdf = tmp_path / "address.pdf"
    pdf.write_bytes(buf.getvalue())
    words = address.split()

    # poppler reads each right-to-left line back in logical order: the lines, top to bottom,
    # are the address as typed, word for word (a reversed line order would fail here).
    poppler = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    lines = _rtl_lines(poppler)
    assert len(lines) == 3
    assert [w for line in lines for w in line] == words
    # pypdf finds the same words and numbers on the same lines, in the same line order (it may
    # glue a number to the word next to it, so both are cut into letter and digit runs).
    by_pypdf = _rtl_lines(PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text())

    def runs(line: list[str]) -> list[str]:
        return sorted(re.findall(r"\d+|[^\d\s]+", " ".join(line)))

    assert [runs(line) for line in by_pypdf] == [runs(line) for line in lines]

    # On the page each line runs right to left: its first word typed is drawn rightmost.
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    drawn: dict[float, list[tuple[float, str]]] = {}
    for x, y, word in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)<', bbox):
        drawn.setdefault(round(float(y)), []).append((float(x), word))
    rows = [sorted(drawn[y]) for y in sorted(drawn)]
    assert len(rows) == 3
    for row, line in zip(rows, lines, strict=True):
        letters = [w for w in line if not w.isdigit()]
        # bbox gives each word's glyphs left to right, so a right-to-left word comes reversed.
        shown = [unicodedata.normalize("NFKC", w)[::-1] for _, w in reversed(row) if not w.isdigit()]
        assert shown == letters


def test_python_bidi_levels_are_read_per_character() -> None:
    # The levels come from python-bidi's debug output, one per UTF-8 byte: check the reading.
    from k2desk.documents.bidi import _levels
    assert _levels("ab דוד 12 x") == [0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 0]
    assert _levels("דוד 12") == [1, 1, 1, 1, 2, 2]  # an Arabic-Hebrew line: number at level 2


def test_lam_alef_reads_back_in_the_typed_order_in_both_extractors(tmp_path: Path) -> None:
    # One glyph for lam + alef read back "صالح" (another name) in pdftotext: the ligature is
    # drawn as the ligature glyph (lam) plus an empty zero-width glyph (alef).
    from k2desk.documents.blocks import para
    names = "صلاح بلال علاء لاہور"
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([para(names, styles.stylesheet().body)])
    assert PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text().strip() == names
    pdf = tmp_path / "names.pdf"
    pdf.write_bytes(buf.getvalue())
    poppler = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert poppler.translate(_CONTROLS).strip() == names
