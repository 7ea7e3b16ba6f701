"""The order's status workflow as buttons: only the next allowed statuses are enabled
(``domain.orders.next_statuses``), so "dispensed" stays off until the signed original is in."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from k2desk.domain.orders import DRAFT, STATUSES, next_statuses

STATUS_LABELS = {"sent-for-signature": "Sent for signature",
                 "signed-original-received": "Signed original received",
                 "compounded": "Compounded", "dispensed": "Dispensed", "cancelled": "Cancel order"}


class OrderStatusBar(QWidget):
    requested = Signal(str)  # the status the person asked for

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel("")
        self.label.setObjectName("order-status")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for s in STATUSES:
            if s == DRAFT:
                continue
            b = QPushButton(STATUS_LABELS.get(s, s))
            b.setObjectName(f"status-{s}")
            b.clicked.connect(lambda _c=False, st=s: self.requested.emit(st))
            self.buttons[s] = b
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addLayout(row)

    def show_status(self, order_id: int | None, status: str | None) -> None:
        allowed = next_statuses(status) if status else ()
        for s, b in self.buttons.items():
            b.setEnabled(s in allowed)
        self.label.setText(f"Order {order_id}: {status.replace('-', ' ')}" if order_id and status
                           else "Not saved yet: drafts are kept as you type.")
