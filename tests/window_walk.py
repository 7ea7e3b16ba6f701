"""Walk every page of the main window and list what keyboard and screen-reader users would trip
over. Generic: it looks at whatever widgets exist, so controls added later are checked too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from k2desk.ui.keyboard import INTERACTIVE, accessible_name, is_inner_part


def _shown(w: QWidget, top: QWidget) -> bool:
    return w.isVisibleTo(top) and w.isVisible()


def problems_in(top: QWidget) -> list[str]:
    """Every problem under ``top`` as it is shown now."""
    found: list[str] = []
    for w in top.findChildren(QWidget):
        if not _shown(w, top):
            continue
        what = f"{type(w).__name__} {w.objectName() or repr(accessible_name(w))}"
        interactive = (isinstance(w, INTERACTIVE) and bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)
                       and not is_inner_part(w))
        if interactive and not accessible_name(w):
            found.append(f"no accessible name: {what} in {type(w.parentWidget()).__name__}")
        if isinstance(w, QAbstractItemView) and w.tabKeyNavigation():
            found.append(f"Tab moves inside instead of leaving: {what}")
        if isinstance(w, QPlainTextEdit | QTextEdit) and not w.isReadOnly() and not w.tabChangesFocus():
            found.append(f"multi-line field eats Tab: {what}")
        if isinstance(w, QAbstractButton) and w.text():
            text = w.text().replace("&", "")
            need = w.fontMetrics().horizontalAdvance(text)
            if w.sizeHint().width() > w.width() and need > w.contentsRect().width() - 8:
                found.append(f"button text clipped: {text!r} is {w.width()} px wide, "
                             f"needs {w.sizeHint().width()}")
        if isinstance(w, QAbstractScrollArea) and w.horizontalScrollBar().isVisible():
            found.append(f"horizontal scroll bar: {what}")
    return found


def settle_all(window) -> None:
    window.worker.wait()
    for _ in range(3):
        QApplication.processEvents()
