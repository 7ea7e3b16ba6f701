"""Notices when nobody has touched the keyboard or mouse for a while (an application event filter)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride,
}


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without input; input re-arms it."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._last = time.monotonic()
        self._fired = False
        self._timer = QTimer(self)
        # Checking a timestamp on a slow tick is cheaper than restarting a timer on every mouse move.
        self._timer.setInterval(max(50, min(5000, timeout_ms // 4)))
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def set_timeout(self, timeout_ms: int) -> None:
        self.timeout_ms = timeout_ms
        self._timer.setInterval(max(50, min(5000, timeout_ms // 4)))
        self.touch()

    def touch(self) -> None:
        self._last = time.monotonic()
        self._fired = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT_EVENTS:
            self._last = time.monotonic()
            self._fired = False
        return False

    def _check(self) -> None:
        if not self._fired and (time.monotonic() - self._last) * 1000 >= self.timeout_ms:
            self._fired = True
            self.idle.emit()
