"""A small red (error) or amber (warning) line under a field, hidden when there is nothing to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from k2desk.domain.issues import FieldIssue, Severity


class FieldMessage(QLabel):
    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"msg-{key}")
        self.setWordWrap(True)
        self.hide()

    def show_issues(self, issues: list[FieldIssue]) -> None:
        if not issues:
            self.clear()
            self.hide()
            return
        worst = Severity.ERROR if any(i.severity is Severity.ERROR for i in issues) else Severity.WARNING
        colour = "#b00020" if worst is Severity.ERROR else "#8a5a00"
        self.setStyleSheet(f"color: {colour};")
        self.setText("\n".join(i.message for i in issues))
        self.show()
