"""Small dialogs that ask for a reason: acknowledging an interaction, overriding a warning."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from k2desk.ui.widgets.dialogs import settle_size


class ReasonDialog(QDialog):
    """Asks for a reason (required) and, for an acknowledgement, who gives it (pre-filled)."""

    def __init__(self, title: str, explanation: str, *, operator: str | None = None,
                 parent: QWidget | None = None, field_label: str = "Reason",
                 enter_confirms: bool = True) -> None:
        super().__init__(parent)
        # A final step (reject, retire) is taken only by its own button: Enter pressed to end
        # the typed reason must not take it.
        self.enter_confirms = enter_confirms
        self.setWindowTitle(title)
        form = QFormLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        form.addRow(text)
        self.operator: QLineEdit | None = None
        if operator is not None:
            self.operator = QLineEdit(operator)
            self.operator.setObjectName("ack-operator")
            form.addRow("Pharmacist", self.operator)
            self.operator.textChanged.connect(self._update)
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
        who_ok = self.operator is None or bool(self.operator.text().strip())
        ok = bool(self.reason.text().strip()) and who_ok
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> tuple[str, str]:
        return (self.operator.text().strip() if self.operator else "", self.reason.text().strip())


def open_acknowledgement(parent: QWidget, findings: Sequence[Any], operator: str, document: str,
                         on_given: Callable[[str, str], None]) -> ReasonDialog:
    """Ask a named pharmacist to acknowledge the major findings before ``document`` is made."""
    majors = [f for f in findings if str(getattr(f, "severity", "")) == "major"]  # a StrEnum
    text = "; ".join(f"{f.agent} (as typed: {f.input})" for f in majors)
    dlg = ReasonDialog("Acknowledge a major interaction",
                       f"Major interaction with vitamin K: {text}.\nA named pharmacist must review it "
                       f"before this {document} is made. The acknowledgement is stored and printed.",
                       operator=operator, parent=parent)
    dlg.accepted.connect(lambda: on_given(*dlg.values()))
    dlg.open()
    return dlg
