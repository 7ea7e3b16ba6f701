"""A calendar button beside a date box: the chosen day is written MM/DD/YYYY (a US counter);
the box also takes YYYY-MM-DD, and the service stores ISO dates whichever was typed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.validation import parse_date
from k2desk.ui.widgets.dialogs import settle_size


def us_date(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


class DatePickerDialog(QDialog):
    """A month calendar; Enter takes the highlighted day, Escape leaves the box as it was."""

    def __init__(self, start: dt.date, parent: QWidget | None = None, title: str = "Choose a date") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName(title)
        for view in self.calendar.findChildren(QTableView):  # the month grid inside the calendar
            view.setAccessibleName(f"{title}: days of the month (arrows move, Enter chooses)")
        self.calendar.setGridVisible(True)
        self.calendar.setMinimumDate(QDate(1900, 1, 1))
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self.calendar.activated.connect(lambda _d: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.calendar)
        lay.addWidget(buttons)
        settle_size(self, 380, 300)

    def date(self) -> dt.date:
        q = self.calendar.selectedDate()
        return dt.date(q.year(), q.month(), q.day())


class DatePickerButton(QToolButton):
    """Opens a calendar for ``box``, starting at the date already typed there (or today)."""

    def __init__(self, box: QLineEdit, what: str, default: dt.date | None = None) -> None:
        super().__init__()
        self.box = box
        self.what = what
        self.default = default
        self.setText("Calendar…")
        self.setAccessibleName(f"Choose {what} from a calendar")
        self.setToolTip(f"Choose {what} from a calendar")
        self.clicked.connect(self.open_picker)
        self.dialog: DatePickerDialog | None = None

    def open_picker(self) -> DatePickerDialog:
        typed, _issues = parse_date(self.box.text(), "date")
        dlg = DatePickerDialog(typed or self.default or dt.date.today(), self, f"Choose {self.what}")
        dlg.accepted.connect(lambda: self.box.setText(us_date(dlg.date())))
        dlg.finished.connect(lambda _r: self.box.setFocus())
        self.dialog = dlg
        dlg.open()
        return dlg
