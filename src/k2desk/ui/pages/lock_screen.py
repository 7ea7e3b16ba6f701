"""The lock screen: hides every patient detail until an operator signs in again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from k2desk.services.errors import ServiceError
from k2desk.ui.messages import describe
from k2desk.ui.worker import Worker


class LockScreen(QWidget):
    def __init__(self, ctx_getter: Callable[[], object], worker: Worker,
                 on_unlocked: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("lock-screen")
        self._ctx = ctx_getter
        self.worker = worker
        self.on_unlocked = on_unlocked
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(420)
        form = QFormLayout(box)
        title = QLabel("k2desk is locked")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        form.addRow(title)
        form.addRow(QLabel("Patient details are hidden. Choose who is working and sign in."))
        self.operator = QComboBox()
        self.operator.setEditable(True)
        self.operator.setObjectName("lock-operator")
        form.addRow("Operator", self.operator)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("only if this operator has a PIN")
        self.pin.setObjectName("lock-pin")
        self.pin.returnPressed.connect(self.unlock)
        form.addRow("PIN", self.pin)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        self.button = QPushButton("Sign in")
        self.button.setDefault(True)
        self.button.clicked.connect(self.unlock)
        form.addRow(self.button)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def prepare(self, current: str) -> None:
        """Fill the operator list; called each time the window locks."""
        from k2desk.services import operators  # on first lock: not needed to show the window

        ctx = self._ctx()
        names = [o.name for o in self.worker.call(lambda: operators.list_operators(ctx))]  # type: ignore[arg-type]  # ctx is optional until sign-in
        self.operator.clear()
        self.operator.addItems(names or [current])
        self.operator.setCurrentText(current)
        self.pin.clear()
        self.message.clear()
        self.pin.setFocus()

    def unlock(self) -> None:
        from k2desk.services import operators

        ctx = self._ctx()
        name, pin = self.operator.currentText().strip(), self.pin.text()
        try:
            op = self.worker.call(lambda: operators.sign_in(ctx, name, pin))  # type: ignore[arg-type]  # ctx is optional until sign-in
        except ServiceError as exc:
            self.message.setText(describe(exc))
            self.pin.clear()
            return
        self.pin.clear()
        self.on_unlocked(op.name)
