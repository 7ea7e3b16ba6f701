"""A small red (error), amber (warning) or blue (note: input normalised) line under a field,
hidden when there is nothing to say."""

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
        found = {i.severity for i in issues}
        worst = next(s for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE) if s in found)
        colour = {Severity.ERROR: "#b00020", Severity.WARNING: "#8a5a00", Severity.NOTE: "#1f4e79"}[worst]
        self.setStyleSheet(f"color: {colour};")
        self.setText("\n".join(i.message for i in issues))
        self.show()
