"""The main window (a first cut: the full screens come with the desktop-app issue)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from k2desk import __version__
from k2desk.services.context import AppContext


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"k2desk {__version__}")
        self.setCentralWidget(QLabel(f"k2desk — data in {ctx.data_dir}"))
        self.statusBar().showMessage(f"Operator: {ctx.operator}")
        self.resize(1100, 750)
