"""A small dialog that asks for a reason: overriding a warning, rejecting a snippet, how a
signed original came in. (Acknowledging an interaction has its own dialog, with the
pharmacist's name and PIN: widgets.pharmacist.)"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from k2desk.ui.widgets.dialogs import settle_size


class ReasonDialog(QDialog):
    """Asks for a reason (required)."""

    def __init__(self, title: str, explanation: str, *, parent: QWidget | None = None,
                 field_label: str = "Reason", enter_confirms: bool = True) -> None:
        super().__init__(parent)
        # A final step (reject, retire) is taken only by its own button: Enter pressed to end
        # the typed reason must not take it.
        self.enter_confirms = enter_confirms
        self.setWindowTitle(title)
        form = QFormLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        form.addRow(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("required")
        self.reason.textChanged.connect(self._update)
        form.addRow(field_label, self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._update()
        settle_size(self, 520, 220)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if (not self.enter_confirms and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not isinstance(self.focusWidget(), QPushButton)):
            event.accept()  # the reason stays typed; Tab reaches the named button
            return
        super().keyPressEvent(event)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.reason.text().strip()))

    def values(self) -> tuple[str, str]:
        """("", the reason): the first item is kept for callers written when it held a name."""
        return ("", self.reason.text().strip())
