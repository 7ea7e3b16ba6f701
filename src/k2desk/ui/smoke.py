"""Open the main window once, visit every page and close it: the window step of --self-test."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from k2desk.services.context import AppContext
from k2desk.ui.icons import app_icon

_QT_PROBLEMS = (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)


def _check_platform_plugin() -> None:
    # Without its platform plugin Qt aborts the process; say which file is missing instead.
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    if plugins.is_dir() and not any(plugins.glob("*offscreen*")):
        raise RuntimeError(f"Qt's offscreen platform plugin is missing from {plugins}")


def show_main_window(ctx: AppContext) -> str:
    """Show the main window offscreen, open each page, close it; raise if anything went wrong.

    Returns a short note for the self-test summary. Qt's own messages are collected rather
    than printed (the self-test prints one line); a critical one fails the step.
    """
    _check_platform_plugin()
    qt_problems: list[str] = []

    def on_qt_message(kind: QtMsgType, _context: object, text: str) -> None:
        if kind in _QT_PROBLEMS:
            qt_problems.append(text)

    previous = qInstallMessageHandler(on_qt_message)
    try:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        icon = app_icon()
        if icon.isNull():
            raise RuntimeError("the application icon (resources/icons/k2desk.svg) is missing")
        app.setWindowIcon(icon)  # type: ignore[union-attr]  # instance() may be QCoreApplication
        from k2desk.ui.main_window import PAGE_KEYS, MainWindow

        window = MainWindow(ctx)
        errors: list[str] = []
        window.bridge.error.connect(errors.append)
        window.show()
        app.processEvents()
        for key in PAGE_KEYS:
            window.go(key)
            app.processEvents()
        window.worker.wait()
        app.processEvents()
        window.close()
        app.processEvents()
        if errors:
            raise RuntimeError(f"the window reported: {errors[0].splitlines()[0]}")
        if qt_problems:
            raise RuntimeError(f"Qt reported: {qt_problems[0]}")
        return f"{len(PAGE_KEYS)} pages"
    finally:
        qInstallMessageHandler(previous)
