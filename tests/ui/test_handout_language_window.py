"""Issue 25 in the window: the patient form keeps a preferred language, the handout builder
starts in it, the selector is driven with the keyboard alone, the builder says which snippets a
language leaves out, and Create stores the handout in the language chosen. The made-up language
'xx' (Zorbish) comes from test data only (tests/data/languages)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk import resources
from k2desk.services import library as library_svc
from k2desk.storage import documents as docs

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def zorbish(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    library = tmp_path / "library"
    shutil.copytree(TESTS / "library" / "data" / "good", library)
    monkeypatch.setattr(library_svc, "EVIDENCE_FOLDER", library)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [TESTS / "data" / "languages"])


def press(qtbot, key, mod=Qt.KeyboardModifier.NoModifier):
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, mod)
    QApplication.processEvents()
    return QApplication.focusWidget()


def flat(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_language_from_patient_form_to_builder_by_keyboard(zorbish, window, qtbot, ctx, settle):
    from doc_helpers import setup_pharmacy

    setup_pharmacy(ctx)
    pp = window.go("patients")
    pp.new_item()
    pp.form.name.setText("Zora Quill")
    pp.form.dob.setText("1950-02-03")
    pp.form.nkda.setChecked(True)
    # The form's language box, by keyboard: English is the default; End picks Zorbish (the
    # last by name, after the shipped Spanish).
    assert pp.form.language.currentData() == "en"
    pp.form.language.setFocus()
    press(qtbot, Qt.Key.Key_End)
    assert pp.form.language.currentData() == "xx"
    pp.save()
    settle(window)
    pid = pp.form.patient_id
    assert pid is not None

    pp.handout_button.click()
    page = window.pages["handout"]
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    assert page.patient.id == pid
    assert page.chosen_language() == "xx"  # the patient's language is the builder's default
    assert page.language.currentText() == "Zorbish (Zorbi)"
    page.set_topics(["what-is-k2", "liver-cancer", "dosing"])
    qtbot.waitUntil(lambda: page.previews >= 1 and page.left_out.isVisible(), timeout=15_000)
    said = page.left_out.text()
    assert "Left out of the Zorbish handout" in said and "dose-mk4-45" in said and "draft" in said
    assert "Zorbish What is vitamin K2?" in flat(page.preview.pdf_bytes)
    marked = [page.snippets.item(i).text() for i in range(page.snippets.count())
              if page.snippets.item(i).text().startswith("[not in this language]")]
    assert len(marked) == 1 and "dose-mk4-45" in marked[0]

    # Alt+U reaches the selector from anywhere on the page; Home goes back to English.
    page.topics.setFocus()
    focused = press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert focused is page.language
    before = page.previews
    press(qtbot, Qt.Key.Key_Home)
    assert page.chosen_language() == "en"
    qtbot.waitUntil(lambda: page.previews > before, timeout=15_000)
    assert not page.left_out.isVisible()
    assert not any(page.snippets.item(i).text().startswith("[not in")
                   for i in range(page.snippets.count()))
    assert "Trials used 45 mg" in flat(page.preview.pdf_bytes)

    # Back to Zorbish by keyboard, and Ctrl+S stores it in Zorbish.
    press(qtbot, Qt.Key.Key_End)
    assert page.chosen_language() == "xx"
    settle(window)
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(window)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=15_000)
    text = flat(docs.get_pdf(ctx.store.db, page.document_id))
    assert "Zorbish: vitamin K2 zorb is a zorb of vitamin K." in text
    assert "Trials used 45 mg" not in text and "Zorbish: trials zorbed" not in text
    row = ctx.store.db.execute("SELECT language FROM handouts ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "xx"
