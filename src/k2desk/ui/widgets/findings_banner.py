"""The interaction banner: a patient's findings, always visible; a major one in bold, heavy border.

Findings come from ``k2desk.services.interactions``; this widget only shows them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def _text(obj: Any, *names: str) -> str:
    for n in names:
        v = getattr(obj, n, None)
        if v:
            return str(getattr(v, "value", v))
    return ""


# The interaction table's class codes, in a pharmacist's words (resources/interactions.toml).
CLASS_LABELS = {
    "coumarin-vka": "vitamin K antagonist, coumarin type",
    "indandione-vka": "vitamin K antagonist, indandione type",
    "doac": "direct oral anticoagulant",
    "unnamed-anticoagulant": "anticoagulant, name not given",
    "gut-flora-antibiotic": "antibiotic that lowers gut vitamin K",
    "gut-flora-nmtt": "antibiotic with an NMTT side chain",
    "absorption-binder": "binds vitamin K in the gut",
    "absorption-fat": "lowers fat (and vitamin K) absorption",
    "antagonism": "vitamin K antagonism",
    "requirement": "raises the vitamin K requirement",
}


def class_label(code: str) -> str:
    return CLASS_LABELS.get(code, code.replace("-", " ").replace("vka", "vitamin K antagonist"))


def severity_of(finding: Any) -> str:
    return _text(finding, "severity").lower() or "info"


def _advice(message: str) -> str:
    """The part a pharmacist acts on: the management advice, else the first sentence."""
    if "Management:" in message:
        return "Management:" + message.split("Management:", 1)[1].split(" (", 1)[0].rstrip(".") + "."
    return message.split(". ", 1)[0].rstrip(".") + "." if message else ""


def finding_line(finding: Any) -> str:
    """One line a pharmacist reads: severity, what was typed, the agent, what to do."""
    sev = severity_of(finding)
    typed = _text(finding, "input", "medication_as_typed", "medication")
    agent = _text(finding, "agent", "generic", "name")
    kind = _text(finding, "drug_class")
    msg = _text(finding, "pharmacist_message", "message", "patient_message", "summary")
    what = ", ".join(x for x in (agent, class_label(kind) if kind else "") if x)
    who = f"{typed} ({what})" if typed and what else (typed or what)
    certainty = _text(finding, "certainty")
    maybe = " — possible match — confirm" if certainty == "possible" else ""
    note = _text(finding, "note")
    if "confirm current use" in note:  # "stopped warfarin": the finding stays, use is confirmed
        maybe += " — confirm current use"
    if getattr(finding, "verified", True) is False:
        maybe += " — name not confirmed against a source"
    return f"{sev.upper()}: {who}{maybe}. {_advice(msg)}".strip()


class FindingsBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findings-banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(self.label.textFormat().RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.label)
        self.findings: list[Any] = []
        self.table_note = ""
        self.acknowledged = False
        self.pending: tuple[Any, ...] = ()
        self.show_findings([], empty_text="Choose a patient to see interaction checks.")

    def pending_covers(self, document: str) -> bool:
        """A pending acknowledgement (recorded on its own today, not used yet) covers every
        major finding for the next ``document`` (an order's must say how the prescriber was
        reached); the service checks it again when the document is made."""
        if not self.pending:
            return False
        return document != "order" or all(getattr(a, "contact_method", "") for a in self.pending)

    def has_major(self) -> bool:
        return any(severity_of(f) == "major" for f in self.findings)

    def show_findings(self, findings: Sequence[Any], *, acknowledged: bool | tuple[str, str] | None = False,
                      empty_text: str = "No interaction found with the listed medications.") -> None:
        # The sign-off line comes with findings read for a stored patient (ui.findings); a
        # re-show of the same findings keeps the line it had.
        if findings is not self.findings:
            self.table_note = str(getattr(findings, "table_note", ""))
            self.pending = tuple(getattr(findings, "pending", ()) or ())
        self.findings = list(findings)
        self.acknowledged = bool(acknowledged)
        if not self.findings:
            self.setToolTip("")
            self.setStyleSheet("#findings-banner { border: 1px solid #7a9a7a; background: #eef6ee; }")
            self.label.setText(html.escape(empty_text))
            return
        major = self.has_major()
        lines = []
        self.setToolTip("\n\n".join(_text(f, "pharmacist_message", "message") for f in self.findings))
        for f in self.findings:
            text = html.escape(finding_line(f))
            lines.append(f"<b>{text}</b>" if severity_of(f) == "major" else text)
        if major and isinstance(acknowledged, tuple):
            by, why = (html.escape(x) for x in acknowledged)
            lines.append(f"<i>Acknowledged by {by} for this document: {why}</i>")
        elif major and acknowledged:
            lines.append("<i>Acknowledged by the operator for this document.</i>")
        elif major and self.pending:
            names = ", ".join(sorted({html.escape(str(getattr(a, "operator", ""))) for a in self.pending}))
            lines.append(f"<i>Pending acknowledgement by {names} (today): the next document uses it.</i>")
        elif major:
            lines.append("<b>A major interaction must be acknowledged before a document is created.</b>")
        if self.table_note and "not yet signed off" in self.table_note:
            lines.append(f"<i>Note: {html.escape(self.table_note)}.</i>")
        border = "3px solid #b00020" if major else "1px solid #c08a00"
        bg = "#fdecee" if major else "#fff7e0"
        self.setStyleSheet(f"#findings-banner {{ border: {border}; background: {bg}; }}")
        self.label.setText("<br>".join(lines))
