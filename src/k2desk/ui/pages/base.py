"""What every page of the main window is given, and what it may answer to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.ui.messages import MessageBridge
from k2desk.ui.worker import Worker


@dataclass
class UiEnv:
    """Passed to every page through its constructor (no global registry)."""

    ctx: AppContext
    worker: Worker
    bridge: MessageBridge
    go: Callable[..., Any]  # go(page_key, **kwargs): switch page, e.g. go("handout", patient_id=3)
    # leave_current(then): run ``then`` once the shown page's unsaved changes are saved or discarded
    leave_current: Callable[[Callable[[], object]], Any] = lambda then: then()


class Page(QWidget):
    """A page: shows state and calls services; holds no business rule."""

    key = ""
    title = ""

    def __init__(self, env: UiEnv) -> None:
        super().__init__()
        self.env = env
        self.setObjectName(f"page-{self.key}")

    @property
    def ctx(self) -> AppContext:
        return self.env.ctx

    def activated(self, **kwargs: Any) -> None:
        """Called when the page is shown (kwargs from ``go``)."""

    def refresh(self, changes: Changes) -> None:
        """Re-read what this page shows that ``changes`` may have made stale. Called for every
        change the services announce, and with ``EVERYTHING`` when the page is shown again and
        when the window is activated (another program may have written). Never drops typing."""

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in this page's search box, if it has one."""

    def new_item(self) -> None:
        """Ctrl+N on this page."""

    def print_current(self) -> None:
        """Ctrl+P: print this page's current stored document."""
        self.env.bridge.tell("There is no stored document to print on this page.")

    def save(self) -> None:
        """Ctrl+S."""

    def selected_patient_id(self) -> int | None:
        """The patient this page shows or has selected (Ctrl+H / Ctrl+O start from it)."""
        return None

    def unsaved_work(self) -> str | None:
        """What would be lost by leaving now, in words ("Patient Ana Ruiz"), or None."""
        return None

    def save_unsaved(self) -> bool:
        """Save what ``unsaved_work`` names; False leaves the person on the page (messages shown)."""
        self.save()
        return self.unsaved_work() is None

    def discard_unsaved(self) -> None:
        """Forget what ``unsaved_work`` names."""

    def unlocked(self, operator: str) -> None:
        """The window was unlocked by ``operator``."""

    def locked(self) -> None:
        """The window locked: forget anything given by the operator who was working."""

    def shutdown(self) -> None:
        """The window is closing: stop every pending debounce timer of this page."""
        for timer in self.findChildren(QTimer):
            timer.stop()


class PatientDocumentPage(Page):
    """A page that makes a document for one patient (handout, order): a patient picker, the
    interaction banner, and the operator's acknowledgement, which never outlives a lock."""

    picker: Any  # PatientPicker
    banner: Any  # FindingsBanner
    ack: Any  # the acknowledgement given for the next document (widgets.pharmacist), or None

    def _update_state(self) -> None:
        """Enable or disable the page's actions after a change."""

    def locked(self) -> None:
        # An acknowledgement belongs to the operator who gave it: after a lock the next
        # operator must give their own.
        if self.ack is not None:
            self.ack = None
            self.banner.show_findings(self.banner.findings)
            self._update_state()

    def focus_search(self) -> None:
        self.picker.search.setFocus()

    def selected_patient_id(self) -> int | None:
        patient = getattr(self, "patient", None)
        return patient.id if patient is not None else None
