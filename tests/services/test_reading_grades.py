"""Reading grades computed once per snippet version and language, stored, sealed (issue #23)."""

from __future__ import annotations

import dataclasses

from k2desk.domain.evidence import reading_grade
from k2desk.services import library, reading_grades
from k2desk.storage import seals


def _snippets(ctx):
    return list(library.load(ctx).snippets.values())


def _rows(ctx):
    return ctx.store.db.execute(
        "SELECT snippet_id, version, language, grade FROM reading_grades ORDER BY snippet_id").fetchall()


def test_grades_are_computed_once_stored_and_read_back(ctx):
    snippets = _snippets(ctx)
    assert reading_grades.known_grades(ctx, snippets) == {}
    got = reading_grades.grades(ctx, snippets)
    assert got == {s.id: reading_grade(s.text_for("en")) for s in snippets}
    assert len(_rows(ctx)) == len(snippets)
    # Read back as stored: nothing left to compute.
    assert reading_grades.known_grades(ctx, snippets) == got
    assert reading_grades.compute_grades(snippets, got) == []


def test_a_new_version_or_changed_text_is_graded_again(ctx):
    s = _snippets(ctx)[0]
    reading_grades.grades(ctx, [s])
    newer = dataclasses.replace(s, version=s.version + 1,
                                text={**s.text, "en": "Short words. Big cat sat."})
    assert reading_grades.known_grades(ctx, [newer]) == {}  # the old version's grade is not used
    assert reading_grades.grades(ctx, [newer]) == {s.id: reading_grade("Short words. Big cat sat.")}
    # The same version with a different text (an edited file) is not trusted either.
    edited = dataclasses.replace(s, text={**s.text, "en": s.text["en"] + " Ask your pharmacist."})
    assert reading_grades.known_grades(ctx, [edited]) == {}
    reading_grades.grades(ctx, [edited])
    assert reading_grades.known_grades(ctx, [edited]) == {s.id: reading_grade(edited.text["en"])}
    assert reading_grades.known_grades(ctx, [s]) == {}  # replaced for that version


def test_grades_are_kept_per_language(ctx):
    s = _snippets(ctx)[0]
    spanish = dataclasses.replace(s, text={**s.text, "es": "La vitamina K2 ayuda a los huesos."})
    reading_grades.grades(ctx, [spanish], language="en")
    assert reading_grades.known_grades(ctx, [spanish], language="es") == {}
    reading_grades.grades(ctx, [spanish], language="es")
    assert {(r[0], r[2]) for r in _rows(ctx)} == {(s.id, "en"), (s.id, "es")}


def test_stored_grades_are_sealed_and_an_edit_outside_k2desk_is_named(ctx):
    reading_grades.grades(ctx, _snippets(ctx))
    assert seals.verify_rows(ctx.store.db).problems == []
    ctx.store.conn.execute("UPDATE reading_grades SET grade = 1.0 WHERE id = 1")
    problems = seals.verify_rows(ctx.store.db).problems
    assert any("reading_grades" in p and "changed" in p for p in problems), problems
