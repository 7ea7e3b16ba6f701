"""Operators on the Settings page: who works the counter, initials, optional PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
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

from k2desk.services import operators
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.ui.messages import issues_by_field
from k2desk.ui.pages.base import UiEnv
from k2desk.ui.widgets.confirm import confirm
from k2desk.ui.widgets.field_message import FieldMessage
from k2desk.ui.widgets.selection import selected_row


class OperatorsBox(QGroupBox):
    def __init__(self, env: UiEnv) -> None:
        super().__init__("Operators (who is working; a PIN is optional and stored only as a salted hash)")
        self.env = env
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("operators-table")
        self.table.setHorizontalHeaderLabels(["Name", "Initials", "PIN"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
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
        self.pin.setPlaceholderText("4–12 digits, or empty for no PIN")
        self.messages = {k: FieldMessage(k) for k in ("operator", "initials", "pin")}
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("", self.messages["operator"])
        form.addRow("Initials", self.initials)
        form.addRow("", self.messages["initials"])
        form.addRow("PIN", self.pin)
        form.addRow("", self.messages["pin"])
        add = QPushButton("Add or update operator")
        add.clicked.connect(self.add)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
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

    def add(self) -> None:
        ctx, name, initials, pin = self.env.ctx, self.name.text(), self.initials.text(), self.pin.text()
        for m in self.messages.values():
            m.show_issues([])
        try:
            self.env.worker.call(lambda: operators.add_operator(ctx, name, initials, pin))
        except InputRefused as exc:
            grouped = issues_by_field(exc.issues)
            for key, m in self.messages.items():
                m.show_issues(grouped.get(key, []))
            return
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        finally:
            self.pin.clear()
        self.name.clear()
        self.initials.clear()
        self.reload()

    def remove_selected(self) -> None:
        """Ask first: removing an operator is recorded in the audit trail."""
        row = selected_row(self.table)  # the row shown selected, never a merely current one
        if row < 0:
            self.env.bridge.tell("Choose the operator to remove in the list first.")
            return
        name = self.table.item(row, 0).text()
        self.confirm_dialog = confirm(
            self, "Remove an operator?",
            f"Remove operator {name}? They can no longer unlock the window or sign documents; "
            "what they did stays in the log. The removal is recorded in the audit trail.",
            "Remove operator", lambda: self.remove(name), danger=True)

    def remove(self, name: str) -> None:
        try:
            self.env.worker.call(lambda: operators.remove_operator(self.env.ctx, name))
        except ServiceError as exc:
            self.env.bridge.report(exc)
        self.reload()
