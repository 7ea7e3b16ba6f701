"""Issue 19: the window never shows stale safety state, and every patient page says who the
patient is. Driven by the keyboard on a real window over a real data directory; changes from
"another program" are real ``k2desk`` command-line runs on the same directory."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from k2desk.cli import main as cli_main
from k2desk.services import library, patients
from k2desk.services.patients import PatientInput
from k2desk.storage import documents as docs
from k2desk.ui.models.patients_model import PATIENT_ROLE
from k2desk.ui.widgets.pharmacist import AcknowledgementDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _key(qtbot, window, key, mod=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget() or window, key, mod)


def _front(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _handout_for(qtbot, window, settle, name_query: str):
    """Keyboard: Ctrl+1, Ctrl+F, type the name, Enter (first match), Ctrl+H (handout for it)."""
    _key(qtbot, window, Qt.Key.Key_1, CTRL)
    _key(qtbot, window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(QApplication.focusWidget(), name_query)
    _key(qtbot, window, Qt.Key.Key_Return)
    settle(window)
    _key(qtbot, window, Qt.Key.Key_H, CTRL)
    page = window.pages["handout"]
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    return page


def test_warfarin_added_on_patients_shows_on_the_open_handout_and_blocks_create(
        window, qtbot, ctx, settle):
    pid = patients.add_patient(ctx, PatientInput("Marta Gómez", "1949-03-12", nkda=True))
    _front(qtbot, window)
    page = _handout_for(qtbot, window, settle, "Marta")
    assert page.patient.id == pid and window.current_key() == "handout"
    page.set_topics(["bone"])
    qtbot.waitUntil(lambda: page.previews >= 1, timeout=10_000)
    settle(window)
    assert not page.banner.has_major() and page.create_button.isEnabled()
    assert "MAJOR INTERACTION" not in _pdf_text(page.preview.pdf_bytes)

    # Patients (Ctrl+1): type the new medication, Enter adds it, Ctrl+S saves.
    _key(qtbot, window, Qt.Key.Key_1, CTRL)
    pp = window.pages["patients"]
    assert pp.form.patient_id == pid
    pp.form.medications.entry.setFocus()
    qtbot.keyClicks(pp.form.medications.entry, "warfarin 5 mg daily")
    _key(qtbot, window, Qt.Key.Key_Return)
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    # The hidden handout page heard the change already, before it is shown again.
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)

    # Back to the handout (Ctrl+2): the major warning, the VKA flag, the VKA box, Create blocked.
    before = page.previews
    _key(qtbot, window, Qt.Key.Key_2, CTRL)
    settle(window)
    assert window.current_key() == "handout"
    assert page.banner.has_major() and "warfarin" in page.banner.label.text().lower()
    assert "must be acknowledged" in page.banner.label.text()
    assert "VKA: warfarin" in page.patient_banner.text()
    assert not page.create_button.isEnabled() and page.ack_button.isVisible()
    qtbot.waitUntil(lambda: page.previews > before, timeout=10_000)
    preview = _pdf_text(page.preview.pdf_bytes)
    assert "MAJOR INTERACTION: vitamin K2 and warfarin" in preview
    assert "You take a blood thinner" in preview

    # Ctrl+S does not create: it opens the acknowledgement; nothing is stored meanwhile.
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    dlg = page.findChild(AcknowledgementDialog)
    assert dlg is not None and dlg.isVisible()
    assert docs.count_documents(ctx.store.db) == 0
    dlg.who.setEditText("Dana Lee")
    dlg.reason.setText("INR checked weekly; K2 dose kept steady")
    dlg.check_and_accept()
    settle(window)
    assert page.ack is not None and page.create_button.isEnabled()
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=10_000)
    stored = _pdf_text(docs.get_pdf(ctx.store.db, page.document_id))
    assert "MAJOR INTERACTION: vitamin K2 and warfarin" in stored and "Dana Lee" in stored


def test_a_refused_create_offers_the_acknowledgement_in_plain_words(window, qtbot, ctx, settle,
                                                                   capsys):
    pid = patients.add_patient(ctx, PatientInput("Ana Ruiz", "1950-02-02", nkda=True))
    _front(qtbot, window)
    page = _handout_for(qtbot, window, settle, "Ana")
    page.set_topics(["bone"])
    settle(window)
    assert page.create_button.isEnabled()
    # Another program adds warfarin; the window is not told and not activated: the screen is
    # behind, and the service is the last line. Its refusal must bring the remedy with it.
    assert cli_main(["patient", "edit", str(pid), "--add-med", "Coumadin 5 mg"]) == 0
    capsys.readouterr()
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    qtbot.waitUntil(lambda: page.findChild(AcknowledgementDialog) is not None
                    and page.findChild(AcknowledgementDialog).isVisible(), timeout=10_000)
    assert docs.count_documents(ctx.store.db) == 0
    shown = page.message.text()
    assert "pharmacist's name and the reason" in shown
    assert "--" not in shown and "ack_by" not in shown and "ack_reason" not in shown
    assert page.banner.has_major() and not page.create_button.isEnabled()


def test_a_snippet_rejected_in_library_leaves_the_open_handout_builder(window, qtbot, ctx, settle):
    patients.add_patient(ctx, PatientInput("Olga Petrova", "1955-09-09", nkda=True))
    _front(qtbot, window)
    page = _handout_for(qtbot, window, settle, "Olga")
    page.set_topics(["bone"])
    ids = page.chosen_snippet_ids()
    assert len(ids) >= 2
    gone = ids[1]
    # The Library page's Reject calls this service with the window's context.
    window.worker.call(lambda: library.reject(ctx, gone, "Dana Lee", "overstates the trial"))
    qtbot.waitUntil(lambda: gone not in page.chosen_snippet_ids(), timeout=10_000)
    assert page.chosen_snippet_ids() == [i for i in ids if i != gone]
    offered = [page.snippets.item(i).data(Qt.ItemDataRole.UserRole + 1).snippet.id
               for i in range(page.snippets.count())]
    assert gone not in offered
    assert page.chosen_topics() == ["bone"]  # the pharmacist's choices are kept


def test_a_medication_added_from_the_command_line_shows_once_the_window_is_activated(
        window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Kim Ji-woo", "1960-01-01", nkda=True))
    _front(qtbot, window)
    page = _handout_for(qtbot, window, settle, "Kim")
    assert not page.banner.has_major()
    # Another program: a real command-line run on the same data directory.
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=5000)
    assert cli_main(["patient", "edit", str(pid), "--add-med", "Jantoven 2.5 mg"]) == 0
    capsys.readouterr()
    settle(window)
    assert not page.banner.has_major()  # nothing told the window yet
    _front(qtbot, window)
    settle(window)
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)
    assert "VKA: warfarin" in page.patient_banner.text()
    assert not page.create_button.isEnabled()


def test_banner_and_vka_flag_on_every_patient_page(window, qtbot, ctx, settle):
    pid = patients.add_patient(ctx, PatientInput(
        "Lena Fischer", "1950-06-15", medications=["warfarin 5 mg daily"], allergies=["penicillin"]))
    other = patients.add_patient(ctx, PatientInput("Noor Haddad", "1980-01-20", nkda=True))
    _front(qtbot, window)
    # Patients: the list's warning icon and the banner.
    _key(qtbot, window, Qt.Key.Key_1, CTRL)
    pp = window.pages["patients"]
    settle(window)
    rows = {pp.model.data(pp.model.index(r, 0), PATIENT_ROLE).id: r for r in range(pp.model.rowCount())}
    flagged = pp.model.index(rows[pid], 0)
    assert pp.model.data(flagged, Qt.ItemDataRole.DecorationRole) is not None
    assert "VKA: warfarin" in pp.model.data(flagged, Qt.ItemDataRole.ToolTipRole)
    assert pp.model.data(pp.model.index(rows[other], 0), Qt.ItemDataRole.DecorationRole) is None
    pp.select_patient(pid)
    settle(window)
    text = pp.patient_banner.text()
    assert "Lena Fischer" in text and "(DOB 06/15/1950)" in text and "years" in text
    assert "Allergies: penicillin" in text and "VKA: warfarin" in text
    pp.select_patient(other)
    settle(window)
    assert "NKDA" in pp.patient_banner.text() and "VKA" not in pp.patient_banner.text()

    # Handout and Orders for the flagged patient.
    pp.select_patient(pid)
    settle(window)
    _key(qtbot, window, Qt.Key.Key_H, CTRL)
    settle(window)
    assert "VKA: warfarin" in window.pages["handout"].patient_banner.text()
    _key(qtbot, window, Qt.Key.Key_O, CTRL)
    settle(window)
    op = window.pages["orders"]
    assert "Lena Fischer" in op.patient_banner.text() and "VKA: warfarin" in op.patient_banner.text()

    # Log: the patient's documents with the banner, and the icon by the name on each row.
    window.worker.call(lambda: __import__("k2desk.services.handouts", fromlist=["x"]).create_handout(
        ctx, pid, ["bone"], ack_by="Dana Lee", ack_reason="INR stable"))
    window.go("log", patient_id=pid)
    log = window.pages["log"]
    settle(window)
    qtbot.waitUntil(lambda: log.model.rowCount() == 1, timeout=5000)
    assert "VKA: warfarin" in log.patient_banner.text()
    cell = log.model.index(0, 4)
    assert log.model.data(cell, Qt.ItemDataRole.DecorationRole) is not None
    assert "VKA: warfarin" in log.model.data(cell, Qt.ItemDataRole.ToolTipRole)
