"""Settings page (first cut)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from k2desk.ui.pages.base import Page, UiEnv


class SettingsPage(Page):
    key = "settings"
    title = "Settings"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        QVBoxLayout(self).addWidget(QLabel("Settings: coming in the next step."))
