"""TIFF Class F export and the fax preview PNG."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
from pathlib import Path

import doc_samples as samples
import pytest
from PIL import Image
from pypdf import PdfReader

from k2desk.documents.fax_cover import render_fax_cover
from k2desk.documents.fax_image import fax_pages, fax_preview_png, pdf_to_fax_tiff
from k2desk.documents.handout import render_handout
from k2desk.domain.documents import PaperSize

# US Letter at 204 dpi is 1734 px wide: scaled to the 1728-pixel fax line.
LETTER_FIT = 1728 / round(8.5 * 204)


@pytest.fixture(scope="module")
def handout_pdf() -> bytes:
    return render_handout(samples.handout())


def _frames(tiff: bytes) -> list[dict[str, object]]:
    im = Image.open(io.BytesIO(tiff))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append({
            "mode": im.mode, "size": im.size, "compression": im.info.get("compression"),
            "dpi": tuple(round(float(v)) for v in im.info["dpi"]), "page": im.tag_v2.get(297),
            "black": im.convert("L").histogram()[0],
        })
    return out


def test_fine_tiff_is_class_f_with_page_numbers(handout_pdf: bytes) -> None:
    pages = len(PdfReader(io.BytesIO(handout_pdf)).pages)
    frames = _frames(pdf_to_fax_tiff(handout_pdf))
    assert len(frames) == pages == 4
    for index, f in enumerate(frames):
        assert f["mode"] == "1"
        assert f["compression"] == "group4"
        assert f["size"] == (1728, round(11 * 196 * LETTER_FIT))
        assert f["dpi"] == (204, 196)
        assert f["page"] == (index, pages)
        assert 0 < f["black"]  # the page has ink, it is not blank


def _tiffinfo(tiff: bytes, tmp_path: Path) -> list[str]:
    """libtiff's own reading of the file: one text block per directory (page)."""
    exe = shutil.which("tiffinfo")
    assert exe, "tiffinfo is missing: install Debian's libtiff-tools (.ci/run does)"
    path = tmp_path / "fax.tif"
    path.write_bytes(tiff)
    run = subprocess.run([exe, "-D", str(path)], capture_output=True, text=True, check=True)
    assert run.stderr == "", run.stderr  # no warnings: unknown or malformed fields would show
    return re.split(r"=== TIFF directory \d+ ===", run.stdout)[1:]


def _raw_fields(tiff: bytes) -> list[dict[int, tuple[int, int, bytes]]]:
    """Every IFD's entries as written: tag -> (type, count, 4-byte value slot)."""
    assert tiff[:4] == b"II*\x00"
    (offset,) = struct.unpack_from("<I", tiff, 4)
    out = []
    while offset:
        assert offset % 2 == 0  # IFDs start on a word boundary
        (n,) = struct.unpack_from("<H", tiff, offset)
        entries = {}
        tags = []
        for k in range(n):
            tag, kind, count = struct.unpack_from("<HHI", tiff, offset + 2 + 12 * k)
            entries[tag] = (kind, count, tiff[offset + 10 + 12 * k: offset + 14 + 12 * k])
            tags.append(tag)
        assert tags == sorted(tags)  # TIFF 6.0: entries in ascending tag order
        out.append(entries)
        (offset,) = struct.unpack_from("<I", tiff, offset + 2 + 12 * n)
    return out


@pytest.mark.parametrize(("fine", "v_dpi"), [(True, 196), (False, 98)])
def test_strict_class_f_fields_read_by_tiffinfo_and_pillow(
        handout_pdf: bytes, fine: bool, v_dpi: int, tmp_path: Path) -> None:
    tiff = pdf_to_fax_tiff(handout_pdf, fine=fine)
    height = round(11 * v_dpi * LETTER_FIT)
    # libtiff (tiffinfo -D also decodes every strip, so a broken G4 stream fails here).
    pages = _tiffinfo(tiff, tmp_path)
    assert len(pages) == 4  # the sample handout
    for index, info in enumerate(pages):
        assert "Subfile Type: multi-page document (2 = 0x2)" in info
        assert f"Image Width: 1728 Image Length: {height}" in info
        assert f"Resolution: 204, {v_dpi} pixels/inch" in info
        assert "Bits/Sample: 1" in info
        assert "Compression Scheme: CCITT Group 4" in info
        assert "Photometric Interpretation: min-is-white" in info
        assert "FillOrder: msb-to-lsb" in info
        assert "Samples/Pixel: 1" in info
        assert f"Rows/Strip: {height}" in info
        assert f"Page Number: {index}-4" in info
        assert "Group 4 Options: (0 = 0x0)" in info
    # The entries as stored (tiffinfo shows defaults for some absent fields; a strict reader
    # wants them present).
    for index, fields in enumerate(_raw_fields(tiff)):
        assert fields[254][:2] == (4, 1) and fields[254][2] == (2).to_bytes(4, "little")
        assert fields[262][2][:2] == (0).to_bytes(2, "little")  # WhiteIsZero
        assert fields[266][2][:2] == (1).to_bytes(2, "little")  # FillOrder 1
        assert fields[273][1] == fields[279][1] == 1  # one strip
        assert fields[278][2] == height.to_bytes(4, "little")
        assert fields[293][:2] == (4, 1) and fields[293][2] == bytes(4)  # T6Options 0
        assert fields[296][2][:2] == (2).to_bytes(2, "little")  # ResolutionUnit inch
        assert fields[297] == (3, 2, index.to_bytes(2, "little") + (4).to_bytes(2, "little"))
    # Pillow reads the same file with the same pixels as the 1-bit page it was made from
    # (white stays white: the G4 runs are in fax polarity).
    frames = _frames(tiff)
    assert [f["page"] for f in frames] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert {f["dpi"] for f in frames} == {(204, v_dpi)}
    im = Image.open(io.BytesIO(tiff))
    for index, page in enumerate(fax_pages(handout_pdf, fine)):
        im.seek(index)
        assert im.info["compression"] == "group4"
        assert im.convert("1").tobytes() == page.tobytes()
        grey = im.convert("L").histogram()
        assert grey[255] > 10 * grey[0] > 0  # mostly white paper with some ink


def test_standard_resolution_halves_the_lines(handout_pdf: bytes) -> None:
    frames = _frames(pdf_to_fax_tiff(handout_pdf, fine=False))
    assert {f["dpi"] for f in frames} == {(204, 98)}
    assert {f["size"] for f in frames} == {(1728, round(11 * 98 * LETTER_FIT))}


def test_a4_is_centred_on_a_1728_pixel_line() -> None:
    pdf = render_fax_cover(samples.cover(paper_size=PaperSize.A4))
    (frame,) = _frames(pdf_to_fax_tiff(pdf))
    assert frame["size"] == (1728, round(841.8898 / 72 * 196))
    assert frame["page"] == (0, 1)


def test_preview_png_is_the_fax_image(handout_pdf: bytes) -> None:
    png = fax_preview_png(handout_pdf, page=1)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG"
    assert im.mode == "1"
    assert im.size == (1728, round(11 * 196 * LETTER_FIT))
    # Same pixels as the TIFF's second page.
    tiff = Image.open(io.BytesIO(pdf_to_fax_tiff(handout_pdf)))
    tiff.seek(1)
    assert im.tobytes() == tiff.convert("1").tobytes()
    with pytest.raises(ValueError, match="no page 5"):
        fax_preview_png(handout_pdf, page=4)
