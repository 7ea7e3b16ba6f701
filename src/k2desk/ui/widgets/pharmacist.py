"""Pharmacist-only actions in the window (issue #12).

``AcknowledgementDialog`` asks a pharmacist to acknowledge a major interaction: no name is
pre-filled, a pick-list of standard reasons plus free text, the pharmacist's PIN when it is not
the pharmacist who is signed in, and (for an order) how the prescriber or clinic was reached.
``confirm_pharmacist`` lets a technician's override, dispensing or snippet decision through
with a pharmacist's name and PIN, for that one action. The PIN is checked by the operators
service before the dialog closes, and again by the service that does the action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from k2desk.domain.roles import CONTACT_LABELS, PHARMACIST, STANDARD_REASONS
from k2desk.services import operators
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.ui.messages import issues_by_field
from k2desk.ui.pages.base import UiEnv
from k2desk.ui.widgets.dialogs import settle_size
from k2desk.ui.widgets.field_message import FieldMessage


@dataclass(frozen=True)
class GivenAcknowledgement:
    """What the acknowledgement dialog collected (held only until the document is created).

    ``findings`` are the major findings (as stored) the pharmacist saw, and ``day`` the local
    date it was given: the service refuses it for a changed medication list, and the page
    drops it at the end of the day, as a pending acknowledgement would lapse."""

    by: str
    reason: str
    pin: str | None = None
    contact: str = ""
    contact_note: str = ""
    findings: tuple[str, ...] = ()
    day: str = ""

    def held(self, findings: tuple[str, ...]) -> GivenAcknowledgement:
        """This acknowledgement, for the major ``findings`` on screen, given today."""
        return replace(self, findings=findings, day=dt.date.today().isoformat())

    def lapsed(self) -> bool:
        """Given on an earlier day: it no longer counts."""
        return bool(self.day) and self.day != dt.date.today().isoformat()

    def ack_for(self) -> tuple[str, ...] | None:
        """What to tell the service the pharmacist saw (None when nothing was recorded)."""
        return self.findings if self.by and self.findings else None


def _pharmacists(env: UiEnv) -> tuple[bool, list[str]]:
    """(roles in use, the pharmacists' names)."""
    ops = env.worker.call(lambda: operators.list_operators(env.ctx))
    return bool(ops), [o.name for o in ops if o.role == PHARMACIST]


class _PharmacistForm(QDialog):
    """The shared part: which pharmacist (never pre-filled) and, when needed, their PIN."""

    def __init__(self, env: UiEnv, title: str, explanation: str, action: str,
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.env, self.action = env, action
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        text.setObjectName("explanation")
        self.form.addRow(text)
        self.roles_in_use, names = _pharmacists(env)
        self.who = QComboBox()
        self.who.setObjectName("pharmacist")
        self.who.setEditable(True)
        self.who.addItems(names)
        self.who.setCurrentIndex(-1)  # never pre-filled: the pharmacist names themself
        self.who.setEditText("")
        line = self.who.lineEdit()
        if line is not None:
            line.setPlaceholderText("the pharmacist's name")
        self.who.editTextChanged.connect(self._update)
        self.form.addRow("&Pharmacist", self.who)
        self.messages = {k: FieldMessage(k) for k in ("who", "pin")}
        self.form.addRow("", self.messages["who"])
        self.pin = QLineEdit()
        self.pin.setObjectName("pharmacist-pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("the pharmacist's PIN (not needed for the one signed in)")
        self.pin.textChanged.connect(self._update)
        if self.roles_in_use:
            self.form.addRow("P&IN", self.pin)
            self.form.addRow("", self.messages["pin"])
        else:
            self.pin.hide()

    def add_buttons(self) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.check_and_accept)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)
        self.form.invalidate()  # rows were added after the layout first measured its labels
        self._update()

    def name(self) -> str:
        return self.who.currentText().strip()

    def pin_value(self) -> str | None:
        return self.pin.text() if self.roles_in_use and self.pin.text() else None

    def ready(self) -> bool:
        if not self.name():
            return False
        return not self.roles_in_use or bool(self.pin.text()) or self.name() == self.env.ctx.operator

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.ready())

    def check_and_accept(self) -> None:
        """Ask the operators service whether this pharmacist may do it; stay open if not."""
        if not self.ready():
            return
        ctx, name, pin, action = self.env.ctx, self.name(), self.pin_value(), self.action
        for m in self.messages.values():
            m.show_issues([])
        try:
            self.env.worker.call(lambda: operators.require_pharmacist(ctx, name, action=action,
                                                                      pin=pin, field="who"))
        except InputRefused as exc:
            grouped = issues_by_field(exc.issues)
            self.messages["who"].show_issues(grouped.get("who", []))
            self.messages["pin"].show_issues(grouped.get("pin", []))
            self.pin.clear()
            (self.pin if "pin" in grouped else self.who).setFocus()
            return
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self.accept()


class PharmacistDialog(_PharmacistForm):
    """A pharmacist's name and PIN for one action a technician may not do alone."""

    def __init__(self, env: UiEnv, action: str, parent: QWidget | None = None) -> None:
        super().__init__(env, "A pharmacist must confirm",
                         f"Only a pharmacist may {action}. You are signed in as "
                         f"{env.ctx.operator}: a pharmacist gives their name and PIN for this "
                         "one action.", action, parent)
        self.add_buttons()
        settle_size(self, 520, 230)


class AcknowledgementDialog(_PharmacistForm):
    """A pharmacist acknowledges a major interaction for one handout or order."""

    def __init__(self, env: UiEnv, findings: Sequence[Any], document: str,
                 parent: QWidget | None = None) -> None:
        majors = [f for f in findings if str(getattr(f, "severity", "")) == "major"]  # a StrEnum
        text = "; ".join(f"{f.agent} (as typed: {f.input})" for f in majors)
        super().__init__(env, "Acknowledge a major interaction",
                         f"Major interaction with vitamin K: {text}.\nA pharmacist must review it "
                         f"before this {document} is made. The acknowledgement is for this "
                         f"{document} only; it is stored and printed.",
                         "acknowledge an interaction", parent)
        self.document = document
        self.standard = QComboBox()
        self.standard.setObjectName("standard-reason")
        self.standard.addItem("(choose a standard reason, or type your own below)", "")
        for r in STANDARD_REASONS:
            self.standard.addItem(r, r)
        self.standard.currentIndexChanged.connect(self._update)
        # A long standard reason must not push the labels out of a narrow dialog.
        self.standard.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.standard.setMinimumContentsLength(30)
        self.form.addRow("&Standard reason", self.standard)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("your own reason, or details added to the standard one")
        self.reason.textChanged.connect(self._update)
        self.form.addRow("&Reason", self.reason)
        self.contact = QComboBox()
        self.contact.setObjectName("contact")
        self.contact_note = QLineEdit()
        self.contact_note.setObjectName("contact-note")
        if document == "order":
            self.contact.addItem("(choose how)", "")
            for key, label in CONTACT_LABELS.items():
                self.contact.addItem(label, key)
            self.contact.currentIndexChanged.connect(self._update)
            self.contact_note.setPlaceholderText("who you spoke to, or why no one was reached")
            self.form.addRow("&How the prescriber or\nclinic was reached", self.contact)
            self.form.addRow("Contact &details", self.contact_note)
        self.add_buttons()
        settle_size(self, 620, 380 if document == "order" else 320)

    def reason_text(self) -> str:
        picked = str(self.standard.currentData() or "")
        own = self.reason.text().strip()
        if picked and own:
            return f"{picked}. {own}"
        return picked or own

    def ready(self) -> bool:
        contact_ok = self.document != "order" or bool(self.contact.currentData())
        return super().ready() and bool(self.reason_text()) and contact_ok

    def given(self) -> GivenAcknowledgement:
        return GivenAcknowledgement(
            by=self.name(), reason=self.reason_text(), pin=self.pin_value(),
            contact=str(self.contact.currentData() or "") if self.document == "order" else "",
            contact_note=self.contact_note.text().strip() if self.document == "order" else "")


def open_acknowledgement(parent: QWidget, env: UiEnv, findings: Sequence[Any], document: str,
                         on_given: Callable[[GivenAcknowledgement], None]) -> AcknowledgementDialog:
    """Ask a pharmacist to acknowledge the major findings before ``document`` is made."""
    dlg = AcknowledgementDialog(env, findings, document, parent)
    dlg.accepted.connect(lambda: on_given(dlg.given()))
    dlg.open()
    return dlg


def confirm_pharmacist(parent: QWidget, env: UiEnv, action: str,
                       proceed: Callable[[str | None, str | None], None]) -> PharmacistDialog | None:
    """Run ``proceed(by, pin)`` for a pharmacist-only ``action``: at once (``None, None``: the
    signed-in operator) with no operators configured or a pharmacist signed in; otherwise after
    a pharmacist has given their name and PIN in a dialog (returned, already open)."""
    ctx = env.ctx
    roles, _names = _pharmacists(env)
    if not roles or env.worker.call(lambda: operators.role_of(ctx, ctx.operator)) == PHARMACIST:
        proceed(None, None)
        return None
    dlg = PharmacistDialog(env, action, parent)
    dlg.accepted.connect(lambda: proceed(dlg.name(), dlg.pin_value()))
    dlg.open()
    return dlg
