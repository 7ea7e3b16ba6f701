"""What the far end of a fax gets: TIFF Class F pages and a preview PNG.

Fax pages are 1-bit images 1728 pixels wide at 204 dpi across and 196 ("fine") or 98
("standard") lines per inch (DOMAIN.md section 4). pdfium rasterises the PDF at 204 dpi; the
page is scaled down when wider than 1728 px (US Letter is 1734 px) or centred on white when
narrower (A4 is 1687 px), resampled to the vertical resolution, and thresholded to black and
white without dithering (dither noise is what makes faxed text hard to read).
"""

from __future__ import annotations

import io
import struct

import pypdfium2
from PIL import Image

FAX_WIDTH = 1728
H_DPI = 204
FINE_DPI = 196
STANDARD_DPI = 98
_THRESHOLD = 160  # grey levels darker than this print black: anti-aliased edges keep stems solid
_PAGE_NUMBER_TAG = 297


def _fax_page(page: pypdfium2.PdfPage, v_dpi: int) -> Image.Image:
    width_pt, height_pt = page.get_size()
    grey: Image.Image = page.render(scale=H_DPI / 72, grayscale=True).to_pil().convert("L")
    fit = min(1.0, FAX_WIDTH / grey.width)
    width = min(FAX_WIDTH, round(grey.width * fit))
    height = round(height_pt / 72 * v_dpi * fit)
    grey = grey.resize((width, height), Image.Resampling.LANCZOS)
    bw = grey.point(lambda v: 0 if v < _THRESHOLD else 255).convert("1", dither=Image.Dither.NONE)
    if width == FAX_WIDTH:
        return bw
    canvas = Image.new("1", (FAX_WIDTH, height), 1)
    canvas.paste(bw, ((FAX_WIDTH - width) // 2, 0))
    return canvas


def fax_pages(pdf: bytes, fine: bool = True) -> list[Image.Image]:
    """Every page of ``pdf`` as a 1-bit fax image (1728 px wide)."""
    v_dpi = FINE_DPI if fine else STANDARD_DPI
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [_fax_page(doc[i], v_dpi) for i in range(len(doc))]
    finally:
        doc.close()


def pdf_to_fax_tiff(pdf: bytes, fine: bool = True) -> bytes:
    """A multi-page TIFF Class F file of ``pdf``: 1-bit, CCITT G4, 1728 px wide, 204x196 dpi
    (204x98 when ``fine`` is False), with a PageNumber tag (page index, total) on every page."""
    pages = fax_pages(pdf, fine)
    if not pages:
        raise ValueError("the PDF has no pages to fax")
    total = len(pages)
    v_dpi = FINE_DPI if fine else STANDARD_DPI
    for index, page in enumerate(pages):
        # Per-frame tags: Pillow merges each appended image's own encoderinfo over the first's.
        page.encoderinfo = {"tiffinfo": {_PAGE_NUMBER_TAG: (index, total)}}
    out = io.BytesIO()
    pages[0].save(
        out,
        format="TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group4",
        dpi=(H_DPI, v_dpi),
        tiffinfo={_PAGE_NUMBER_TAG: (0, total)},
    )
    return _set_page_numbers(out.getvalue())


def _set_page_numbers(tiff: bytes) -> bytes:
    """Write (index, total) into every page's PageNumber entry.

    Pillow hands tags to libtiff for G4 files, and libtiff's PageNumber setter takes two
    separate integers, so the values Pillow passes arrive garbled (the tag is there, with the
    wrong numbers). The entry is SHORT x 2, stored inline in its 12-byte IFD slot, so it can be
    fixed in place by walking the IFD chain; nothing else in the file moves.
    """
    data = bytearray(tiff)
    order = "<" if data[:2] == b"II" else ">"
    offsets = []
    (offset,) = struct.unpack_from(order + "I", data, 4)
    while offset:
        offsets.append(offset)
        (count,) = struct.unpack_from(order + "H", data, offset)
        (offset,) = struct.unpack_from(order + "I", data, offset + 2 + 12 * count)
    total = len(offsets)
    for index, ifd in enumerate(offsets):
        (count,) = struct.unpack_from(order + "H", data, ifd)
        for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
            tag, kind, n = struct.unpack_from(order + "HHI", data, entry)
            if tag == _PAGE_NUMBER_TAG:
                if (kind, n) != (3, 2):
                    raise ValueError(f"unexpected PageNumber entry (type {kind}, count {n})")
                struct.pack_into(order + "HH", data, entry + 8, index, total)
                break
        else:
            raise ValueError(f"page {index + 1} of the fax TIFF has no PageNumber tag")
    return bytes(data)


def fax_preview_png(pdf: bytes, page: int = 0, fine: bool = True) -> bytes:
    """One page as the far end will see it: the 1-bit fax image, saved as PNG."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        if not 0 <= page < len(doc):
            raise ValueError(f"the PDF has {len(doc)} page(s); there is no page {page + 1}")
        image = _fax_page(doc[page], FINE_DPI if fine else STANDARD_DPI)
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(H_DPI, FINE_DPI if fine else STANDARD_DPI), optimize=True)
    return out.getvalue()
