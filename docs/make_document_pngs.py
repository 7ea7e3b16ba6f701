"""Render the printed documents as PNGs into docs/screenshots/ (issue 14's layouts).

    .venv/bin/python docs/make_document_pngs.py

Uses a temporary data dir (never the real one): the shipped vetted library, a patient on
warfarin, a handout on every topic, and compound orders of 1, 6 and 12 ingredients, each made
through the services (so what is shown is what is stored), then each stored PDF's pages side by
side at 60 dpi with pypdfium2.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "screenshots"
DPI = 60


def pages_png(pdf: bytes, path: Path, first_only: bool = False) -> None:
    import pypdfium2
    from PIL import Image

    doc = pypdfium2.PdfDocument(pdf)
    try:
        images = [doc[i].render(scale=DPI / 72 * (2 if first_only else 1)).to_pil().convert("RGB")
                  for i in range(1 if first_only else len(doc))]
    finally:
        doc.close()
    gap = 12
    sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) - 1),
                              max(i.height for i in images)), (128, 128, 128))
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + gap
    sheet.save(path, optimize=True)


def _order(n: int) -> dict[str, Any]:
    from k2desk.resources import form_path

    data: dict[str, Any] = json.loads(form_path("examples/compound_order_example.json").read_text("utf-8"))
    names = ["Menatetrenone (MK-4)", "Menaquinone-7 (MK-7)", "Cholecalciferol (vitamin D3)",
             "Magnesium glycinate", "Calcium citrate", "Boron citrate", "Zinc picolinate",
             "Pyridoxal 5-phosphate", "Methylcobalamin", "L-methylfolate", "Coenzyme Q10",
             "Alpha-lipoic acid"]
    strengths = [("15", "mg"), ("90", "mcg"), ("1000", "units"), ("100", "mg"), ("250", "mg"),
                 ("3", "mg"), ("15", "mg"), ("25", "mg"), ("1000", "mcg"), ("1", "mg"),
                 ("100", "mg"), ("0.5", "mg")]
    data["ingredients"] = [{"ingredient": names[i], "strength": strengths[i][0], "unit": strengths[i][1]}
                           for i in range(n)]
    data["compound"]["sig"] = ("Take 1 capsule by mouth three times daily with meals.\n"
                               "Swallow whole; do not open or crush.\nStore at room temperature.")
    return data


def main() -> int:
    from k2desk.services import documents, handouts, orders, patients
    from k2desk.services.context import AppContext
    from k2desk.services.patients import PatientInput
    from k2desk.services.settings import set_settings

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="k2desk-docs-") as tmp, AppContext(tmp, "Dana Whitfield") as ctx:
        set_settings(ctx, {"pharmacy.name": "Riverside Compounding Pharmacy",
                           "pharmacy.address": "120 Main Street, Suite 4, Springfield, IL 62701",
                           "pharmacy.phone": "(217) 555-0142", "pharmacy.fax": "(217) 555-0143"})
        pid = patients.add_patient(ctx, PatientInput(
            "Maria Lopez", "1951-03-04", address="45 Elm Street, Springfield, IL 62704",
            allergies=["Penicillin (rash)"], medications=["Coumadin 5 mg daily", "Lisinopril 10 mg"]))
        ack = {"ack_by": "Dana Whitfield", "ack_reason": "Discussed with patient; INR clinic informed."}
        # MK-4 with a VKA is contraindicated in the labeling: the prescriber's approval (issue 13).
        approval = {"ingredients.1.ingredient": "approved by Dr. Maria Lopez, reached by phone"}
        lib_topics = ["bone", "dosing", "food", "liver-cancer", "unknowns"]
        doc = handouts.create_handout(ctx, pid, lib_topics, **ack)
        pdf = documents.get_pdf(ctx, doc)
        pages_png(pdf, OUT / "handout-page1.png", first_only=True)
        pages_png(pdf, OUT / "handout-pages.png")
        for n in (1, 6, 12):
            _order_id, doc = orders.create_order(ctx, pid, _order(n), approval, **ack, ack_contact="phone")
            pages_png(documents.get_pdf(ctx, doc), OUT / f"order-{n}-ingredient{'s' if n > 1 else ''}.png")
        _order_id, doc = orders.create_order(ctx, pid, _order(4), approval, **ack, ack_contact="phone")
        pages_png(documents.get_pdf(ctx, doc), OUT / "order-form.png", first_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
