"""Choose a patient by typing part of a name or phone (the patients service's full-text search)."""

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

from k2desk.domain.models import Patient
from k2desk.services import patients
from k2desk.ui import keyboard, scan
from k2desk.ui.pages.base import UiEnv


class PatientPicker(QWidget):
    chosen = Signal(object)  # the Patient

    def __init__(self, env: UiEnv) -> None:
        super().__init__()
        self.env = env
        self.patient: Patient | None = None
        self.label = QLabel("No patient chosen")
        self.label.setObjectName("picked-patient")
        self.label.setStyleSheet("font-weight: bold;")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find the patient: name or phone")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self.results.hide()
        self.results.itemActivated.connect(self._picked)
        self.results.itemClicked.connect(self._picked)
        self.search.setAccessibleName("Find the patient")
        self.results.setAccessibleName("Patients found")
        # Enter picks the first match (searching now if the pause after typing has not passed);
        # Down moves into the results, where Enter picks the highlighted one.
        keyboard.link_search(self.search, self.results, self._pick_first)
        scan.install(self.search, env)  # a scanned "D-123" opens that document in the Log
        top = QHBoxLayout()
        top.addWidget(self.label, 1)
        top.addWidget(self.search, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.results)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

    def _search(self) -> None:
        text, ctx = self.search.text(), self.env.ctx
        if not text.strip():
            self.results.hide()
            return

        def show(found: list[Patient]) -> None:
            if text != self.search.text():
                return
            self.results.clear()
            for p in found:
                item = QListWidgetItem(f"{p.name} · {p.dob.isoformat()}")
                item.setData(Qt.ItemDataRole.UserRole, p)
                self.results.addItem(item)
            self.results.setVisible(bool(found))

        self.env.worker.run(lambda: patients.search_patients(ctx, text, limit=20), show)

    def _pick_first(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._search()
            self.env.worker.wait()
            QCoreApplication.processEvents()
        if self.results.count():
            self._picked(self.results.item(0))

    def _picked(self, item: QListWidgetItem) -> None:
        self.set_patient(item.data(Qt.ItemDataRole.UserRole))
        self.search.clear()
        self.results.hide()

    def set_patient(self, p: Patient | None, *, emit: bool = True) -> None:
        self.patient = p
        self.label.setText(f"{p.name} · born {p.dob.isoformat()} · #{p.id}" if p else "No patient chosen")
        if emit:
            self.chosen.emit(p)
