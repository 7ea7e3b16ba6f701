"""Dialogs that behave the same on a desktop and on the offscreen test platform.

Qt pushes a top-level window's layout minimum size to the platform window on every change; the
offscreen platform answers each push with a warning (and our tests fail on Qt warnings). So our
dialogs set their minimum size once, before showing, and their layouts do not constrain it.
QMessageBox does its own sizing, hence ``NoticeDialog`` instead.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QVBoxLayout, QWidget


def settle_size(widget: QWidget, width: int = 0, height: int = 0) -> None:
    """Stop the layout from resizing the platform window; optionally give a starting size."""
    lay = widget.layout()
    if lay is not None:
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    if width and height:
        widget.resize(width, height)


class NoticeDialog(QDialog):
    """A plain message with OK (and optional extra buttons); opened non-modally with ``open()``."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setObjectName("notice-text")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.buttons)
        settle_size(self, 460, 180)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
