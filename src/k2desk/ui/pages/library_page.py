"""Library page (first cut)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from k2desk.ui.pages.base import Page, UiEnv


class LibraryPage(Page):
    key = "library"
    title = "Library"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        QVBoxLayout(self).addWidget(QLabel("Library: coming in the next step."))
