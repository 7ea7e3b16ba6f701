"""The one Qt adapter for the services' change notice (``k2desk.services.changes``).

Services publish on the thread that wrote (the window's worker); this object carries each
notice to the GUI thread and re-emits it there as ``changed``. The main window hands it to every
page, which re-reads what it shows: a page never guesses whether its safety state is current.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from k2desk.services.changes import Changes
from k2desk.services.context import AppContext


class ChangeBridge(QObject):
    """``changed(Changes)`` on the GUI thread, for every change the services publish."""

    changed = Signal(object)
    _arrived = Signal(object)  # emitted on the publishing thread, delivered on the GUI thread

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.received = 0  # notices delivered (tests read it)
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = ctx.changes.subscribe(self._arrived.emit)

    def _deliver(self, changes: Changes) -> None:
        self.received += 1
        self.changed.emit(changes)

    def close(self) -> None:
        self._unsubscribe()
