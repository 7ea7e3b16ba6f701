"""Keyboard and screen-reader rules every widget of the window follows, applied in one place.

- Tab leaves every table and list: arrows move inside, Tab goes to the next control. (Qt's
  QTableView moves cell by cell on Tab and wraps round, so Tab never left the log and moved the
  selection to another patient's document; see owncloud client PR #11790 for the same fix.)
- Tab leaves every multi-line field (QPlainTextEdit / QTextEdit): Enter still adds a line, and
  no address or sig stores a stray tab character.
- Every interactive widget has a name a screen reader can say: its own accessible name, the
  label whose buddy it is, or failing those its placeholder text or tool tip.

``KeyboardRules`` is installed on the application and applies the rules when Qt polishes each
widget (just before it is first shown), so dialogs and pages built later, by any module, follow
them without calling anything. ``apply_rules`` does the same for a tree at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAccessible, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

# Widgets a person can operate; labels, frames and containers are not.
INTERACTIVE = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
               QPlainTextEdit, QTextEdit)


def _plain(text: str) -> str:
    """A label or placeholder as a screen reader should say it: no mnemonic '&', no '(Ctrl+F)'."""
    text = re.sub(r"&(?!&)", "", text).replace("&&", "&")
    return re.sub(r"\s*\((Ctrl|Alt|Shift|F\d)[^)]*\)", "", text).strip(" …:")


def accessible_name(w: QWidget) -> str:
    """The name a screen reader announces for ``w`` (Qt's own answer: own name, buddy, text)."""
    iface = QAccessible.queryAccessibleInterface(w)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None and iface.isValid() else ""


def fallback_name(w: QWidget) -> str:
    """A name from what the widget shows when nothing names it: placeholder, tool tip."""
    if isinstance(w, QLineEdit) and w.placeholderText():
        return _plain(w.placeholderText())
    if isinstance(w, QPlainTextEdit | QTextEdit) and w.placeholderText():
        return _plain(w.placeholderText())
    if w.toolTip():
        return _plain(w.toolTip())
    return ""


def is_inner_part(w: QWidget) -> bool:
    """The line edit inside a spin box or combo box: the outer widget is what is named."""
    return isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)


def form_label_of(w: QWidget) -> QLabel | None:
    """The QFormLayout label of the row ``w`` sits in, even when it is wrapped in a box with its
    message (forms built by other modules put the input in such a box)."""
    a: QWidget | None = w
    for _ in range(4):
        parent = a.parentWidget() if a is not None else None
        if a is None or parent is None:
            return None
        parent_layout = parent.layout()
        if isinstance(parent_layout, QFormLayout):
            label = parent_layout.labelForField(a)
            if isinstance(label, QLabel) and label.text():
                return label
        a = parent
    return None


_GUESSED = "k2desk_guessed_name"


def apply_to(w: QWidget) -> None:
    """The rules for one widget (children are handled when they are polished themselves)."""
    if isinstance(w, QAbstractItemView):
        w.setTabKeyNavigation(False)
    if isinstance(w, QPlainTextEdit | QTextEdit):
        w.setTabChangesFocus(True)
    if not isinstance(w, INTERACTIVE) or is_inner_part(w):
        return
    guessed = bool(w.property(_GUESSED))
    if not isinstance(w, QAbstractButton) or not w.text():  # a check box without text, too
        label = form_label_of(w)
        if label is not None and (label.buddy() is None or label.buddy().isAncestorOf(w)):
            label.setBuddy(w)  # the label points at the real input, not at the box around it
            if not w.accessibleName() or guessed:
                w.setAccessibleName(_plain(label.text()).rstrip(" *"))
                w.setProperty(_GUESSED, False)
                return
    if not w.accessibleName() and not accessible_name(w):
        name = fallback_name(w)
        if name:
            w.setAccessibleName(name)
            w.setProperty(_GUESSED, True)  # a form label found later takes its place


def apply_rules(root: QWidget) -> None:
    """Apply the rules to ``root`` and every widget under it now."""
    for w in (root, *root.findChildren(QWidget)):
        apply_to(w)


class KeyboardRules(QObject):
    """Application event filter: each widget gets the rules when Qt polishes it."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Polish comes before the first show, but a size query can polish a widget before its
        # form row exists; Show looks again (cheap: a few attribute reads).
        if event.type() in (QEvent.Type.Polish, QEvent.Type.Show) and isinstance(obj, QWidget):
            apply_to(obj)
        return False


def install() -> None:
    """Install the rules on the application once (idempotent: the filter is the app's child)."""
    app = QApplication.instance()
    if app is None or app.findChild(KeyboardRules) is not None:
        return
    app.installEventFilter(KeyboardRules(app))


def set_buddy(label: QWidget | None, field: QWidget) -> None:
    """Point a form label at the real input (not the box that holds it and its message)."""
    if isinstance(label, QLabel):
        label.setBuddy(field)


class _DownIntoResults(QObject):
    """On a search box: Down moves the focus into the results, on their first row."""

    def __init__(self, box: QLineEdit, view: QAbstractItemView) -> None:
        super().__init__(box)
        self.view = view

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Down and self.view.isVisible()):
            model = self.view.model()
            if model is not None and model.rowCount() > 0:
                self.view.setFocus()
                if not self.view.currentIndex().isValid():
                    self.view.setCurrentIndex(model.index(0, 0))
                return True
        return False


def link_search(box: QLineEdit, view: QAbstractItemView, open_first: Callable[[], None]) -> None:
    """Enter in ``box`` opens the first match (``open_first``); Down moves into ``view``."""
    box.returnPressed.connect(open_first)
    box.installEventFilter(_DownIntoResults(box, view))


def page_key(page: QWidget, keys: str, slot: Callable[[], object]) -> QShortcut:
    """A key that works anywhere on ``page`` (and only while it is shown)."""
    sc = QShortcut(QKeySequence(keys), page)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


def _in_layout_order(w: QWidget) -> list[QWidget]:
    """Widgets under ``w`` in the order their layouts place them (top to bottom, left to right)."""
    from PySide6.QtWidgets import QLayout

    out: list[QWidget] = []

    def walk_layout(lay: QLayout | None) -> None:
        if lay is None:
            return
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item is None:
                continue
            child = item.widget()
            if child is not None:
                walk_widget(child)
            else:
                walk_layout(item.layout())

    def walk_widget(x: QWidget) -> None:
        out.append(x)
        walk_layout(x.layout())

    walk_layout(w.layout())
    return out


def tab_order_by_layout(root: QWidget) -> None:
    """Tab follows what the eye sees: the order the layouts place the inputs, not the order
    they were created in (lines added later would otherwise come last)."""
    chain = [x for x in _in_layout_order(root)
             if x.focusPolicy() & Qt.FocusPolicy.TabFocus and not is_inner_part(x)]
    for a, b in zip(chain, chain[1:], strict=False):
        QWidget.setTabOrder(a, b)
