"""Orders page (first cut)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from k2desk.ui.pages.base import Page, UiEnv


class OrderPage(Page):
    key = "orders"
    title = "Orders"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        QVBoxLayout(self).addWidget(QLabel("Orders: coming in the next step."))
