"""A PDF preview of stored bytes (QtPdf), loaded from memory: nothing is written to disk."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QStackedWidget, QVBoxLayout, QWidget

from k2desk.ui.widgets.dialogs import settle_size


class PdfPreview(QStackedWidget):
    def __init__(self, parent: QWidget | None = None, empty_text: str = "Nothing to preview.") -> None:
        super().__init__(parent)
        self.setObjectName("pdf-preview")
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setAccessibleName("PDF preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.empty = QLabel(empty_text)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #666; padding: 20px;")
        self.addWidget(self.empty)
        self.addWidget(self.view)
        self._data = QByteArray()
        self._buffer: QBuffer | None = None
        self.pdf_bytes = b""

    def show_pdf(self, data: bytes) -> bool:
        """Show ``data``; False (and the empty text) when QtPdf cannot read it."""
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
        # The buffer and its bytes must outlive the document's use of them.
        self._data = QByteArray(data)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        ok = self.document.status() == QPdfDocument.Status.Ready and self.document.pageCount() > 0
        self.pdf_bytes = data if ok else b""
        self.setCurrentWidget(self.view if ok else self.empty)
        return ok

    def clear(self, text: str | None = None) -> None:
        self.document.close()
        self.pdf_bytes = b""
        if text is not None:
            self.empty.setText(text)
        self.setCurrentWidget(self.empty)

    def page_count(self) -> int:
        return int(self.document.pageCount()) if self.currentWidget() is self.view else 0


class LargePreviewDialog(QDialog):
    """The same PDF bytes in a window of their own, nearly screen-sized: readable on a small
    screen where the page's preview pane is narrow. Escape closes it."""

    def __init__(self, data: bytes, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.preview = PdfPreview(self, empty_text="Nothing to preview.")
        self.preview.view.setAccessibleName(title)
        self.preview.show_pdf(data)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.preview, 1)
        lay.addWidget(close)
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = (int(screen.width() * 0.9), int(screen.height() * 0.9)) if screen else (900, 700)
        settle_size(self, width, height)
