"""Render a screenshot of every screen with demo data into docs/screenshots/ (offscreen).

    .venv/bin/python docs/make_screenshots.py            # 1280x800: NN-name.png
    .venv/bin/python docs/make_screenshots.py 1024x768   # the small counter screen: NN-name-1024x768.png

Fills a temporary data dir with `k2desk demo` data (never the real one), opens the main window on
Qt's offscreen platform, drives each page into a typical state and saves ``QWidget.grab()``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (1280, 800)
SUFFIX = ""
if len(sys.argv) > 1:  # e.g. 1024x768
    SIZE = tuple(int(n) for n in sys.argv[1].split("x"))  # type: ignore[assignment]
    SUFFIX = f"-{sys.argv[1]}"


def main() -> int:
    from PIL import Image
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from k2desk.services import demo, patients
    from k2desk.services.context import AppContext
    from k2desk.ui.main_window import MainWindow

    _app = QApplication(sys.argv[:1])  # kept alive for the whole run
    tmp = tempfile.TemporaryDirectory(prefix="k2desk-shots-")
    os.environ["K2DESK_DATA_DIR"] = tmp.name
    ctx = AppContext(tmp.name, "Dr. Ana Ruiz, RPh")
    demo.fill_demo(ctx, 40, 400)
    OUT.mkdir(parents=True, exist_ok=True)
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()

    def settle(seconds: float = 0.4, until=None, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            if not window.worker.busy() and (until is None or until()):
                break
            time.sleep(0.01)
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def shot(name: str, widget=None) -> None:
        settle(0.3)
        path = OUT / f"{name}{SUFFIX}.png"
        (widget or window).grab().save(str(path), "PNG")
        # A 256-colour palette keeps text crisp and the files small enough for the README.
        Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size // 1024} KB")

    everyone = patients.list_patients(ctx, limit=100)
    on_warfarin = next(p for p in everyone if any("warfarin" in m.text.lower() or "coumadin" in m.text.lower()
                                                 for m in p.medications) and p.name.isascii())

    # Patients: search, a patient on warfarin with the banner
    page = window.go("patients")
    settle()
    page.search.setText(on_warfarin.name.split()[0])
    settle(0.4)
    page.select_patient(on_warfarin.id)
    settle(0.5)
    shot("01-patients")
    page.new_item()
    page.form.name.setText("Jordan Lee")
    page.form.dob.setText("1975-02-30")
    page.form.phone.setText("555")
    page.form.medications.add("Coumadin 5 mg daily")
    page.save()
    settle(0.6)
    shot("02-patient-inline-errors")
    page.discard_unsaved()  # else leaving the page asks Save / Discard / Cancel

    # Handout builder: blocked, then acknowledged and created
    h = window.go("handout", patient_id=on_warfarin.id)
    settle(until=lambda: h.loaded)
    h.set_topics(["bone", "safety"])
    settle(0.8, until=lambda: h.previews > 0)
    shot("03-handout-blocked")
    h.acknowledge(ctx.operator, "INR checked weekly by the anticoagulation clinic")
    h.save()
    settle(0.8, until=lambda: h.document_id is not None)
    shot("04-handout-created")

    # Order editor with a warning and its Override… button, then a saved order
    o = window.go("orders", patient_id=everyone[1].id)
    settle()
    import json

    from k2desk.resources import forms_dir
    from k2desk.ui.pages.form_editor import write_input
    data = json.loads((forms_dir() / "examples" / "compound_order_example.json").read_text())
    data["prescriber"]["npi"] = "1234567890"
    for section, fields in data.items():
        if section == "form":
            continue
        if section == "ingredients":
            for name, value in fields[0].items():
                write_input(o.editor.cell(f"ingredients.1.{name}").input, value)
            continue
        for name, value in fields.items():
            write_input(o.editor.cell(f"{section}.{name}").input, value)
    settle(1.0)
    o.editor.cell("prescriber.npi").input.setFocus()
    shot("05-order-warning")
    o.grant_override("prescriber.npi", "Verified by phone with the prescriber's office")
    if o.banner.has_major():
        o.acknowledge(ctx.operator, "Reviewed", None, "phone", "Prescriber's nurse")
        # MK-4 is contraindicated in the labeling with a VKA: record who approved it (issue 13).
        o.grant_override("ingredients.1.ingredient", "approved by Dr. Maria Lopez, reached by phone")
    o.save()
    settle(1.0, until=lambda: o.document_id is not None)
    shot("06-order-saved")

    # Log with the newest document open
    lg = window.go("log")
    settle()
    lg.table.selectRow(0)
    settle(0.8)
    shot("07-log")

    lib = window.go("library")
    settle(until=lambda: lib.loaded)
    lib.table.selectRow(0)
    settle()
    shot("08-library")

    window.go("settings")
    shot("09-settings")

    dlg = window.show_shortcuts()
    settle()
    shot("10-shortcuts", dlg)
    dlg.close()

    window.lock()
    shot("11-locked")
    window.close()
    ctx.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
