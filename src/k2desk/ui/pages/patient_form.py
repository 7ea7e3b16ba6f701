"""Add or edit one patient: every field with its message underneath, meds, allergies or NKDA."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.issues import FieldIssue
from k2desk.domain.models import Patient
from k2desk.domain.validation import format_phone
from k2desk.services.patients import PatientInput, check_patient, language_choices
from k2desk.ui.keyboard import set_buddy
from k2desk.ui.messages import issues_by_field
from k2desk.ui.widgets.date_picker import DatePickerButton
from k2desk.ui.widgets.field_message import FieldMessage


class EditableList(QWidget):
    """A list of one-line entries with a box to add and a button to remove."""

    changed = Signal()

    def __init__(self, key: str, placeholder: str) -> None:
        super().__init__()
        self.list = QListWidget()
        self.list.setObjectName(f"list-{key}")
        self.list.setMaximumHeight(110)
        self.entry = QLineEdit()
        self.entry.setObjectName(f"entry-{key}")
        self.entry.setPlaceholderText(placeholder)
        self.entry.returnPressed.connect(self.add_from_entry)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_from_entry)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        lay.addLayout(row)
        self.list.itemChanged.connect(lambda _i: self.changed.emit())

    def add(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.addItem(item)
        self.changed.emit()

    def add_from_entry(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.add(text)
            self.entry.clear()

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.changed.emit()

    def values(self) -> list[str]:
        """The entries, plus what is still typed in the box (so nothing typed is lost)."""
        vals = [self.list.item(i).text() for i in range(self.list.count())]
        if self.entry.text().strip():
            vals.append(self.entry.text().strip())
        return vals

    def set_values(self, values: list[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self.entry.clear()
        for v in values:
            self.add(v)

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 - Qt's name
        self.entry.setEnabled(enabled)
        self.add_button.setEnabled(enabled)
        self.remove_button.setEnabled(enabled)
        self.list.setEnabled(enabled)


class PatientForm(QWidget):
    """Shows messages from ``check_patient`` under each field; holds no rule of its own."""

    medications_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.patient_id: int | None = None
        self._stored_language: str | None = None  # the edited record's language, kept even if removed
        self.messages: dict[str, FieldMessage] = {}
        self._checking = False  # after the first save attempt, re-check as the person types
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.heading = QLabel("New patient")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        form.addRow(self.heading)

        def field(key: str, label: str, widget: QWidget, focus: QWidget | None = None,
                  beside: QWidget | None = None) -> QWidget:
            widget.setObjectName(f"field-{key}")
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            if beside is None:
                v.addWidget(widget)
            else:
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(beside)
                v.addLayout(row)
            msg = FieldMessage(key)
            self.messages[key] = msg
            v.addWidget(msg)
            form.addRow(label, box)
            # The label names the real input (for Alt+letter and screen readers), not the box.
            real = focus or widget
            set_buddy(form.labelForField(box), real)
            real.setAccessibleName(label.replace("&", ""))
            return widget

        self.name = field("name", "&Name", QLineEdit())
        dob = QLineEdit()
        self.dob_picker = DatePickerButton(dob, "the date of birth", dt.date(1950, 1, 1))
        self.dob = field("dob", "Date of &birth", dob, beside=self.dob_picker)
        self.dob.setPlaceholderText("MM/DD/YYYY or YYYY-MM-DD, for example 03/14/1956")
        self.phone = field("phone", "&Phone", QLineEdit())
        self.phone.setPlaceholderText("(817) 860-6083")
        self.address = field("address", "A&ddress", QPlainTextEdit())
        self.address.setMaximumHeight(60)
        self.address.setTabChangesFocus(True)  # Enter adds a line; Tab goes on to Notes
        self.notes = field("notes", "N&otes", QPlainTextEdit())
        self.notes.setMaximumHeight(50)
        self.notes.setTabChangesFocus(True)
        # Issue 25: the language the patient reads best; the handout builder starts with it.
        self.language = field("language", "Handout lang&uage", QComboBox())
        for code, label in language_choices():
            self.language.addItem(label, code)
        meds = EditableList("medications", "one medication as on the label, e.g. warfarin 5 mg")
        self.medications = field("medications", "&Medications", meds, focus=meds.entry)
        meds.list.setAccessibleName("Medications listed")
        allergy_box = QWidget()
        av = QVBoxLayout(allergy_box)
        av.setContentsMargins(0, 0, 0, 0)
        self.nkda = QCheckBox("NKDA — no known drug allergies (asked and confirmed)")
        self.nkda.setObjectName("field-nkda")
        self.allergy_list = EditableList("allergies", "one allergy, e.g. penicillin (rash)")
        self.allergy_list.list.setAccessibleName("Allergies listed")
        av.addWidget(self.nkda)
        av.addWidget(self.allergy_list)
        self.allergies = field("allergies", "A&llergies", allergy_box, focus=self.allergy_list.entry)

        for w in (self.name, self.dob, self.phone):
            w.textChanged.connect(self._recheck)
        for w in (self.address, self.notes):
            w.textChanged.connect(self._recheck)
        self.medications.changed.connect(self._recheck)
        self.medications.changed.connect(self.medications_changed)
        self.allergy_list.changed.connect(self._allergies_changed)
        self.nkda.toggled.connect(self._nkda_toggled)
        self.language.currentIndexChanged.connect(self._recheck)
        self._recheck_timer = QTimer(self, singleShot=True, interval=200)
        self._recheck_timer.timeout.connect(self._live_check)
        self._as_loaded = self.read()

    # NKDA and a list of allergies exclude each other: the UI makes the choice explicit.
    def _nkda_toggled(self, on: bool) -> None:
        self.allergy_list.setEnabled(not on)
        self._recheck()

    def _allergies_changed(self) -> None:
        self.nkda.setEnabled(not self.allergy_list.values())
        self._recheck()

    def _recheck(self) -> None:
        self._recheck_timer.start()

    def _live_check(self) -> None:
        """After a save was tried, every message; before, only text the documents cannot
        print, so it shows while it is typed without nagging about fields not yet filled."""
        if self._checking:
            self.show_check()
            return
        _patient, issues = check_patient(self.read(), stored_language=self._stored_language)
        self.show_issues([i for i in issues if i.code == "unprintable_character"])

    def read(self) -> PatientInput:
        return PatientInput(
            name=self.name.text(), dob=self.dob.text(), phone=self.phone.text(),
            address=self.address.toPlainText(), notes=self.notes.toPlainText(),
            medications=self.medications.values(), allergies=self.allergy_list.values(),
            nkda=self.nkda.isChecked(), language=str(self.language.currentData() or "en"))

    def show_issues(self, issues: list[FieldIssue]) -> None:
        grouped = issues_by_field(issues)
        for key, msg in self.messages.items():
            msg.show_issues(grouped.get(key, []))

    def show_check(self) -> list[FieldIssue]:
        """Run the service's check on what is typed and show its messages; return them."""
        self._checking = True
        _patient, issues = check_patient(self.read(), stored_language=self._stored_language)
        self.show_issues(issues)
        return issues

    def clear(self) -> None:
        self.load(None)

    def load(self, p: Patient | None) -> None:
        self._checking = False
        self.patient_id = p.id if p else None
        self._stored_language = p.language if p else None
        self.heading.setText(f"Patient #{p.id}" if p else "New patient")
        self.name.setText(p.name if p else "")
        self.dob.setText(p.dob.isoformat() if p else "")
        self.phone.setText(format_phone(p.phone) if p else "")
        self.address.setPlainText(p.address if p else "")
        self.notes.setPlainText(p.notes if p else "")
        self.medications.set_values([m.text for m in p.current_medications] if p else [])
        self.allergy_list.set_values(list(p.allergies) if p else [])
        self.nkda.setChecked(bool(p and p.nkda))
        self.nkda.setEnabled(not (p and p.allergies))
        self._set_language(p.language if p else "en")
        self.show_issues([])
        self._as_loaded = self.read()

    def fill(self, data: PatientInput) -> None:
        """Put typed values back (after a lock), keeping which patient is being edited."""
        self.name.setText(data.name)
        self.dob.setText(data.dob)
        self.phone.setText(data.phone)
        self.address.setPlainText(data.address)
        self.notes.setPlainText(data.notes)
        self.medications.set_values(list(data.medications))
        self.allergy_list.set_values(list(data.allergies))
        self.nkda.setChecked(data.nkda)
        self._set_language(data.language)

    def _set_language(self, code: str) -> None:
        i = self.language.findData(code)
        if i < 0:  # a language whose template was removed: shown by its code; kept, not chosen anew
            self.language.addItem(code, code)
            i = self.language.count() - 1
        self.language.setCurrentIndex(i)

    def merge_stored(self, p: Patient) -> bool:
        """The stored patient's medication or allergy list changed elsewhere (the command line,
        another k2desk) since this form was loaded: put both changes in the form (what was
        typed here over what is stored now) and answer True, so a Save never silently undoes
        a medication recorded meanwhile. False when the stored lists are still those loaded."""
        base = self._as_loaded
        meds_s = [m.text for m in p.current_medications]
        alls_s = list(p.allergies)
        if (p.id != self.patient_id or (meds_s == list(base.medications)
                                         and alls_s == list(base.allergies)
                                         and p.nkda == base.nkda)):
            return False
        typed = self.read()

        def merged(stored: list[str], was: list[str], now: list[str]) -> list[str]:
            removed = [x for x in was if x not in now]
            added = [x for x in now if x not in was]
            return [x for x in stored if x not in removed] + [x for x in added if x not in stored]

        meds = merged(meds_s, list(base.medications), list(typed.medications))
        alls = merged(alls_s, list(base.allergies), list(typed.allergies))
        nkda = (typed.nkda if typed.nkda != base.nkda else p.nkda) and not alls
        self.medications.set_values(meds)
        self.allergy_list.set_values(alls)
        self.nkda.setChecked(nkda)
        self.nkda.setEnabled(not alls)
        self._as_loaded = dataclasses.replace(base, medications=meds_s, allergies=alls_s,
                                              nkda=p.nkda)
        return True

    def is_dirty(self) -> bool:
        """Anything typed since the patient was shown (or the blank form was opened)."""
        return self.read() != self._as_loaded

    def input_for(self, key: str) -> QWidget:
        """The input a field's message belongs to (where the cursor goes to fix it)."""
        return {"name": self.name, "dob": self.dob, "phone": self.phone, "address": self.address,
                "notes": self.notes, "medications": self.medications.entry,
                "allergies": self.allergy_list.entry, "language": self.language}.get(key, self.name)
