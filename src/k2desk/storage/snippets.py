"""The pharmacy's own decisions about evidence snippets, and the snippets it imported.

Decisions are append-only rows in ``snippet_state``: the latest row for a snippet is the one that
counts, and the history shows who decided what, when and why. Imported snippet definitions are
kept as JSON (the same keys as the shipped TOML) in ``imported_snippets``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.domain.evidence import LocalDecision, SnippetStatus
from k2desk.storage import audit
from k2desk.storage.clock import now_iso


@dataclass(frozen=True, slots=True)
class ImportedSnippetRow:
    snippet_id: str
    version: int
    definition: dict[str, Any]
    content_hash: str


def _decision(r: Sequence[Any]) -> LocalDecision:
    return LocalDecision(snippet_id=str(r[0]), version=int(r[1]), status=SnippetStatus(r[2]),
                         operator=str(r[3]), at=str(r[4]), reason=str(r[5]))


def record_decision(db: Database, *, snippet_id: str, version: int, status: SnippetStatus, by: str,
                    reason: str, operator: str) -> LocalDecision:
    """Store one decision (``by`` is the pharmacist who made it) with its audit event; call
    inside ``Store.write()`` so both land together."""
    at = now_iso()
    db.execute(
        "INSERT INTO snippet_state (snippet_id, version, status, operator, at, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [snippet_id, version, status.value, by, at, reason],
    )
    audit.append(db, operator=operator, action=status.value, entity="snippet", entity_id=snippet_id,
                 details={"version": version, "by": by, "reason": reason})
    return LocalDecision(snippet_id, version, status, by, at, reason)


def latest_decisions(db: Database) -> dict[str, LocalDecision]:
    """The most recent decision for each snippet that has one."""
    rows = db.execute(
        "SELECT snippet_id, version, status, operator, at, reason FROM snippet_state"
        " WHERE id IN (SELECT max(id) FROM snippet_state GROUP BY snippet_id) ORDER BY snippet_id"
    ).fetchall()
    return {d.snippet_id: d for d in map(_decision, rows)}


def decision_history(db: Database, snippet_id: str) -> list[LocalDecision]:
    """Every decision about one snippet, oldest first."""
    rows = db.execute(
        "SELECT snippet_id, version, status, operator, at, reason FROM snippet_state"
        " WHERE snippet_id = ? ORDER BY id", [snippet_id]).fetchall()
    return [_decision(r) for r in rows]


def save_imported(db: Database, snippets: Sequence[ImportedSnippetRow],
                  citations: Mapping[str, Mapping[str, Any]], *, source: str, operator: str,
                  summary: Mapping[str, Any]) -> None:
    """Store (or replace) imported snippet definitions and add new citations, with one audit
    event; call inside ``Store.write()``."""
    at = now_iso()
    for row in snippets:
        db.execute(
            "INSERT INTO imported_snippets (snippet_id, version, definition, content_hash, source,"
            " imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(snippet_id) DO UPDATE SET version=excluded.version,"
            " definition=excluded.definition, content_hash=excluded.content_hash,"
            " source=excluded.source, imported_at=excluded.imported_at,"
            " imported_by=excluded.imported_by",
            [row.snippet_id, row.version, json.dumps(row.definition, ensure_ascii=False, sort_keys=True),
             row.content_hash, source, at, operator],
        )
    for cid, definition in citations.items():
        db.execute(
            "INSERT OR IGNORE INTO imported_citations (citation_id, definition, imported_at, imported_by)"
            " VALUES (?, ?, ?, ?)",
            [cid, json.dumps(dict(definition), ensure_ascii=False, sort_keys=True), at, operator],
        )
    audit.append(db, operator=operator, action="import", entity="evidence-library",
                 details=dict(summary))


def imported_snippets(db: Database) -> list[dict[str, Any]]:
    """Imported snippet definitions, in the order they were first imported."""
    rows = db.execute("SELECT definition FROM imported_snippets ORDER BY rowid").fetchall()
    return [dict(json.loads(r[0])) for r in rows]


def imported_citations(db: Database) -> dict[str, dict[str, Any]]:
    rows = db.execute(
        "SELECT citation_id, definition FROM imported_citations ORDER BY citation_id").fetchall()
    return {str(r[0]): dict(json.loads(r[1])) for r in rows}
