"""Handout page (first cut)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from k2desk.ui.pages.base import Page, UiEnv


class HandoutPage(Page):
    key = "handout"
    title = "Handout"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        QVBoxLayout(self).addWidget(QLabel("Handout: coming in the next step."))
