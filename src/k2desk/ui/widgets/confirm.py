"""Asking before a final or audited step, and before unsaved work is left behind.

Both open with ``open()`` (never ``exec()``: the event loop keeps running) and call back with
the answer. "Go back" is the default button of a final step, so Enter never confirms by
accident; the dangerous button is styled apart (red).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from k2desk.ui.widgets.dialogs import settle_size

DANGER_STYLE = ("QPushButton { background: #b00020; color: white; font-weight: bold; "
                "padding: 4px 10px; border: 1px solid #7a0016; border-radius: 3px; }"
                "QPushButton:disabled { background: #e8c4ca; color: #fff; border-color: #e8c4ca; }"
                "QPushButton:focus { border: 2px solid #000; }")


def style_danger(button: QPushButton) -> None:
    """A final step's button looks unlike the routine ones beside it."""
    button.setStyleSheet(DANGER_STYLE)
    button.setProperty("danger", True)


class ConfirmDialog(QDialog):
    """Says what will happen; ``action`` does it, ``back`` changes nothing."""

    def __init__(self, title: str, text: str, action_text: str, *, danger: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.label = QLabel(text)
        self.label.setObjectName("confirm-text")
        self.label.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.action = self.buttons.addButton(action_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action.setObjectName("confirm-action")
        self.back = self.buttons.addButton("Go &back", QDialogButtonBox.ButtonRole.RejectRole)
        self.back.setObjectName("confirm-back")
        self.danger = danger
        if danger:
            style_danger(self.action)
            self.back.setDefault(True)
        else:
            self.action.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.buttons)
        settle_size(self, 480, 190)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # The cursor starts on the safe answer of a final step (Space or Enter goes back).
        (self.back if self.danger else self.action).setFocus()


def confirm(parent: QWidget, title: str, text: str, action_text: str, on_yes: Callable[[], object], *,
            danger: bool = False) -> ConfirmDialog:
    """Ask, then call ``on_yes`` only if the person confirmed."""
    dlg = ConfirmDialog(title, text, action_text, danger=danger, parent=parent)
    dlg.accepted.connect(on_yes)
    dlg.open()
    return dlg


SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class UnsavedDialog(QDialog):
    """Save / Discard / Cancel for work not yet saved; ``answer`` says which was chosen."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unsaved changes")
        self.answer = CANCEL
        self.label = QLabel(f"{what} has changes that are not saved yet.\n"
                            "Save them, discard them, or go back to the form?")
        self.label.setObjectName("unsaved-text")
        self.label.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("unsaved-save")
        self.discard_button = self.buttons.addButton("&Discard changes",
                                                     QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("unsaved-discard")
        style_danger(self.discard_button)
        self.cancel_button = self.buttons.addButton("&Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("unsaved-cancel")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self._done(SAVE))
        self.discard_button.clicked.connect(lambda: self._done(DISCARD))
        self.cancel_button.clicked.connect(lambda: self._done(CANCEL))
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.buttons)
        settle_size(self, 480, 170)

    def _done(self, answer: str) -> None:
        self.answer = answer
        if answer == CANCEL:
            self.reject()
        else:
            self.accept()
