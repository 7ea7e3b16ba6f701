"""Fax-ready checks on a produced PDF (DOMAIN.md section 4), reusable by any test.

Each check returns a list of human-readable problems; an empty list means the PDF passes.
- black only: every fill/stroke colour set in a content stream is black (or white, which is
  no ink), and every image is 1-bit or grey-free;
- no text under 10 pt: font size from Tf times the text-matrix and CTM scale at each text show;
- all ink at least 0.5 in from every edge: rasterised with pdfium, every non-white pixel;
- page size: US Letter or A4 as asked;
- every font embedded.
"""

from __future__ import annotations

import io
import math

import pypdfium2
from pypdf import PdfReader
from pypdf.generic import ContentStream, IndirectObject

from k2desk.domain.documents import PaperSize

LETTER = (612.0, 792.0)
A4 = (595.2756, 841.8898)

_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: _Matrix, n: _Matrix) -> _Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _is_black_or_white(values: list[float], op: str) -> bool:
    if op in ("k", "K"):
        c, m, y, k = values
        return (c, m, y) == (0, 0, 0) and k in (0, 1)
    if not values:
        return True
    return all(v == 0 for v in values) or all(v == 1 for v in values)


def _operations(pdf: bytes) -> list[tuple[int, list[tuple[list[object], bytes]], PdfReader]]:
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        ops = ContentStream(contents, reader).operations if contents is not None else []
        out.append((number, ops, reader))
    return out


def colour_problems(pdf: bytes) -> list[str]:
    """Any grey or colour fill/stroke, or any image that is not 1-bit."""
    problems = []
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        if contents is None:
            continue
        for operands, op in ContentStream(contents, reader).operations:
            name = op.decode("latin-1")
            if name in ("rg", "RG", "g", "G", "k", "K", "sc", "SC", "scn", "SCN"):
                nums = [float(v) for v in operands if isinstance(v, int | float)]  # type: ignore[arg-type]
                if any(not isinstance(v, int | float) for v in operands):
                    problems.append(f"page {number}: pattern colour {operands} {name}")
                elif not _is_black_or_white(nums, name):
                    problems.append(f"page {number}: non-black colour {nums} {name}")
        resources = page.get("/Resources")
        xobjects = resources.get("/XObject", {}) if resources else {}
        for key, ref in dict(xobjects).items():
            xo = ref.get_object() if isinstance(ref, IndirectObject) else ref
            if xo.get("/Subtype") == "/Image":
                bits = xo.get("/BitsPerComponent")
                if not (xo.get("/ImageMask") or bits == 1):
                    problems.append(f"page {number}: image {key} has {bits}-bit {xo.get('/ColorSpace')}")
    return problems


def small_text_problems(pdf: bytes, minimum: float = 10.0) -> list[str]:
    """Text shown at an effective size under ``minimum`` points."""
    problems = []
    for number, ops, _reader in _operations(pdf):
        ctm = _IDENTITY
        stack: list[_Matrix] = []
        tm = _IDENTITY
        size = 0.0
        for operands, op in ops:
            name = op.decode("latin-1")
            if name == "q":
                stack.append(ctm)
            elif name == "Q":
                ctm = stack.pop() if stack else _IDENTITY
            elif name == "cm":
                ctm = _mul(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif name == "BT":
                tm = _IDENTITY
            elif name == "Tm":
                tm = tuple(float(v) for v in operands)  # type: ignore[assignment]
            elif name == "Tf":
                size = float(operands[1])  # type: ignore[arg-type]
            elif name in ("Tj", "TJ", "'", '"'):
                shown = operands[-1]
                if isinstance(shown, list):
                    has_text = any(isinstance(s, str | bytes) and len(s) > 0 for s in shown)
                else:
                    has_text = len(shown) > 0  # type: ignore[arg-type]
                if not has_text:
                    continue
                m = _mul(tm, ctm)
                scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
                effective = size * scale
                if effective < minimum - 0.01:
                    problems.append(f"page {number}: text at {effective:.2f} pt: {shown!r:.60}")
    return problems


def margin_problems(pdf: bytes, margin_in: float = 0.5, dpi: int = 100) -> list[str]:
    """Ink (any non-white pixel) closer than ``margin_in`` inches to an edge of any page."""
    problems = []
    doc = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=dpi / 72).to_pil().convert("L")
            ink = image.point(lambda v: 255 if v < 250 else 0)
            box = ink.getbbox()
            if box is None:
                continue
            left, top, right, bottom = box  # right/bottom exclusive
            limit = margin_in * dpi
            w, h = image.size
            edges = {"left": left, "top": top, "right": w - right, "bottom": h - bottom}
            for edge, px in edges.items():
                if px < limit:
                    problems.append(f"page {index + 1}: ink {px / dpi:.2f} in from the {edge} edge")
    finally:
        doc.close()
    return problems


def page_size_problems(pdf: bytes, paper: PaperSize = PaperSize.LETTER) -> list[str]:
    expected = A4 if paper is PaperSize.A4 else LETTER
    problems = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if abs(size[0] - expected[0]) > 0.5 or abs(size[1] - expected[1]) > 0.5:
            problems.append(f"page {number}: {size[0]:.1f} x {size[1]:.1f} pt, expected {paper.value}")
    return problems


def unembedded_fonts(pdf: bytes) -> list[str]:
    """Fonts a page uses whose program is not inside the PDF (a fax server would substitute)."""
    problems = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        resources = page.get("/Resources")
        fonts = resources.get("/Font", {}) if resources else {}
        for key, ref in dict(fonts).items():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else None
            files = ("/FontFile", "/FontFile2", "/FontFile3")
            if descriptor is None or not any(k in descriptor for k in files):
                problems.append(f"page {number}: font {key} ({font.get('/BaseFont')}) is not embedded")
    return problems


def fax_ready_problems(pdf: bytes, paper: PaperSize = PaperSize.LETTER) -> list[str]:
    """Every check above, together."""
    return (colour_problems(pdf) + small_text_problems(pdf) + margin_problems(pdf)
            + page_size_problems(pdf, paper) + unembedded_fonts(pdf))
