"""The library that ships in resources/evidence loads, passes every check and meets the issue's bar."""

from __future__ import annotations

from k2desk.domain.evidence import MAX_READING_GRADE, SnippetStatus, reading_grade
from k2desk.library.evidence import load_library, validate_folder
from k2desk.resources import resource_path


def test_shipped_library_validates() -> None:
    folder = resource_path("evidence")
    assert validate_folder(folder) == []
    lib = load_library()
    assert lib is load_library()  # loaded once per process
    vetted = [s for s in lib.snippets.values() if s.status is SnippetStatus.VETTED]
    assert len(lib.snippets) >= 35
    assert len(vetted) >= 25
    for s in vetted:
        assert any(c.traceable for c in lib.citations_for(s)), s.id


def test_shipped_patient_text_is_grade_8_or_below() -> None:
    lib = load_library()
    too_hard = {s.id: reading_grade(s.text["en"]) for s in lib.snippets.values()
                if s.status is SnippetStatus.VETTED and reading_grade(s.text["en"]) > MAX_READING_GRADE}
    assert too_hard == {}
