"""Right-to-left text turned into what reportlab draws left to right."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter

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
    assert visual_order("(דוד) 12 שקל") == "לקש 12 (דוד)"


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
