"""Where the UI gets interaction findings (services.interactions), in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from k2desk.services.context import AppContext


def _service() -> Any:
    try:
        from k2desk.services import interactions
    except ModuleNotFoundError:  # the interactions service is not installed in this build
        return None
    return interactions


def findings_for_patient(ctx: AppContext, patient_id: int) -> list[Any]:
    svc = _service()
    return [] if svc is None else list(svc.findings_for_patient(ctx, patient_id))


def check_medications(meds: Sequence[str]) -> list[Any]:
    svc = _service()
    return [] if svc is None else list(svc.check(list(meds)))


def needs_acknowledgement(findings: Sequence[Any]) -> bool:
    from k2desk.domain.interactions import needs_acknowledgement as rule

    return bool(rule(list(findings)))
