"""Printing the STORED PDF bytes: QtPdf renders each page into the printer.

No printer installed is a clear message offering Save as PDF (the stored bytes, unchanged).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, QStandardPaths
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QPushButton, QWidget

from k2desk.ui.widgets.dialogs import NoticeDialog

PRINT_DPI = 300
NO_PRINTER_TEXT = ("No printer is installed on this computer, so the document cannot be printed. "
                   "You can save the stored PDF instead and print it from another computer.")


def save_folder_suggestion(name: str) -> str:
    """Where "Save as PDF" starts: the person's Documents folder (else home), never the folder
    the program happened to be started from."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
    return str(base / name)


def printers_available() -> bool:
    return bool(QPrinterInfo.availablePrinters())


def render_pdf_to_printer(data: bytes, printer: QPrinter) -> int:
    """Draw every page of ``data`` onto ``printer``; return the number of pages sent."""
    raw = QByteArray(data)
    buf = QBuffer(raw)
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buf)
    if doc.status() != QPdfDocument.Status.Ready:
        raise ValueError("the stored PDF could not be read for printing")
    first, last = printer.fromPage(), printer.toPage()
    pages = range(doc.pageCount()) if first == 0 else range(first - 1, min(last, doc.pageCount()))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    sent = 0
    try:
        for n, i in enumerate(pages):
            if n:
                printer.newPage()
            target: QRect = painter.viewport()
            size_pt = doc.pagePointSize(i)
            # Render at the printer's resolution (capped), keeping the page's aspect ratio.
            scale = min(target.width() / size_pt.width(), target.height() / size_pt.height())
            w, h = int(size_pt.width() * scale), int(size_pt.height() * scale)
            dpi_cap = PRINT_DPI / 72.0
            img_size = QSize(min(w, int(size_pt.width() * dpi_cap)), min(h, int(size_pt.height() * dpi_cap)))
            image = doc.render(i, img_size)
            painter.drawImage(QRect(target.x(), target.y(), w, h), image)
            sent += 1
    finally:
        painter.end()
        doc.close()
    return sent


class PrintFlow:
    """Print stored bytes through QPrintDialog, or offer Save as PDF when no printer exists.

    ``on_printed(pages)`` is called after the pages went to the printer, and ``save(path)``
    writes the stored copy (both call services, which audit them).
    """

    def __init__(self, parent: QWidget, on_printed: Callable[[int], None],
                 save: Callable[[Path], None]) -> None:
        self.parent = parent
        self.on_printed = on_printed
        self.save = save
        self.dialog: QPrintDialog | NoticeDialog | None = None
        self.data = b""
        self.suggested_name = "document.pdf"

    def start(self, data: bytes, suggested_name: str) -> None:
        """Print ``data`` (the stored bytes) or, with no printer, offer to save them."""
        self.data, self.suggested_name = data, suggested_name
        if not printers_available():
            notice = NoticeDialog("No printer", NO_PRINTER_TEXT, self.parent)
            notice.setObjectName("no-printer")
            save = QPushButton("Save as PDF…")
            save.setObjectName("save-as-pdf")
            notice.buttons.clear()
            notice.buttons.addButton(save, QDialogButtonBox.ButtonRole.AcceptRole)
            notice.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            notice.accepted.connect(self.ask_where_to_save)
            self.dialog = notice
            notice.open()
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(suggested_name)
        dlg = QPrintDialog(printer, self.parent)
        dlg.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
        dlg.accepted.connect(lambda: self._print(printer))
        self.dialog = dlg
        # QPrintDialog.open() in PySide6 wants a receiver and a slot; the base class's open()
        # shows it window-modal and returns at once, as every other dialog here.
        QDialog.open(dlg)

    def _print(self, printer: QPrinter) -> None:
        self.on_printed(render_pdf_to_printer(self.data, printer))

    def ask_where_to_save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self.parent, "Save the stored PDF",
                                                    save_folder_suggestion(self.suggested_name),
                                                    "PDF files (*.pdf)")
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> Path:
        p = Path(path)
        if p.suffix.lower() != ".pdf":
            p = p.with_suffix(".pdf")
        self.save(p)
        return p
