"""Reading grades, computed once per snippet version and language and stored (issue #23).

Grading loads a pronouncing dictionary (over a second the first time in a process), so pages
read the stored grades and grade only what is new, off the GUI thread: ``known_grades`` reads,
``compute_grades`` is pure computation (no store), ``save_grades`` stores what it computed.
A stored grade is used only for the same snippet, version, language and text (its SHA-256): a
new version, or a text that differs under the same version, is graded again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from k2desk.domain.evidence import Snippet, reading_grade
from k2desk.services.context import AppContext
from k2desk.storage import reading_grades as repo
from k2desk.storage.reading_grades import GradeKey

Computed = list[tuple[GradeKey, str, float]]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(s: Snippet, language: str) -> GradeKey:
    return (s.id, s.version, language)


def known_grades(ctx: AppContext, snippets: Iterable[Snippet], language: str = "en") -> dict[str, float]:
    """Snippet id -> stored grade, for the snippets whose grade is stored for this exact text."""
    stored = repo.stored_grades(ctx.store.db)
    out: dict[str, float] = {}
    for s in snippets:
        hit = stored.get(_key(s, language))
        if hit is not None and hit[0] == _sha(s.text_for(language)):
            out[s.id] = hit[1]
    return out


def compute_grades(snippets: Iterable[Snippet], known: Mapping[str, float],
                   language: str = "en") -> Computed:
    """Grade the snippets not in ``known`` (pure computation: run it without the store)."""
    out: Computed = []
    for s in snippets:
        if s.id not in known:
            text = s.text_for(language)
            out.append((_key(s, language), _sha(text), reading_grade(text)))
    return out


def save_grades(ctx: AppContext, computed: Computed) -> None:
    """Store computed grades (one transaction, sealed and audited like every other row)."""
    if computed:
        with ctx.store.write() as db:
            repo.store_grades(db, computed)


def grades(ctx: AppContext, snippets: Iterable[Snippet], language: str = "en") -> dict[str, float]:
    """Every snippet's grade: stored ones read, missing ones computed and stored."""
    snippets = list(snippets)
    known = known_grades(ctx, snippets, language)
    computed = compute_grades(snippets, known, language)
    save_grades(ctx, computed)
    return known | {key[0]: grade for key, _sha, grade in computed}


def grade_library(ctx: AppContext) -> None:
    """Grade every snippet of the library not graded yet (the window does this after start-up,
    so the Library and Handout pages find the grades stored)."""
    from k2desk.services import library

    grades(ctx, library.load(ctx).snippets.values())
