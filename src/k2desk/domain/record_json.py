"""HandoutRecord to and from JSON: the handout is stored as exactly what was printed, and
rendered back from what was stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from k2desk.domain.documents import (
    FoodRow,
    HandoutItem,
    HandoutRecord,
    HandoutSection,
    InteractionNotice,
    PaperSize,
    PharmacyProfile,
)


def handout_to_json(rec: HandoutRecord) -> dict[str, Any]:
    """A JSON-ready dict of every field of the record (dates as YYYY-MM-DD)."""
    data = dataclasses.asdict(rec)
    data["created_on"] = rec.created_on.isoformat()
    data["patient_dob"] = rec.patient_dob.isoformat()
    data["paper_size"] = rec.paper_size.value
    return data


def handout_from_json(data: dict[str, Any]) -> HandoutRecord:
    """The record back from ``handout_to_json`` output (lists become tuples)."""
    return HandoutRecord(
        document_id=int(data["document_id"]),
        created_on=dt.date.fromisoformat(data["created_on"]),
        pharmacy=PharmacyProfile(**data["pharmacy"]),
        patient_name=str(data["patient_name"]),
        patient_dob=dt.date.fromisoformat(data["patient_dob"]),
        title=str(data["title"]),
        sections=tuple(
            HandoutSection(
                question=s["question"],
                items=tuple(HandoutItem(snippet_id=i["snippet_id"], version=int(i["version"]),
                                        text=i["text"], evidence_label=i["evidence_label"],
                                        citation_numbers=tuple(int(n) for n in i["citation_numbers"]))
                            for i in s["items"]))
            for s in data["sections"]),
        citations=tuple(str(c) for c in data["citations"]),
        foods=tuple(FoodRow(**f) for f in data["foods"]),
        interactions=tuple(InteractionNotice(**n) for n in data["interactions"]),
        counselled_by=str(data["counselled_by"]),
        language=str(data["language"]),
        paper_size=PaperSize(data["paper_size"]),
        large_print=bool(data.get("large_print", False)),  # absent in handouts stored before it
        contraindications=tuple(str(c) for c in data.get("contraindications", ())),
        # absent in handouts stored before issue 25: the services fill in the English template
        template={str(k): str(v) for k, v in data.get("template", {}).items()},
    )
