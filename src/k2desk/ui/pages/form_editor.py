"""An editor GENERATED from a form definition: one widget per field by type, repeating lines
added and removed, each field's errors and warnings underneath, an "Override…" button next to a
warning. It holds no rule: the issues it shows come from the orders service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.forms import NO, YES, FieldDef, FieldType, FormDefinition, SectionDef
from k2desk.domain.issues import FieldIssue, Severity
from k2desk.domain.notation import safe_unit
from k2desk.domain.validation import iso_date_or_text
from k2desk.ui import keyboard
from k2desk.ui.widgets.field_message import FieldMessage

_PLACEHOLDERS = {FieldType.DATE: "MM/DD/YYYY or YYYY-MM-DD", FieldType.PHONE: "(817) 555-0142",
                 FieldType.NPI: "10 digits", FieldType.ICD10: "e.g. M81.0"}


def make_input(fd: FieldDef) -> QWidget:
    """The widget for one field, chosen by its type."""
    w: QWidget
    if fd.type is FieldType.MULTILINE:
        w = QPlainTextEdit()
        w.setMaximumHeight(56)
    elif fd.type is FieldType.CHOICE:
        w = QComboBox()
        w.addItem("")
        w.addItems(list(fd.choices))
    elif fd.type is FieldType.BOOL:
        w = QCheckBox()
    else:
        w = QLineEdit()
        w.setMaxLength(fd.max_length)
        w.setPlaceholderText(_PLACEHOLDERS.get(fd.type, ""))
    if fd.help:
        w.setToolTip(fd.help)
    return w


def read_input(w: QWidget) -> Any:
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentText()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    assert isinstance(w, QLineEdit)
    return w.text()


def write_input(w: QWidget, value: Any) -> None:
    if isinstance(w, QPlainTextEdit):
        w.setPlainText(str(value or ""))
    elif isinstance(w, QComboBox):
        _choose(w, str(value or ""))
    elif isinstance(w, QCheckBox):
        w.setChecked(value is True or str(value).lower() in (YES, "true"))
    elif isinstance(w, QLineEdit):
        w.setText(str(value or ""))


def _choose(w: QComboBox, text: str) -> None:
    """Select ``text`` in a list; a draft or record written with a unit the list no longer offers
    ('µg', 'IU', from before error-safe notation or typed by hand) selects its safe spelling
    ('mcg', 'units') rather than leaving the field silently blank."""
    for candidate in (text, safe_unit(text)):
        i = w.findText(candidate)  # exact first, then any case ("ML" is "mL")
        if i < 0:
            i = w.findText(candidate, Qt.MatchFlag.MatchFixedString)
        if i >= 0:
            w.setCurrentIndex(i)
            return
    w.setCurrentText(text)


def _stored_value(fd: FieldDef, value: Any) -> Any:
    """A date typed 03/14/2026 goes into the order file as 2026-03-14 (order files keep ISO)."""
    return iso_date_or_text(value) if fd.type is FieldType.DATE and isinstance(value, str) else value


def _connect(w: QWidget, slot: Callable[[], None]) -> None:
    if isinstance(w, QPlainTextEdit | QLineEdit):
        w.textChanged.connect(lambda *_a: slot())
    elif isinstance(w, QComboBox):
        w.currentTextChanged.connect(lambda *_a: slot())
    elif isinstance(w, QCheckBox):
        w.toggled.connect(lambda *_a: slot())


class FieldCell(QWidget):
    """A field's input, its messages, and the override button for a warning."""

    def __init__(self, key: str, fd: FieldDef, on_override: Callable[[str], None]) -> None:
        super().__init__()
        self.key = key
        self.input = make_input(fd)
        self.input.setObjectName(f"field-{key}")
        self.message = FieldMessage(key)
        self.override_button = QPushButton("Override…")
        self.override_button.setObjectName(f"override-{key}")
        self.override_button.hide()
        self.override_button.clicked.connect(lambda: on_override(key))
        self.override_note = QLabel()
        self.override_note.setStyleSheet("color: #555; font-style: italic;")
        self.override_note.setWordWrap(True)
        self.override_note.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input, 1)
        row.addWidget(self.override_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addWidget(self.override_note)

    def show_issues(self, issues: list[FieldIssue], override_reason: str | None) -> None:
        warnings = [i for i in issues if i.severity is Severity.WARNING]
        errors = [i for i in issues if i.severity is Severity.ERROR]
        notes = [i for i in issues if i.severity is Severity.NOTE]  # what was normalised
        if override_reason:
            self.message.show_issues(errors + notes)
            self.override_note.setText(f"Warning overridden: {override_reason}")
            self.override_note.show()
        else:
            self.message.show_issues(errors + warnings + notes)
            self.override_note.hide()
        self.override_button.setVisible(bool(warnings) and not override_reason)


class FormEditor(QWidget):
    """The whole form. ``read_only_keys`` show values filled by k2desk (the patient record)."""

    changed = Signal()
    override_requested = Signal(str)

    def __init__(self, form: FormDefinition, read_only_keys: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.form = form
        self.read_only_keys = read_only_keys
        self.cells: dict[str, FieldCell] = {}
        self.line_cells: list[dict[str, FieldCell]] = []
        self.repeating: SectionDef | None = form.repeating_section()
        lay = QVBoxLayout(self)
        for section in form.sections:
            if section.system:
                continue  # filled by k2desk, shown on the stored PDF
            box = QGroupBox(section.title)
            box.setObjectName(f"section-{section.key}")
            if section.repeating:
                self._lines_layout = QVBoxLayout()
                self.add_line_button = QPushButton("Add ingredient line")
                self.add_line_button.setObjectName("add-line")
                self.add_line_button.clicked.connect(lambda: self.add_line())
                v = QVBoxLayout(box)
                v.addLayout(self._lines_layout)
                v.addWidget(self.add_line_button)
                self.lines_message = FieldMessage(section.key)
                v.addWidget(self.lines_message)
            else:
                fl = QFormLayout(box)
                fl.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                for fd in section.fields:
                    cell = FieldCell(fd.key, fd, self.override_requested.emit)
                    if fd.key in read_only_keys:
                        cell.input.setEnabled(False)
                    else:
                        _connect(cell.input, self.changed.emit)
                    self.cells[fd.key] = cell
                    fl.addRow(fd.label + (" *" if fd.required else ""), cell)
            lay.addWidget(box)
        lay.addStretch(1)
        self._removed: tuple[int, dict[str, Any]] | None = None
        for _ in range(max(1, self.repeating.min_rows if self.repeating else 0)):
            self.add_line(emit=False)

    # -- repeating lines ----------------------------------------------------------------------
    def add_line(self, values: dict[str, Any] | None = None, *, emit: bool = True) -> None:
        rep = self.repeating
        if rep is None or (rep.max_rows and len(self.line_cells) >= rep.max_rows):
            return
        n = len(self.line_cells) + 1
        row = QWidget()
        row.setObjectName(f"line-{n}")
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        cells: dict[str, FieldCell] = {}
        for fd in rep.fields:
            key = f"{rep.key}.{n}.{fd.name}"
            cell = FieldCell(key, fd, self.override_requested.emit)
            cell.input.setToolTip(fd.label + (f": {fd.help}" if fd.help else ""))
            if isinstance(cell.input, QLineEdit):
                cell.input.setPlaceholderText(fd.label)
            write_input(cell.input, (values or {}).get(fd.name, ""))
            _connect(cell.input, self.changed.emit)
            cells[fd.name] = cell
            h.addWidget(cell, max(1, int(fd.print_width * 10)))
        remove = QPushButton("Remove")
        remove.setObjectName(f"remove-line-{n}")
        remove.setToolTip(f"Remove ingredient line {n} (Ctrl+Shift+U puts it back)")
        remove.setAccessibleName(f"Remove ingredient line {n}")
        remove.clicked.connect(lambda: self.remove_line(self.line_cells.index(cells)))
        h.addWidget(remove)
        cells["_row"] = row  # type: ignore[assignment]  # the row widget, kept for removal
        self.line_cells.append(cells)
        self._lines_layout.addWidget(row)
        self._update_line_buttons()
        keyboard.tab_order_by_layout(self)  # the new line's fields come before the ones below
        if emit:
            self.changed.emit()

    def remove_line(self, index: int) -> None:
        rep = self.repeating
        if rep is None or len(self.line_cells) <= max(1, rep.min_rows):
            return
        values = self.lines_values()
        self._removed = (index, values.pop(index))  # Ctrl+Shift+U on the Orders page puts it back
        self.set_lines(values)
        self.changed.emit()

    def undo_remove_line(self) -> bool:
        """Put back the ingredient line removed last; False when there is none to put back."""
        if self._removed is None:
            return False
        index, line = self._removed
        self._removed = None
        values = self.lines_values()
        values.insert(min(index, len(values)), line)
        self.set_lines(values)
        self.changed.emit()
        return True

    def set_lines(self, values: list[dict[str, Any]]) -> None:
        for cells in self.line_cells:
            row = cells["_row"]
            self._lines_layout.removeWidget(row)  # type: ignore[arg-type]  # line cells are typed Any
            row.deleteLater()
        self.line_cells = []
        for v in values or [{}]:
            self.add_line(v, emit=False)

    def _update_line_buttons(self) -> None:
        rep = self.repeating
        if rep is not None:
            self.add_line_button.setEnabled(not rep.max_rows or len(self.line_cells) < rep.max_rows)

    def lines_values(self) -> list[dict[str, Any]]:
        return [{name: read_input(c.input) for name, c in cells.items() if name != "_row"}
                for cells in self.line_cells]

    # -- values -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The order-file object the orders service reads (fields filled by k2desk left out)."""
        data: dict[str, Any] = {"form": self.form.id}
        for section in self.form.sections:
            if section.system:
                continue
            if section.repeating:
                data[section.key] = self.lines_values()
                continue
            sec = {fd.name: _stored_value(fd, read_input(self.cells[fd.key].input)) for fd in section.fields
                   if fd.key not in self.read_only_keys}
            if sec:
                data[section.key] = sec
        return data

    def load_json(self, data: dict[str, Any]) -> None:
        """Fill the editor from an order-file object (a draft); unknown keys are ignored."""
        self._removed = None  # a removed line belongs to the order shown before
        for section in self.form.sections:
            if section.system:
                continue
            sd = data.get(section.key)
            if section.repeating:
                self.set_lines(sd if isinstance(sd, list) else [])
                continue
            for fd in section.fields:
                if fd.key not in self.read_only_keys:
                    write_input(self.cells[fd.key].input, (sd or {}).get(fd.name, "")
                                if isinstance(sd, dict) else "")

    def set_record_values(self, values: dict[str, str]) -> None:
        for key, v in values.items():
            if key in self.cells:
                write_input(self.cells[key].input, v)

    def all_cells(self) -> list[FieldCell]:
        cells = list(self.cells.values())
        for line in self.line_cells:
            cells += [c for name, c in line.items() if name != "_row"]
        return cells

    def cell(self, key: str) -> FieldCell:
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            return self.line_cells[int(parts[1]) - 1][parts[2]]
        return self.cells[key]

    def show_issues(self, issues: list[FieldIssue], overrides: dict[str, str]) -> list[FieldIssue]:
        """Show each issue under its field; return the issues no field could show."""
        by_key: dict[str, list[FieldIssue]] = {}
        for i in issues:
            by_key.setdefault(i.field, []).append(i)
        shown: set[str] = set()
        for c in self.all_cells():
            c.show_issues(by_key.get(c.key, []), overrides.get(c.key))
            shown.add(c.key)
        rep = self.repeating
        rest = [i for i in issues if i.field not in shown]
        if rep is not None:
            mine = [i for i in rest if i.field.split(".")[0] == rep.key]
            self.lines_message.show_issues(mine)
            rest = [i for i in rest if i not in mine]
        return rest

    def set_editable(self, editable: bool) -> None:
        for c in self.all_cells():
            if c.key not in self.read_only_keys:
                c.input.setEnabled(editable)
        self.add_line_button.setEnabled(editable)
        for line in self.line_cells:
            for b in line["_row"].findChildren(QPushButton):  # type: ignore[attr-defined]  # cells typed Any
                if b.objectName().startswith("remove-line"):
                    b.setEnabled(editable)

    @staticmethod
    def bool_text(v: bool) -> str:
        return YES if v else NO
