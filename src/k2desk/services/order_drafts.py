"""Order drafts: the order editor saves what is typed as it goes, so nothing typed is lost."""

from __future__ import annotations

from typing import Any

from k2desk.services.context import AppContext
from k2desk.services.errors import NotFound
from k2desk.services.patients import get_patient
from k2desk.storage import order_drafts as repo
from k2desk.storage.order_drafts import OrderDraft

__all__ = ["OrderDraft", "save_draft", "get_draft", "list_drafts", "discard_draft"]


def save_draft(ctx: AppContext, draft_id: int | None, patient_id: int, order_json: dict[str, Any],
               overrides: dict[str, str] | None = None) -> int:
    """Store what is typed so far (unchecked: a draft never prints); return the draft id."""
    get_patient(ctx, patient_id)
    with ctx.store.write() as db:
        return repo.save_draft(db, draft_id, patient_id, order_json, dict(overrides or {}), ctx.operator)


def get_draft(ctx: AppContext, draft_id: int) -> OrderDraft:
    d = repo.get_draft(ctx.store.db, draft_id)
    if d is None:
        raise NotFound(f"There is no order draft with id {draft_id}.")
    return d


def list_drafts(ctx: AppContext, patient_id: int | None = None) -> list[OrderDraft]:
    """Drafts, most recently changed first (optionally for one patient)."""
    return repo.list_drafts(ctx.store.db, patient_id)


def discard_draft(ctx: AppContext, draft_id: int, reason: str = "discarded") -> None:
    """Delete a draft (after the order is created, or when the person discards it)."""
    with ctx.store.write() as db:
        repo.delete_draft(db, draft_id, ctx.operator, reason)
