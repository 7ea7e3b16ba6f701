"""Who the patient is, on every patient page: name, age and date of birth, allergies or NKDA,
and the blood-thinner (VKA) flag. Shows what the page read from the services; no rule here."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QStyle, QVBoxLayout, QWidget

from k2desk.domain.models import Patient
from k2desk.ui.widgets.date_picker import us_date

VKA_MARK = "⚠ VKA"  # the same mark in the banner, the Patients list and the Log


def age_on(dob: dt.date, today: dt.date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def vka_cell(agents: Sequence[str]) -> str:
    """What the VKA icon in the Patients list and the Log says (tool tip, screen reader)."""
    return f"{VKA_MARK}: {', '.join(agents)}" if agents else ""


def vka_icon() -> QIcon:
    """The warning icon beside a patient's name in the Patients list and the Log (the
    platform's own warning sign: it reads as a warning on every desktop)."""
    style = QApplication.style()
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style else QIcon()


def allergies_line(p: Patient) -> str:
    if p.nkda:
        return "NKDA (no known drug allergies)"
    if p.allergies:
        return ", ".join(p.allergies)
    return "not recorded (neither allergies nor NKDA)"


class PatientBanner(QFrame):
    """One line (wrapping when narrow) naming the patient the page works on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient-banner")
        self.label = QLabel()
        self.label.setObjectName("patient-banner-text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(self.label.textFormat().RichText)
        self.setAccessibleName("Patient")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.label)
        self.patient: Patient | None = None
        self.vka: list[str] = []
        self.show_patient(None)

    def text(self) -> str:
        """What the banner says, as plain text (tests and screen readers read it)."""
        return self.accessibleDescription()

    def show_patient(self, p: Patient | None, vka: Sequence[str] = (),
                     today: dt.date | None = None) -> None:
        self.patient, self.vka = p, list(vka)
        if p is None:
            self.setVisible(False)
            self.setAccessibleDescription("No patient chosen")
            self.label.setText("")
            return
        self.setVisible(True)
        age = age_on(p.dob, today or dt.date.today())
        parts = [f"<b>{html.escape(p.name)}</b>",
                 f"{age} years (DOB {us_date(p.dob)})",
                 f"Allergies: {html.escape(allergies_line(p))}"]
        plain = [p.name, f"{age} years (DOB {us_date(p.dob)})", f"Allergies: {allergies_line(p)}"]
        if self.vka:
            flag = f"{VKA_MARK}: {', '.join(self.vka)}"
            parts.append(f"<span style='color:#b00020'><b>{html.escape(flag)}</b></span>")
            plain.append(flag)
        self.label.setText(" · ".join(parts))
        self.setAccessibleDescription(" · ".join(plain))
        border = "2px solid #b00020" if self.vka else "1px solid #8a8a8a"
        self.setStyleSheet(f"#patient-banner {{ border: {border}; background: #f4f6fa; }}")
