"""Why print this document again? Patient copy, lost, fax resend, or other (with a few words)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from k2desk.domain.reprint import NOTE_MAX, REPRINT_REASONS, ReprintReason, check_reprint_reason
from k2desk.ui.widgets.dialogs import settle_size


class ReprintReasonDialog(QDialog):
    def __init__(self, doc_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reprint-reason")
        self.setWindowTitle("Reprint a stored document")
        form = QFormLayout(self)
        text = QLabel(f"Document D-{doc_id} prints again exactly as stored. Why is it printed again? "
                      "The reason is kept in the audit trail and shown in the Log.")
        text.setWordWrap(True)
        form.addRow(text)
        self.reason = QComboBox()
        self.reason.setObjectName("reprint-reason-choice")
        for code, label in REPRINT_REASONS.items():
            self.reason.addItem(label, code)
        self.reason.setAccessibleName("Reason for the reprint")
        self.note = QLineEdit()
        self.note.setObjectName("reprint-reason-note")
        self.note.setMaxLength(NOTE_MAX)
        self.note.setAccessibleName("Other reason, in a few words")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a00000;")
        form.addRow("&Reason", self.reason)
        form.addRow("&Other reason", self.note)
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Reprint")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.reason.currentIndexChanged.connect(lambda _i: self._update())
        self.note.textChanged.connect(lambda _t: self._update())
        self._update()
        settle_size(self, 520, 240)

    def _update(self) -> None:
        is_other = self.reason.currentData() == "other"
        self.note.setPlaceholderText("required for Other" if is_other else "optional")
        issues = check_reprint_reason(str(self.reason.currentData()), self.note.text())
        # "Other" with nothing written yet is not an error to shout about, only a disabled button.
        shown = [i for i in issues if self.note.text().strip() or i.code != "required"]
        self.problem.setText(" ".join(i.message for i in shown))
        self.problem.setVisible(bool(shown))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not issues)

    def value(self) -> ReprintReason:
        return ReprintReason(str(self.reason.currentData()), self.note.text().strip())
