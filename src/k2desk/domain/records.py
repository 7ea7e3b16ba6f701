"""Stored documents, orders and handouts as the storage layer returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k2desk.domain.documents import InteractionNotice, OrderLine


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One row of the document log (the PDF bytes are fetched separately)."""

    id: int
    kind: str  # handout | order | fax-cover
    patient_id: int | None
    source_table: str  # handouts | orders | documents
    source_id: int
    title: str
    sha256: str
    size: int
    pages: int
    created_at: str
    operator: str


@dataclass(frozen=True, slots=True)
class Override:
    """A warning a named operator let through, with the reason they gave."""

    field: str
    reason: str
    operator: str
    at: str


@dataclass(frozen=True, slots=True)
class StoredOrder:
    id: int
    patient_id: int
    status: str
    values: dict[str, str]  # dotted form keys
    lines: tuple[OrderLine, ...]
    interactions: tuple[InteractionNotice, ...] = ()
    overrides: tuple[Override, ...] = ()
    acknowledgement_ids: tuple[int, ...] = ()
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class StoredHandout:
    id: int
    patient_id: int
    snippets: tuple[tuple[str, int], ...]  # (snippet id, version)
    language: str
    acknowledgement_ids: tuple[int, ...]
    record: dict[str, Any] = field(default_factory=dict)  # the printed HandoutRecord as JSON
    created_at: str = ""
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status an order entered: when (UTC ISO 8601), who, and the note given (how the signed
    original came in, why it was cancelled; "(not recorded)" for moves made before notes were
    kept)."""

    status: str
    at: str
    operator: str
    note: str = ""
