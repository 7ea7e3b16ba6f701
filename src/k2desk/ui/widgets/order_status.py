"""The order's status workflow as buttons: only the next allowed statuses are enabled
(``domain.orders.next_statuses``), so "dispensed" stays off until the signed original is in."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from k2desk.domain.orders import CANCELLED, DRAFT, STATUSES, next_statuses
from k2desk.ui.widgets.confirm import style_danger

STATUS_LABELS = {"sent-for-signature": "Sent for signature",
                 "signed-original-received": "Signed original received",
                 "compounded": "Compounded", "dispensed": "Dispensed", "cancelled": "Cancel order"}
# Keys for each status change (they work anywhere on the Orders page; F1 lists them).
# Alt+digit: Shift+digit types a symbol on most layouts, and text boxes keep Ctrl+letter keys.
STATUS_KEYS = {"sent-for-signature": "Alt+1", "signed-original-received": "Alt+2",
               "compounded": "Alt+3", "dispensed": "Alt+4", "cancelled": "Alt+5"}


class OrderStatusBar(QWidget):
    requested = Signal(str)  # the status the person asked for

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel("")
        self.label.setObjectName("order-status")
        self.buttons: dict[str, QPushButton] = {}
        # Two buttons a row (they fit a narrow window uncut); "Cancel order", final, on its own
        # row at the far side and styled apart, never beside "Dispensed" in the same look.
        grid = QGridLayout()
        steps = [s for s in STATUSES if s not in (DRAFT, CANCELLED)]
        for i, s in enumerate([*steps, CANCELLED]):
            b = QPushButton(STATUS_LABELS.get(s, s))
            b.setObjectName(f"status-{s}")
            b.setToolTip(f"Mark the order {s.replace('-', ' ')} ({STATUS_KEYS[s]})")
            b.clicked.connect(lambda _c=False, st=s: self.requested.emit(st))
            self.buttons[s] = b
            if s == CANCELLED:
                style_danger(b)
                grid.addWidget(b, (len(steps) + 1) // 2, 1)
            else:
                grid.addWidget(b, i // 2, i % 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addLayout(grid)

    def show_status(self, order_id: int | None, status: str | None) -> None:
        allowed = next_statuses(status) if status else ()
        for s, b in self.buttons.items():
            b.setEnabled(s in allowed)
        self.label.setText(f"Order {order_id}: {status.replace('-', ' ')}" if order_id and status
                           else "Not saved yet: drafts are kept as you type.")
