"""Stored reading grades: one row per (snippet id, version, language), with the text's SHA-256."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

GradeKey = tuple[str, int, str]  # snippet id, version, language


def stored_grades(db: Database) -> dict[GradeKey, tuple[str, float]]:
    """Every stored grade: key -> (text SHA-256, grade). A few hundred rows at most."""
    return {(sid, int(ver), lang): (sha, float(grade)) for sid, ver, lang, sha, grade in db.execute(
        "SELECT snippet_id, version, language, text_sha256, grade FROM reading_grades")}


def store_grades(db: Database, rows: Iterable[tuple[GradeKey, str, float]]) -> None:
    """Insert or replace grades; call inside ``Store.write()`` (the rows are sealed with it)."""
    db.conn.executemany(
        "INSERT INTO reading_grades (snippet_id, version, language, text_sha256, grade)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (snippet_id, version, language)"
        " DO UPDATE SET text_sha256 = excluded.text_sha256, grade = excluded.grade",
        [(sid, ver, lang, sha, grade) for (sid, ver, lang), sha, grade in rows])
