"""The pharmacy's own decisions about snippet translations, and translations it imported
(issue 25). Same shape as ``storage.snippets``: decisions are append-only, the latest counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from k2desk.domain.evidence import SnippetStatus, TranslationDecision
from k2desk.storage import audit
from k2desk.storage.clock import now_iso

_COLS = "snippet_id, language, version, snippet_version, source_sha256, status, operator, at, reason"


def _decision(r: Sequence[Any]) -> TranslationDecision:
    return TranslationDecision(snippet_id=str(r[0]), language=str(r[1]), version=int(r[2]),
                               snippet_version=int(r[3]), source_sha256=str(r[4]),
                               status=SnippetStatus(r[5]), operator=str(r[6]), at=str(r[7]),
                               reason=str(r[8]))


def record_decision(db: Database, d: TranslationDecision, *, operator: str) -> TranslationDecision:
    """Store one decision (``d.at`` is replaced by now) with its audit event; call inside
    ``Store.write()``."""
    at = now_iso()
    db.execute(f"INSERT INTO translation_state ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [d.snippet_id, d.language, d.version, d.snippet_version, d.source_sha256,
                d.status.value, d.operator, at, d.reason])
    audit.append(db, operator=operator, action=d.status.value, entity="translation",
                 entity_id=f"{d.snippet_id}/{d.language}",
                 details={"version": d.version, "snippet_version": d.snippet_version,
                          "source_sha256": d.source_sha256, "by": d.operator, "reason": d.reason})
    return TranslationDecision(d.snippet_id, d.language, d.version, d.snippet_version,
                               d.source_sha256, d.status, d.operator, at, d.reason)


def latest_decisions(db: Database) -> dict[tuple[str, str], TranslationDecision]:
    """The most recent decision for each (snippet id, language) that has one."""
    rows = db.execute(
        f"SELECT {_COLS} FROM translation_state WHERE id IN"
        " (SELECT max(id) FROM translation_state GROUP BY snippet_id, language)").fetchall()
    return {(d.snippet_id, d.language): d for d in map(_decision, rows)}


def save_imported(db: Database, rows: Sequence[tuple[str, str, int, dict[str, Any], str]], *,
                  source: str, operator: str) -> None:
    """Store (or replace) imported translations: (snippet id, language, version, definition,
    content hash). The caller's import audit event covers them; call inside ``Store.write()``."""
    at = now_iso()
    for sid, lang, version, definition, digest in rows:
        db.execute(
            "INSERT INTO imported_translations (snippet_id, language, version, definition,"
            " content_hash, source, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(snippet_id, language) DO UPDATE SET version=excluded.version,"
            " definition=excluded.definition, content_hash=excluded.content_hash,"
            " source=excluded.source, imported_at=excluded.imported_at,"
            " imported_by=excluded.imported_by",
            [sid, lang, version, json.dumps(definition, ensure_ascii=False, sort_keys=True), digest,
             source, at, operator])


def imported(db: Database) -> list[tuple[str, dict[str, Any]]]:
    """(language, definition) of every imported translation, in import order."""
    rows = db.execute("SELECT language, definition FROM imported_translations ORDER BY id").fetchall()
    return [(str(r[0]), dict(json.loads(r[1]))) for r in rows]
