"""One change notice from the services layer: what a write changed (after Anki's ``OpChanges``).

A service function that writes publishes a frozen ``Changes`` once its transaction has
committed; whoever shows state (the window, through one Qt adapter in ``k2desk.ui.changes``)
subscribes and decides what to re-read. Plain Python, no Qt: the layer contract stays.

Changes made by another program (the command line, a second window) cannot be heard here;
the window re-reads when a page is shown and when the window is activated, with ``EVERYTHING``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    """What a write changed. ``patient_id`` names the one patient touched (None: any or none)."""

    patient: bool = False
    medications: bool = False
    acknowledgement: bool = False
    library: bool = False
    document: bool = False
    order: bool = False
    settings: bool = False
    patient_id: int | None = None

    def touches_patient(self, patient_id: int | None) -> bool:
        """Whether what a page shows for ``patient_id`` (details, findings, acknowledgements)
        may be out of date after this change."""
        if not (self.patient or self.medications or self.acknowledgement):
            return False
        return self.patient_id is None or patient_id is None or self.patient_id == patient_id

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "patient_id")


# Everything may have changed (another program wrote to the same data directory).
EVERYTHING = Changes(patient=True, medications=True, acknowledgement=True, library=True,
                     document=True, order=True, settings=True)

Listener = Callable[[Changes], None]


class ChangeNotice:
    """A tiny publish/subscribe of ``Changes``, one per ``AppContext``.

    Listeners are called on the thread that published (the window's worker thread); the Qt
    adapter carries the notice to the GUI thread. A listener that raises does not stop the others
    or the write, which has already committed.
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every published change; returns the function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Changes) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:  # noqa: BLE001 - a broken listener must not undo a committed write
                continue
