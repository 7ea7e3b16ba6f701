"""Attack on issue 25 in the window: the patient's language changed at another station while
the handout builder was open for that patient."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from k2desk import resources
from k2desk.services import library as library_svc
from k2desk.services.patients import PatientInput, add_patient, update_patient

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def zorbish(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    library = tmp_path / "library"
    shutil.copytree(TESTS / "library" / "data" / "good", library)
    monkeypatch.setattr(library_svc, "EVIDENCE_FOLDER", library)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [TESTS / "data" / "languages"])


def test_builder_follows_a_changed_patient_language_unless_chosen_by_hand(
        zorbish, window, qtbot, ctx, settle):
    from doc_helpers import setup_pharmacy

    setup_pharmacy(ctx)
    data = PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True, language="en")
    pid = add_patient(ctx, data)
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.patient is not None and page.patient.id == pid, timeout=30_000)
    settle(window)
    assert page.chosen_language() == "en"
    # Another station records that the patient reads Zorbish: the builder's default follows
    # (it used to stay on English, the stale default, and Create made an English handout).
    update_patient(ctx, pid, PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True,
                                          language="xx"))
    qtbot.waitUntil(lambda: page.patient.language == "xx", timeout=15_000)
    settle(window)
    assert page.chosen_language() == "xx"
    # A language the pharmacist picked by hand for this handout is kept.
    page.language.setCurrentIndex(page.language.findData("en"))
    update_patient(ctx, pid, PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True,
                                          language="xx", phone="8175550100"))
    qtbot.waitUntil(lambda: page.patient.phone is not None, timeout=15_000)
    settle(window)
    assert page.chosen_language() == "en"
