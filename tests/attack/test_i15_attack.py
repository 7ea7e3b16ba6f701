"""Issue 15 attacks: names in every bundled script on every page, long names, NFC/NFD search,
and TIFF Class F for 1-, 2- and 7-page documents (all-black and all-white pages included)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from doc_helpers import add_plain_patient, example_order, setup_pharmacy
from k2desk.documents.fax_image import pdf_to_fax_tiff
from k2desk.services import documents as doc_svc
from k2desk.services import handouts, orders
from k2desk.services.context import AppContext
from k2desk.services.patients import search_patients
from k2desk.storage import log as log_store
from k2desk.storage.log_view import LogFilter, log_page


def _pages(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext is missing (Debian poppler-utils)"
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        poppler = subprocess.run([exe, "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                                  str(path), "-"], capture_output=True, text=True, check=True).stdout
        out.append((page.extract_text() or "", poppler))
    return out


# Conjunct-heavy, mark-heavy and mixed-script names (none with a two-part vowel, so compared
# character for character).
PAGE_NAMES = [
    "क्षत्रिय श्रीनिवास द्विवेदी",
    "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਢਿੱਲੋਂ",
    "శ్రీనివాస్ క్ష్మా రెడ్డి",
    "สมศักดิ์ ศรีสุข",
    "ኃይለ ሥላሴ ተፈሪ",
    "Priya प्रिया Sharma",
    "فاطمة الزهراء",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_of_handout_and_order_names_the_patient(
        ctx: AppContext, name: str, tmp_path: Path) -> None:
    """A faxed page that comes loose must still say whose it is: the handout (3 pages) and the
    order (2 pages) printed the name on page 1 only."""
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx, name=name)
    handout = doc_svc.get_pdf(ctx, handouts.create_handout(ctx, pid, topics=["what-is-k2"]))
    # Twelve ingredient lines: the order runs over two pages (a short one fits on one, issue 14).
    order = example_order()
    order["ingredients"] = [{"ingredient": f"Ingredient {n}", "strength": "1", "unit": "mg"}
                            for n in range(1, 13)]
    _, order_doc = orders.create_order(ctx, pid, order)
    for what, pdf in (("handout", handout), ("order", doc_svc.get_pdf(ctx, order_doc))):
        pages = _pages(pdf, tmp_path)
        assert len(pages) >= 2, what
        for number, (by_pypdf, by_poppler) in enumerate(pages, start=1):
            assert name in by_pypdf, f"{what} page {number} (pypdf): {by_pypdf[-300:]!r}"
            assert name in by_poppler, f"{what} page {number} (pdftotext): {by_poppler[-300:]!r}"


def test_a_1000_character_name_stays_on_the_paper_of_every_page(ctx: AppContext, tmp_path: Path) -> None:
    """The longest name accepted prints in full on page 1 and, shortened at a word with an
    ellipsis, in the footer of later pages, above the paper's bottom edge."""
    setup_pharmacy(ctx)
    name = " ".join(["श्रीनिवासरामानुजन्"] * 52)
    assert len(name) <= 1000
    pid = add_plain_patient(ctx, name=name)
    pdf = doc_svc.get_pdf(ctx, handouts.create_handout(ctx, pid, topics=["what-is-k2"]))
    pages = _pages(pdf, tmp_path)
    squeeze = "".join(name.split())
    assert squeeze in "".join(pages[0][1].split())
    path = tmp_path / "doc.pdf"
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    page_h = float(bbox.split('<page width="')[1].split('height="')[1].split('"')[0])
    lows = [float(part.split('"')[0]) for part in bbox.split('yMax="')[1:]]
    assert lows and max(lows) <= page_h - 0.25 * 72, "footer text runs off the bottom of the page"
    for _, by_poppler in pages[1:]:
        assert "Patient:" in by_poppler and "…" in by_poppler
        assert "श्रीनिवासरामानुजन्" in by_poppler


def test_nfd_typed_name_is_found_by_nfc_search_and_back(ctx: AppContext) -> None:
    """Withstood: a name typed decomposed (a Mac keyboard) is found by a precomposed search,
    and the other way round, for Vietnamese and Bengali."""
    nfc_viet, nfc_beng = "Nguyễn Thị Ánh", "ক্ষৌণীশ রায়"
    a = add_plain_patient(ctx, name=unicodedata.normalize("NFD", nfc_viet))
    b = add_plain_patient(ctx, name=nfc_beng)
    assert a in {p.id for p in search_patients(ctx, nfc_viet)}
    assert b in {p.id for p in search_patients(ctx, unicodedata.normalize("NFD", nfc_beng))}
    assert b in {p.id for p in search_patients(ctx, "ক্ষৌণীশ")}


def _pdf(kinds: list[str]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for i, kind in enumerate(kinds):
        if kind == "black":
            c.rect(-10, -10, letter[0] + 20, letter[1] + 20, fill=1, stroke=0)
        elif kind == "text":
            c.setFont("Courier", 40)
            c.drawString(72, 600, f"PAGE {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("kinds", [["white"], ["black"], ["black", "white"],
                                   ["text", "black", "white", "text", "white", "black", "text"]])
@pytest.mark.parametrize("fine", [True, False])
def test_class_f_pages_all_black_all_white_1_2_7(kinds: list[str], fine: bool, tmp_path: Path) -> None:
    """Withstood: every page of 1-, 2- and 7-page images, fine and standard, is strict Class F in
    tiffinfo and decodes (tiffinfo -D and Pillow) to the right ink: all white, all black."""
    data = pdf_to_fax_tiff(_pdf(kinds), fine)
    path = tmp_path / "fax.tiff"
    path.write_bytes(data)
    info = subprocess.run(["tiffinfo", "-D", str(path)], capture_output=True, text=True)
    assert info.returncode == 0 and "error" not in info.stderr.lower(), info.stderr
    assert info.stdout.count("TIFF Directory at offset") == len(kinds)
    assert info.stdout.count("Photometric Interpretation: min-is-white") == len(kinds)
    assert info.stdout.count("Rows/Strip:") == len(kinds)
    res = "204, 196 pixels/inch" if fine else "204, 98 pixels/inch"
    assert info.stdout.count(res) == len(kinds)
    with Image.open(path) as im:
        assert im.n_frames == len(kinds)
        for i, kind in enumerate(kinds):
            im.seek(i)
            assert im.size[0] == 1728
            assert im.tag_v2[297] == (i, len(kinds))
            assert im.tag_v2[254] == 2 and im.tag_v2[262] == 0 and len(im.tag_v2[273]) == 1
            lo, hi = im.convert("L").getextrema()
            expected = {"white": (255, 255), "black": (0, 0), "text": (0, 255)}[kind]
            assert (lo, hi) == expected, (i, kind)


def test_fax_tiff_same_bytes_in_another_process(tmp_path: Path) -> None:
    """Withstood: the same PDF gives the same TIFF bytes in two separate processes."""
    pdf_path = tmp_path / "in.pdf"
    pdf_path.write_bytes(_pdf(["text", "black", "white"]))
    script = ("import sys; from pathlib import Path; from k2desk.documents.fax_image import "
              "pdf_to_fax_tiff; sys.stdout.buffer.write(pdf_to_fax_tiff(Path(sys.argv[1]).read_bytes(), "
              "sys.argv[2] == 'fine'))")
    for mode in ("fine", "standard"):
        runs = [subprocess.run([sys.executable, "-c", script, str(pdf_path), mode],
                               capture_output=True, check=True).stdout for _ in range(2)]
        assert runs[0] == runs[1] == pdf_to_fax_tiff(pdf_path.read_bytes(), mode == "fine")


def test_search_for_a_name_does_not_offer_a_different_patient(ctx: AppContext) -> None:
    """The search index split Indic and Thai names at every vowel sign and virama, so
    "प्रिया" (Priya) also found "पुरी यादव" (Puri Yadav) and "สมศักดิ์" found a name without the
    final mark: the counter could pick the wrong patient. Each name is still found by its
    words, their beginnings, decomposed input and Latin without accents."""
    priya = add_plain_patient(ctx, name="प्रिया शर्मा")
    puri = add_plain_patient(ctx, name="पुरी यादव")
    somsak = add_plain_patient(ctx, name="สมศักดิ์ ใจดี")
    other = add_plain_patient(ctx, name="สมศักดิ ใจดี")
    dhillon = add_plain_patient(ctx, name="ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਢਿੱਲੋਂ")
    beng = add_plain_patient(ctx, name=unicodedata.normalize("NFD", "ক্ষৌণীশ রায়"))
    viet = add_plain_patient(ctx, name="Nguyễn Thị Ánh")
    kim = add_plain_patient(ctx, name="Kim Lee-Park")

    def ids(q: str) -> set[int]:
        return {p.id for p in search_patients(ctx, q)}

    assert ids("प्रिया") == {priya}
    assert ids("प्रि") == {priya}
    assert ids("शर्मा") == {priya}
    assert ids("पुरी") == {puri}
    assert ids("สมศักดิ์") == {somsak}
    assert ids("ใจดี") == {somsak, other}
    assert ids("ਢਿੱਲੋਂ") == {dhillon}
    assert ids("ਗੁਰ ਸਿੰ") == {dhillon}
    assert ids("ক্ষৌণীশ") == {beng}
    assert ids(unicodedata.normalize("NFD", "রায়")) == {beng}
    assert ids("nguyen anh") == {viet}
    assert ids("NGUYỄN") == {viet}
    assert ids("park") == {kim}
    assert ids("Lee-Park") == {kim}


def test_log_search_for_a_name_does_not_list_another_patients_documents(ctx: AppContext) -> None:
    """The document log's search had the same split: "प्रिया" listed Puri Yadav's handout."""
    setup_pharmacy(ctx)
    priya = add_plain_patient(ctx, name="प्रिया शर्मा")
    puri = add_plain_patient(ctx, name="पुरी यादव")
    mine = handouts.create_handout(ctx, priya, topics=["what-is-k2"])
    handouts.create_handout(ctx, puri, topics=["what-is-k2"])
    assert [e.document_id for e in log_store.search_rows(ctx.store.db, "प्रिया")] == [mine]
    assert [e.document_id for e in log_store.search_rows(ctx.store.db, "प्रिया handout")] == [mine]
    assert [r.id for r in log_page(ctx.store.db, LogFilter(text="प्रिया"))] == [mine]
    assert [r.id for r in log_page(ctx.store.db, LogFilter(text=str(mine)))] == [mine]


@pytest.mark.parametrize("name", ["กำจัด น้ำใจ", "คำแก้ว ทองคำดี", "ນ້ຳຄຳ ສີດາ"])
def test_thai_and_lao_sara_am_reads_back_without_a_space(ctx: AppContext, name: str,
                                                         tmp_path: Path) -> None:
    """SARA AM (ำ, ຳ) is drawn as two glyphs for one letter; the spacing half read as nothing,
    which pdftotext turned into a space inside the word: "กำจัด" came out as "กำ จัด"."""
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx, name=name)
    pdf = doc_svc.get_pdf(ctx, handouts.create_handout(ctx, pid, topics=["what-is-k2"]))
    for number, (by_pypdf, by_poppler) in enumerate(_pages(pdf, tmp_path), start=1):
        assert name in by_pypdf, (number, by_pypdf[:300])
        assert name in by_poppler, (number, by_poppler[:300])
