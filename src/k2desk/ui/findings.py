"""Where the UI gets interaction findings (services.interactions), in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from k2desk.domain.interactions import major_findings as _major
from k2desk.domain.interactions import needs_acknowledgement as _needs_ack
from k2desk.domain.models import Patient
from k2desk.services import interactions, patients, table_signoff
from k2desk.services.context import AppContext


class CheckedFindings(list[Any]):
    """Findings, with the line saying whether this pharmacy signed off the table that found
    them ("interaction table not yet signed off by this pharmacy" until it has)."""

    table_note: str = ""
    pending: tuple[Any, ...] = ()  # the usable pending acknowledgements covering every major one


def findings_for_patient(ctx: AppContext, patient_id: int) -> list[Any]:
    """The stored patient's current medications, checked against the interaction table, with
    the table's sign-off line (read in the same background call, so it is never stale)."""
    found = CheckedFindings(interactions.findings_for_patient(ctx, patient_id))
    found.table_note = table_signoff.table_status(ctx).text
    if _needs_ack(list(found)):
        found.pending = tuple(interactions.current_acknowledgement(ctx, patient_id, list(found)) or ())
    return found


def check_medications(meds: Sequence[str]) -> list[Any]:
    """Medications as typed (a patient not saved yet), checked the same way."""
    return list(interactions.check(list(meds)))


def major_texts(findings: Sequence[Any]) -> tuple[str, ...]:
    """The major findings as an acknowledgement stores them: what the pharmacist saw."""
    return tuple(f.text for f in _major(list(findings)))


def needs_acknowledgement(findings: Sequence[Any]) -> bool:
    """The domain's rule: any major finding (exact or possible) needs a named acknowledgement."""
    return bool(_needs_ack(list(findings)))


def patient_state(ctx: AppContext, patient_id: int) -> tuple[Patient, list[str], list[Any]]:
    """One background read of what a patient page shows: the stored patient, the VKA flag
    (agents) and the findings with their sign-off line and pending acknowledgements."""
    p = patients.get_patient(ctx, patient_id)
    vka = interactions.vka_agents([m.text for m in p.current_medications])
    return p, vka, findings_for_patient(ctx, patient_id)
