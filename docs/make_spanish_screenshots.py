"""Screenshots of the Spanish handout (issue 26) into docs/screenshots/.

    .venv/bin/python docs/make_spanish_screenshots.py

A temporary data dir (never the real one): a Spanish-reading patient on warfarin, a Spanish
handout on every topic made through the services (what is shown is what is stored), its pages
as PNGs with pdftoppm at 60 dpi, and the handout builder in Spanish at 1280x800 and 1024x768
(offscreen ``QWidget.grab()``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
OUT = Path(__file__).resolve().parent / "screenshots"
ACK_BY = "Dana Whitfield"
ACK_REASON = "Clínica de anticoagulación avisada; INR en 1 semana."


def pdf_pngs(pdf: Path, stem: str, pages: tuple[int, ...]) -> None:
    for n in pages:
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(n), "-l", str(n),
                        str(pdf), str(OUT / f"{stem}-page{n}")], check=True)
        print(f"docs/screenshots/{stem}-page{n}.png")


def main() -> int:
    from PIL import Image
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from k2desk.services import documents, handouts, patients
    from k2desk.services import library as library_svc
    from k2desk.services.context import AppContext
    from k2desk.services.patients import PatientInput
    from k2desk.services.settings import set_settings
    from k2desk.ui.main_window import MainWindow

    OUT.mkdir(parents=True, exist_ok=True)
    _app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="k2desk-es-") as tmp:
        os.environ["K2DESK_DATA_DIR"] = tmp
        ctx = AppContext(tmp, ACK_BY)
        set_settings(ctx, {"pharmacy.name": "Riverside Compounding Pharmacy",
                           "pharmacy.address": "120 Main Street, Suite 4, Springfield, IL 62701",
                           "pharmacy.phone": "(217) 555-0142", "pharmacy.fax": "(217) 555-0143"})
        pid = patients.add_patient(ctx, PatientInput(
            "María José Peña Castañeda", "1951-03-04", allergies=["Penicilina (sarpullido)"],
            medications=["Coumadin 5 mg daily", "Lisinopril 10 mg"], language="es"))
        topics = list(library_svc.load(ctx).topics)
        doc = handouts.create_handout(ctx, pid, topics, ack_by=ACK_BY, ack_reason=ACK_REASON)
        pdf = Path(tmp) / "es.pdf"
        pdf.write_bytes(documents.get_pdf(ctx, doc))
        count = int(next(line.split()[-1] for line in subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("Pages:")))
        # The title page, the blood-thinner box, and a page of answers with their labels.
        pdf_pngs(pdf, "handout-es", (1, 2, 6) if count >= 6 else tuple(range(1, count + 1)))

        window = MainWindow(ctx)
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

        for size in ((1280, 800), (1024, 768)):
            window.resize(*size)
            h = window.go("handout", patient_id=pid)
            settle(until=lambda h=h: h.loaded)
            h.set_topics(["interactions", "food", "dosing"])
            h.acknowledge(ACK_BY, ACK_REASON)
            settle(0.8, until=lambda h=h: h.previews > 0 and h.left_out.isVisible())
            suffix = "" if size == (1280, 800) else f"-{size[0]}x{size[1]}"
            path = OUT / f"12-handout-spanish{suffix}.png"
            window.grab().save(str(path), "PNG")
            Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
            print(f"docs/screenshots/{path.name}")
        window.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
