"""Operators on the Settings page: who works the counter, initials, role, PIN.

Every operator is a pharmacist or a technician; a pharmacist must have a PIN (it confirms
pharmacist-only actions when a technician is signed in). Once operators exist, changing them is
a pharmacist's decision: a technician at the keyboard is asked for a pharmacist's name and PIN.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from k2desk.domain.roles import PHARMACIST, TECHNICIAN
from k2desk.services import operators
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.ui.messages import issues_by_field
from k2desk.ui.pages.base import UiEnv
from k2desk.ui.widgets.confirm import confirm
from k2desk.ui.widgets.field_message import FieldMessage
from k2desk.ui.widgets.pharmacist import confirm_pharmacist
from k2desk.ui.widgets.selection import selected_row


class OperatorsBox(QGroupBox):
    def __init__(self, env: UiEnv) -> None:
        super().__init__("Operators (who is working, and their role; a PIN is stored only as a "
                         "salted hash, and a pharmacist must have one)")
        self.env = env
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("operators-table")
        self.table.setHorizontalHeaderLabels(["Name", "Initials", "PIN", "Role"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)  # a few rows stay readable on a 768-pixel screen
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMaximumHeight(150)
        self.name = QLineEdit()
        self.name.setObjectName("operator-name")
        self.initials = QLineEdit()
        self.initials.setObjectName("operator-initials")
        self.initials.setMaxLength(5)
        self.pin = QLineEdit()
        self.pin.setObjectName("operator-pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("4–12 digits (a technician may leave it empty)")
        self.role = QComboBox()
        self.role.setObjectName("operator-role")
        self.role.addItem("Pharmacist", PHARMACIST)
        self.role.addItem("Technician", TECHNICIAN)
        self.messages = {k: FieldMessage(k) for k in ("operator", "initials", "role", "pin", "by")}
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("", self.messages["operator"])
        form.addRow("&Initials", self.initials)
        form.addRow("", self.messages["initials"])
        form.addRow("R&ole", self.role)
        form.addRow("", self.messages["role"])
        form.addRow("&PIN", self.pin)
        form.addRow("", self.messages["pin"])
        form.addRow("", self.messages["by"])
        add = QPushButton("&Add or update operator")
        add.setObjectName("operator-add")
        add.clicked.connect(self.add)
        set_role = QPushButton("Set &role of selected")
        set_role.setObjectName("operator-set-role")
        set_role.clicked.connect(self.set_role_of_selected)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(set_role)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addLayout(form)
        lay.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        ops = self.env.worker.call(lambda: operators.list_operators(self.env.ctx))
        self.table.setRowCount(len(ops))
        for r, op in enumerate(ops):
            self.table.setItem(r, 0, QTableWidgetItem(op.name))
            self.table.setItem(r, 1, QTableWidgetItem(op.initials))
            self.table.setItem(r, 2, QTableWidgetItem("set" if op.has_pin else "none"))
            self.table.setItem(r, 3, QTableWidgetItem(op.role))
        # The first operator is usually the pharmacist who owns the counter; later ones, staff.
        self.role.setCurrentIndex(self.role.findData(TECHNICIAN if ops else PHARMACIST))

    def _call(self, work: Callable[[], object]) -> bool:
        """Run a change through the operators service; problems show under the fields."""
        for m in self.messages.values():
            m.show_issues([])
        try:
            self.env.worker.call(work)
        except InputRefused as exc:
            grouped = issues_by_field(exc.issues)
            for key, m in self.messages.items():
                m.show_issues(grouped.get(key, []))
            return False
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        return True

    def add(self) -> None:
        ctx, name, initials, pin = self.env.ctx, self.name.text(), self.initials.text(), self.pin.text()
        role = str(self.role.currentData())

        def go(by: str | None, by_pin: str | None) -> None:
            try:
                if not self._call(lambda: operators.add_operator(ctx, name, initials, pin, role,
                                                                 by=by, by_pin=by_pin)):
                    return
            finally:
                self.pin.clear()
            self.name.clear()
            self.initials.clear()
            self.reload()

        confirm_pharmacist(self, self.env, "change operators", go)

    def _selected(self) -> str | None:
        """The operator in the row shown selected, never a merely current one (Tab into the
        table makes a row current without choosing it)."""
        item = self.table.item(selected_row(self.table), 0)
        return None if item is None else item.text()

    def set_role_of_selected(self) -> None:
        name, role = self._selected(), str(self.role.currentData())
        if name is None:
            self.messages["operator"].show_issues([])
            self.env.bridge.tell("Choose an operator in the list first.")
            return
        ctx = self.env.ctx

        def go(by: str | None, by_pin: str | None) -> None:
            if self._call(lambda: operators.set_operator_role(ctx, name, role, by=by, by_pin=by_pin)):
                self.reload()

        confirm_pharmacist(self, self.env, "change operators", go)

    def remove_selected(self) -> None:
        """Ask first: removing an operator is recorded in the audit trail."""
        name = self._selected()
        if name is None:
            self.env.bridge.tell("Choose the operator to remove in the list first.")
            return
        self.confirm_dialog = confirm(
            self, "Remove an operator?",
            f"Remove operator {name}? They can no longer unlock the window or sign documents; "
            "what they did stays in the log. The removal is recorded in the audit trail.",
            "Remove operator", lambda: self.remove(name), danger=True)

    def remove(self, name: str) -> None:
        """Remove ``name``: a pharmacist's action (a technician signed in asks for one's PIN)."""
        ctx = self.env.ctx

        def go(by: str | None, by_pin: str | None) -> None:
            self._call(lambda: operators.remove_operator(ctx, name, by=by, by_pin=by_pin))
            self.reload()

        confirm_pharmacist(self, self.env, "change operators", go)
