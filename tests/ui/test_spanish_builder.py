"""Issue 26 in the window: the handout builder for a Spanish-reading patient on warfarin starts in
Spanish, marks each chosen snippet that has a vetted Spanish text, previews the Spanish page with
the Spanish blood-thinner box, and is driven with the keyboard alone (Alt+U, arrows, Ctrl+S)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.library.languages import load_translations
from k2desk.services.patients import PatientInput, add_patient
from k2desk.storage import documents as docs
from k2desk.ui.pages.handout_page import SNIPPET_ROLE

MARK = "[Spanish ✓] "


def press(qtbot, key, mod=Qt.KeyboardModifier.NoModifier):
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, mod)
    QApplication.processEvents()
    return QApplication.focusWidget()


def flat(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def items(page) -> list[str]:
    return [page.snippets.item(i).text() for i in range(page.snippets.count())]


def test_spanish_builder_marks_vetted_texts_and_previews_the_spanish_page(window, qtbot, ctx,
                                                                          settle):
    from doc_helpers import setup_pharmacy

    setup_pharmacy(ctx)
    pid = add_patient(ctx, PatientInput(name="Rosario Núñez", dob="1947-11-30", nkda=True,
                                        medications=["Coumadin 5 mg daily"], language="es"))
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    assert page.chosen_language() == "es" and page.language.currentText() == "Spanish (español)"
    page.set_topics(["interactions", "food"])
    page.acknowledge("Dana Lee", "Clínica avisada")
    qtbot.waitUntil(lambda: page.previews >= 1 and page.left_out.isVisible(), timeout=20_000)
    chosen = len(page.chosen_snippet_ids())
    assert chosen >= 5
    # Every chosen snippet carries the mark (each has a vetted Spanish text); the tooltip is it.
    assert all(t.startswith(MARK) for t in items(page)), items(page)
    first = page.snippets.item(0)
    sid = first.data(SNIPPET_ROLE).snippet.id
    shipped = load_translations().translations[(sid, "es")].text
    assert first.toolTip() == f"Vetted Spanish text: {shipped}"
    said = page.left_out.text()
    assert f"Vetted Spanish text for {chosen} of {chosen} chosen snippets" in said
    assert "Left out" not in said
    preview = flat(page.preview.pdf_bytes)
    assert "INTERACCIÓN GRAVE: vitamina K2 y warfarina" in preview
    assert preview.index("INTERACCIÓN GRAVE") < preview.index("¿Interactúa con mis medicamentos?")
    assert "Your blood thinner works by blocking" not in preview

    # Keyboard: Alt+U reaches the language box; Home is English (the marks go), Down is Spanish.
    page.topics.setFocus()
    assert press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier) is page.language
    before = page.previews
    press(qtbot, Qt.Key.Key_Home)
    assert page.chosen_language() == "en"
    qtbot.waitUntil(lambda: page.previews > before, timeout=20_000)
    assert not any(t.startswith(MARK) for t in items(page)) and not page.left_out.isVisible()
    assert "MAJOR INTERACTION: vitamin K2 and warfarin" in flat(page.preview.pdf_bytes)
    before = page.previews
    press(qtbot, Qt.Key.Key_Down)
    assert page.chosen_language() == "es"
    qtbot.waitUntil(lambda: page.previews > before, timeout=20_000)
    assert all(t.startswith(MARK) for t in items(page))

    # Ctrl+S stores the Spanish handout; what is shown after is the stored PDF.
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=20_000)
    stored = docs.get_pdf(ctx.store.db, page.document_id)
    text = flat(stored)
    assert "Llame al 911" in text and "Vitamina K2: preguntas y respuestas" in text
    row = ctx.store.db.execute("SELECT language FROM handouts ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "es"
