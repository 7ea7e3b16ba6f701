"""Patients found by a search, as a table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from k2desk.domain.models import Patient
from k2desk.domain.validation import format_phone
from k2desk.ui.models.base import RowsModel
from k2desk.ui.widgets.patient_banner import vka_cell, vka_icon

COLUMNS = ("Name", "Date of birth", "Phone", "Allergies")
PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class PatientsModel(RowsModel[Patient]):
    columns = COLUMNS

    def __init__(self) -> None:
        super().__init__()
        # Patient id -> VKA agents on the current medications: a warning icon by the name.
        self.vka: dict[int, list[str]] = {}

    def set_patients(self, patients: list[Patient], vka: dict[int, list[str]] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(patients)
        self.vka = dict(vka or {})
        self.endResetModel()

    def patient(self, row: int) -> Patient:
        return self._rows[row]

    def row_of(self, patient_id: int) -> int:
        for i, p in enumerate(self._rows):
            if p.id == patient_id:
                return i
        return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == PATIENT_ROLE:
            return p
        agents = self.vka.get(p.id or 0) or []
        if index.column() == 0 and role == Qt.ItemDataRole.DecorationRole:
            return vka_icon() if agents else None
        if index.column() == 0 and role == Qt.ItemDataRole.ToolTipRole and agents:
            return f"{p.name} — {vka_cell(agents)}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return p.name
            if col == 1:
                return p.dob.isoformat()
            if col == 2:
                return format_phone(p.phone)
            return "NKDA" if p.nkda else ", ".join(p.allergies)
        return None
