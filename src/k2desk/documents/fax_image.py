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
from PIL import Image, ImageChops, TiffImagePlugin

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
    """A multi-page strict TIFF Class F file of ``pdf`` (RFC 2306): 1-bit, CCITT G4, 1728 px
    wide, 204x196 dpi (204x98 when ``fine`` is False); every page WhiteIsZero, NewSubfileType 2
    (a page of a multi-page document), one strip, FillOrder 1, T6Options 0, resolution in
    inches and PageNumber (page index, total)."""
    pages = fax_pages(pdf, fine)
    if not pages:
        raise ValueError("the PDF has no pages to fax")
    v_dpi = FINE_DPI if fine else STANDARD_DPI
    return _class_f([(_g4_strip(page), page.height) for page in pages], v_dpi)


def _g4_strip(page: Image.Image) -> bytes:
    """The page as one CCITT G4 strip in fax polarity: runs of 0 bits are white.

    libtiff's fax coder (through Pillow) writes 0 bits as white runs whatever the file's
    PhotometricInterpretation; Pillow packs a white pixel of a "1" image as a 1 bit. So the
    page is inverted first (ink becomes the 1 bits), which is exactly the WhiteIsZero data a
    fax machine expects.
    """
    out = io.BytesIO()
    ImageChops.invert(page).save(out, format="TIFF", compression="group4",
                                 tiffinfo={_ROWS_PER_STRIP: page.height})
    with Image.open(out) as im:
        assert isinstance(im, TiffImagePlugin.TiffImageFile)
        offsets, counts = im.tag_v2[_STRIP_OFFSETS], im.tag_v2[_STRIP_BYTE_COUNTS]
        fill_order = im.tag_v2.get(_FILL_ORDER, 1)
    if len(offsets) != 1 or fill_order != 1:
        raise ValueError(f"the G4 coder wrote {len(offsets)} strips with FillOrder {fill_order}")
    data = out.getvalue()
    return data[offsets[0]:offsets[0] + counts[0]]


# TIFF field types
_SHORT, _LONG, _RATIONAL = 3, 4, 5
_ROWS_PER_STRIP, _STRIP_OFFSETS, _STRIP_BYTE_COUNTS, _FILL_ORDER = 278, 273, 279, 266


def _class_f(strips: list[tuple[bytes, int]], v_dpi: int) -> bytes:
    """The TIFF file around already-coded G4 strips, one page (IFD) per strip.

    Written by hand because Pillow cannot write these fields correctly: it turns
    PhotometricInterpretation WhiteIsZero into a pixel-by-pixel Python inversion (seconds per
    page), cuts pages into 64 KB strips unless told otherwise, and libtiff garbles PageNumber
    as Pillow passes it. The directory format is small and fixed (TIFF 6.0 section 2): a
    little-endian header, then per page the strip, the two resolution RATIONALs and the IFD
    with its entries in ascending tag order.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    previous_link = 4  # where the offset of the next IFD goes
    total = len(strips)
    for index, (strip, height) in enumerate(strips):
        strip_at = len(out)
        out += strip
        if len(out) % 2:
            out += b"\x00"  # IFDs and values start on a word boundary
        x_res_at = len(out)
        out += struct.pack("<II", H_DPI, 1)
        y_res_at = len(out)
        out += struct.pack("<II", v_dpi, 1)
        entries = [
            (254, _LONG, 1, struct.pack("<I", 2)),  # NewSubfileType: page of a multi-page doc
            (256, _LONG, 1, struct.pack("<I", FAX_WIDTH)),  # ImageWidth
            (257, _LONG, 1, struct.pack("<I", height)),  # ImageLength
            (258, _SHORT, 1, struct.pack("<HH", 1, 0)),  # BitsPerSample
            (259, _SHORT, 1, struct.pack("<HH", 4, 0)),  # Compression: CCITT T.6 (G4)
            (262, _SHORT, 1, struct.pack("<HH", 0, 0)),  # PhotometricInterpretation: WhiteIsZero
            (_FILL_ORDER, _SHORT, 1, struct.pack("<HH", 1, 0)),  # FillOrder: MSB first
            (_STRIP_OFFSETS, _LONG, 1, struct.pack("<I", strip_at)),
            (277, _SHORT, 1, struct.pack("<HH", 1, 0)),  # SamplesPerPixel
            (_ROWS_PER_STRIP, _LONG, 1, struct.pack("<I", height)),  # one strip per page
            (_STRIP_BYTE_COUNTS, _LONG, 1, struct.pack("<I", len(strip))),
            (282, _RATIONAL, 1, struct.pack("<I", x_res_at)),  # XResolution
            (283, _RATIONAL, 1, struct.pack("<I", y_res_at)),  # YResolution
            (293, _LONG, 1, struct.pack("<I", 0)),  # T6Options: no uncompressed mode
            (296, _SHORT, 1, struct.pack("<HH", 2, 0)),  # ResolutionUnit: inch
            (_PAGE_NUMBER_TAG, _SHORT, 2, struct.pack("<HH", index, total)),  # PageNumber
        ]
        ifd_at = len(out)
        struct.pack_into("<I", out, previous_link, ifd_at)
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            out += struct.pack("<HHI", tag, kind, count) + value
        previous_link = len(out)
        out += b"\x00\x00\x00\x00"  # next IFD: filled in by the next page, else 0
    return bytes(out)


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
