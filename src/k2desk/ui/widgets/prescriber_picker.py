"""Find a known prescriber by name or NPI; picking one fills the order's prescriber fields."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from k2desk.services import prescribers
from k2desk.services.prescribers import KnownPrescriber
from k2desk.ui import keyboard
from k2desk.ui.pages.base import UiEnv


def describe(k: KnownPrescriber) -> str:
    p = k.prescriber
    parts = [p.name, f"NPI {p.npi}" if p.npi else "no NPI"]
    if k.last_order_at:
        d = k.last_order_at[:10]
        parts.append(f"last order {d[5:7]}/{d[8:10]}/{d[:4]}")
    return " · ".join(parts)


class PrescriberPicker(QWidget):
    chosen = Signal(object)  # the KnownPrescriber

    def __init__(self, env: UiEnv) -> None:
        super().__init__()
        self.env = env
        self.setObjectName("prescriber-picker")
        label = QLabel("Known &prescriber")
        self.search = QLineEdit()
        self.search.setObjectName("prescriber-search")
        self.search.setPlaceholderText("name or NPI from an earlier order; Enter fills the fields")
        self.search.setAccessibleName("Find a known prescriber by name or NPI")
        self.search.setClearButtonEnabled(True)
        label.setBuddy(self.search)
        self.results = QListWidget()
        self.results.setObjectName("prescriber-results")
        self.results.setAccessibleName("Known prescribers found")
        self.results.setMaximumHeight(96)
        self.results.hide()
        self.results.itemActivated.connect(self._picked)
        self.results.itemClicked.connect(self._picked)
        keyboard.link_search(self.search, self.results, self._pick_first)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.search, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.results)
        self._shown_for: str | None = None  # the search text the listed rows were found for
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._find)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

    def _find(self) -> None:
        text, ctx = self.search.text(), self.env.ctx
        if not text.strip():
            self.results.hide()
            return

        def show(found: list[KnownPrescriber]) -> None:
            if text != self.search.text():
                return
            self._shown_for = text
            self.results.clear()
            for k in found:
                item = QListWidgetItem(describe(k))
                item.setData(Qt.ItemDataRole.UserRole, k)
                self.results.addItem(item)
            if not found:
                self.results.addItem(QListWidgetItem("No prescriber from an earlier order matches; "
                                                     "type the details in the fields below."))
            self.results.show()

        self.env.worker.run(lambda: prescribers.find_prescribers(ctx, text, limit=20), show)

    def _pick_first(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._find()
        if self._shown_for != self.search.text():
            # The search for what is typed now may still be on its way (a busy machine): wait
            # for it, so Enter never picks the first row of an earlier search.
            self.env.worker.wait()
            QCoreApplication.processEvents()
        if self._shown_for == self.search.text() and self.results.count():
            self._picked(self.results.item(0))

    def _picked(self, item: QListWidgetItem) -> None:
        k = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(k, KnownPrescriber):
            return
        self.search.clear()
        self.results.hide()
        self.chosen.emit(k)
