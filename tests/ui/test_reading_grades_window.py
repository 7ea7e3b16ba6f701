"""The Library and Handout pages list snippets at once and show reading grades computed once per
snippet version, stored, and read back on the next open (issue #23)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from k2desk.domain.evidence import reading_grade
from k2desk.services import library, reading_grades


def _grade_column(page):
    m = page.model
    return {m.view(r).id: m.data(m.index(r, 5)) for r in range(m.rowCount())}


def test_library_page_grades_once_stores_and_reads_them_back(window, qtbot, ctx, settle):
    snippets = list(library.load(ctx).snippets.values())
    assert reading_grades.known_grades(ctx, snippets) == {}  # a fresh database: nothing stored
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # the lazy page, by key
    page = window.pages["library"]
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    expected = {s.id: f"{reading_grade(s.text_for('en')):.1f}" for s in snippets}
    assert _grade_column(page) == expected  # computed in the background and filled in
    stored = reading_grades.known_grades(ctx, snippets)
    assert {k: f"{v:.1f}" for k, v in stored.items()} == expected  # and stored

    # Shown again: the rows come with their stored grades, nothing left to fill in.
    window.go("patients")
    page = window.go("library")
    shown: list[dict[str, str]] = []
    page.model.modelReset.connect(lambda: shown.append(_grade_column(page)))
    settle(window)
    assert shown and shown[-1] == expected


def test_a_grade_stored_for_another_text_is_not_shown(window, qtbot, ctx, settle):
    snippets = list(library.load(ctx).snippets.values())
    reading_grades.grades(ctx, snippets)
    first = snippets[0]
    # As if the stored row were for an older text of this version: the page grades it again.
    ctx.store.conn.execute("UPDATE reading_grades SET text_sha256 = 'x', grade = 99 WHERE snippet_id = ?",
                           [first.id])
    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    assert _grade_column(page)[first.id] == f"{reading_grade(first.text_for('en')):.1f}"


def test_handout_page_shows_grades_computed_after_listing(window, qtbot, ctx, settle):
    page = window.go("handout")
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    page.set_topics(["bone"])
    assert page.snippets.count() > 0
    for i in range(page.snippets.count()):
        item = page.snippets.item(i)
        s = item.data(Qt.ItemDataRole.UserRole + 1).snippet
        assert f"reading grade {reading_grade(s.text_for('en')):.1f}" in item.text()
