"""Settings, built from the one declared schema (``domain.settings.SETTINGS``), plus operators
and the fax gateway password (which goes to the OS keyring through the fax service, never the DB)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.settings import SETTINGS, SettingSpec, Value
from k2desk.domain.validation import format_phone
from k2desk.services import fax
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.services.settings import get_settings, set_settings
from k2desk.ui.messages import issues_by_field
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.pages.operators_box import OperatorsBox
from k2desk.ui.widgets.field_message import FieldMessage

GROUPS = {"pharmacy": "Pharmacy profile (printed in the letterhead)", "print": "Printing",
          "lock": "Screen lock", "fax": "Fax gateway"}


class SettingEditor:
    """One widget for one setting, chosen by the spec's kind; reads and writes text."""

    def __init__(self, spec: SettingSpec) -> None:
        self.spec = spec
        self.widget: QWidget
        if spec.kind == "choice":
            box = QComboBox()
            box.addItems(list(spec.choices))
            self.widget = box
        elif spec.kind == "int":
            spin = QSpinBox()
            spin.setRange(spec.minimum if spec.minimum is not None else -(2**31),
                          spec.maximum if spec.maximum is not None else 2**31 - 1)
            self.widget = spin
        elif spec.multiline:
            edit = QPlainTextEdit()
            edit.setMaximumHeight(70)
            self.widget = edit
        else:
            line = QLineEdit()
            line.setPlaceholderText(spec.accepted() if spec.kind != "text" else "")
            self.widget = line
        self.widget.setObjectName(f"setting-{spec.key}")
        if spec.help:
            self.widget.setToolTip(spec.help)
        self.message = FieldMessage(spec.key)

    def set_value(self, value: Value) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        elif isinstance(w, QLineEdit):
            w.setText(format_phone(str(value)) if self.spec.kind == "phone" else str(value))

    def text(self) -> str:
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QSpinBox):
            return str(w.value())
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        assert isinstance(w, QLineEdit)
        return w.text()


class SettingsPage(Page):
    key = "settings"
    title = "Settings"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.editors: dict[str, SettingEditor] = {}
        self._loaded: dict[str, str] = {}
        body = QWidget()
        outer = QVBoxLayout(body)
        forms: dict[str, QFormLayout] = {}
        for spec in SETTINGS:
            group = spec.key.split(".", 1)[0]
            if group not in forms:
                box = QGroupBox(GROUPS.get(group, group.capitalize()))
                forms[group] = QFormLayout(box)
                outer.addWidget(box)
            ed = SettingEditor(spec)
            self.editors[spec.key] = ed
            cell = QWidget()
            v = QVBoxLayout(cell)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(ed.widget)
            v.addWidget(ed.message)
            forms[group].addRow(spec.label, cell)

        # The password never touches the settings table: it goes straight to the keyring.
        self.fax_password = QLineEdit()
        self.fax_password.setObjectName("fax-password")
        self.fax_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.fax_password.setPlaceholderText("stored in the system keyring, never in the database")
        self.password_button = QPushButton("Store password")
        self.password_button.clicked.connect(self.store_password)
        self.password_message = FieldMessage("password")
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.fax_password, 1)
        h.addWidget(self.password_button)
        forms["fax"].addRow("Fax gateway password", row)
        forms["fax"].addRow("", self.password_message)

        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("save-settings")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.clicked.connect(self.load)
        self.status = QLabel("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)
        self.operators_box = OperatorsBox(env)
        outer.addWidget(self.operators_box)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.scroll = scroll
        body.setMaximumWidth(900)  # long fields are hard to read across a wide screen
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)  # always in view, whatever is scrolled
        self.load()

    def activated(self, **kwargs: Any) -> None:
        self.load()
        self.operators_box.reload()

    def load(self) -> None:
        """Show the stored values (stored over default) in every editor."""
        values = self.env.worker.call(lambda: get_settings(self.ctx))
        for key, ed in self.editors.items():
            ed.set_value(values[key])
            ed.message.show_issues([])
        self._loaded = {k: ed.text() for k, ed in self.editors.items()}
        self.status.clear()

    def save(self) -> None:
        """Send what changed to the settings service: all stored, or none with inline messages."""
        changes = {k: ed.text() for k, ed in self.editors.items() if ed.text() != self._loaded.get(k)}
        for ed in self.editors.values():
            ed.message.show_issues([])
        if not changes:
            self.status.setText("Nothing to save.")
            return
        ctx = self.ctx
        try:
            self.env.worker.call(lambda: set_settings(ctx, changes))
        except InputRefused as exc:
            grouped = issues_by_field(exc.issues)
            for key, ed in self.editors.items():
                ed.message.show_issues(grouped.get(key, []))
            wrong = [ed for key, ed in self.editors.items() if grouped.get(key)]
            self.status.setText("Nothing was saved: please correct the settings marked in red"
                                + (f" (first: {wrong[0].spec.label})." if wrong else "."))
            if wrong:  # bring the first one into view, with the cursor in it
                self.scroll.ensureWidgetVisible(wrong[0].message)
                self.scroll.ensureWidgetVisible(wrong[0].widget)
                wrong[0].widget.setFocus()
            return
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self.load()
        self.status.setText(f"Saved {len(changes)} setting(s).")
        self.env.bridge.settings_changed.emit()

    def store_password(self) -> None:
        ctx, pw = self.ctx, self.fax_password.text()
        try:
            self.env.worker.call(lambda: fax.set_password(ctx, pw))
        except InputRefused as exc:
            self.password_message.show_issues(exc.issues)
            return
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        finally:
            self.fax_password.clear()
        self.password_message.show_issues([])
        self.env.bridge.tell("The fax gateway password is stored in the system keyring.")
