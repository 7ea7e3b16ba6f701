"""Issue 25 on the Library page: a snippet's translations with whether they print and why, the
reading level per language, and vetting a translation on its own (made-up language 'xx' from
tests/data/languages over the small test library)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from k2desk import resources
from k2desk.services import library as library_svc

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def zorbish(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    library = tmp_path / "library"
    shutil.copytree(TESTS / "library" / "data" / "good", library)
    monkeypatch.setattr(library_svc, "EVIDENCE_FOLDER", library)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [TESTS / "data" / "languages"])


def test_library_shows_and_vets_a_translation_on_its_own(zorbish, window, qtbot, ctx, settle):
    page = window.go("library")
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    assert page.select("dose-mk4-45")
    settle(window)
    text = page.detail.toPlainText()
    assert "Reading level: Flesch-Kincaid grade" in text
    assert "Zorbish: does not print — Zorbish translation draft in the shipped library" in text
    assert "Reading level: no reading formula for this language" in text
    # Spanish ships too (issue 26) and comes first by name: choose Zorbish.
    page.translation_language.setCurrentIndex(page.translation_language.findData("xx"))
    assert page.translation_language.currentData() == "xx"
    assert page.vet_translation_button.isEnabled()
    dlg = page.ask_vet_translation()
    assert dlg is not None and "Zorbish translation of 'dose-mk4-45'" in dlg.label.text()
    dlg.action.click()
    settle(window)
    qtbot.waitUntil(lambda: "Zorbish: prints" in page.detail.toPlainText(), timeout=10_000)
    assert not page.vet_translation_button.isEnabled()
    # The English snippet's own state is untouched: vetting a translation is its own decision.
    assert library_svc.show(ctx, "dose-mk4-45").state.label == "vetted"
    views = {v.id: v for v in library_svc.translation_views(ctx, "xx")}
    assert views["dose-mk4-45"].printable
    # A snippet with no translation says so, and offers nothing to vet.
    assert page.select("liver-old-review")
    settle(window)
    assert "there is no Zorbish translation" in page.detail.toPlainText() or \
        "does not print" in page.detail.toPlainText()
    assert not page.vet_translation_button.isEnabled()
