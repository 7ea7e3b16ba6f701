"""Issue 15, end to end through the services: a patient named in each newly bundled script gets
a handout and an order, and both text extractors (pypdf and poppler's pdftotext) read the name
back from the pages exactly as typed.

Names whose two-part vowels (Bengali ো/ৌ, Tamil ொ/ோ/ௌ) print on both sides of their consonant
extract in that vowel's canonical decomposition (see documents/fonts.py, _shape_word): the same
text under Unicode normalization, so those are compared after NFC; every other name is
compared character for character.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from doc_helpers import add_plain_patient
from k2desk.services import documents as doc_svc
from k2desk.services import handouts, orders
from k2desk.services.context import AppContext

# Common given and family names of each community (a conjunct, a vowel sign drawn before its
# consonant, a subjoined letter or a stacked mark in each shaped script).
SCRIPT_NAMES = {
    "devanagari": "प्रिया शर्मा",
    "gujarati": "કૃષ્ણ પટેલ",
    "gurmukhi": "ਹਰਪ੍ਰੀਤ ਸਿੰਘ",
    "bengali": "সৌমিত্র চট্টোপাধ্যায়",
    "tamil": "முத்துலட்சுமி கோபால்",
    "telugu": "వెంకటేశ్వర రావు",
    "thai": "สมชาย ใจดี",
    "khmer": "ស្រីមុំ សុខ",
    "lao": "ສົມສັກ ພົມມະວົງ",
    "myanmar": "အောင်ဆန်းစုကြည်",
    "ethiopic": "አበበ ቢቂላ",
    "armenian": "Արամ Խաչատրյան",
    "georgian": "ნინო ბერიძე",
    # Right-to-left names drawn line by line (documents/bidi.py), with lam-alef ligatures, which
    # read back in the wrong letter order in pdftotext when one glyph stood for both letters.
    "arabic-lam-alef": "صلاح الدين بلال",
    "urdu": "علاء الدین لاہوری",
    "hebrew": "שלום בן־דוד",
}
TWO_PART_VOWELS = {"bengali", "tamil"}


def page_texts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(pypdf text, pdftotext text) of every page."""
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext is missing: install Debian's poppler-utils (.ci/run does)"
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for number, page in enumerate(reader.pages, start=1):
        poppler = subprocess.run([exe, "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                                  str(path), "-"], capture_output=True, text=True, check=True).stdout
        out.append((page.extract_text() or "", poppler))
    return out


def assert_name_on_pages(pdf: bytes, name: str, script: str, what: str, tmp_path: Path) -> None:
    pages = page_texts(pdf, tmp_path)
    norm = (lambda s: unicodedata.normalize("NFC", s)) if script in TWO_PART_VOWELS else str
    letters = {c for c in name if not c.isspace()}
    found = []
    for number, (by_pypdf, by_poppler) in enumerate(pages, start=1):
        for tool, text in (("pypdf", by_pypdf), ("pdftotext", by_poppler)):
            if letters & set(unicodedata.normalize("NFC", text)):
                # Any page that prints the name prints all of it, unbroken.
                assert name in norm(text), f"{script} {what} page {number} ({tool}): {text!r}"
                found.append((number, tool))
            # Nothing drawn through a private-use code point leaks into the text.
            assert not any(0xF0000 <= ord(c) for c in text), (script, what, number, tool)
    assert (1, "pypdf") in found and (1, "pdftotext") in found, f"{script} {what}: not on page 1"


@pytest.mark.parametrize("script", list(SCRIPT_NAMES))
def test_handout_and_order_print_the_name_in_every_script(
        ctx: AppContext, pharmacy: None, script: str, order_data: dict[str, Any],
        tmp_path: Path) -> None:
    name = SCRIPT_NAMES[script]
    pid = add_plain_patient(ctx, name=name)
    doc_id = handouts.create_handout(ctx, pid, topics=["what-is-k2"])
    assert_name_on_pages(doc_svc.get_pdf(ctx, doc_id), name, script, "handout", tmp_path)
    _, order_doc = orders.create_order(ctx, pid, order_data)
    assert_name_on_pages(doc_svc.get_pdf(ctx, order_doc), name, script, "order", tmp_path)
