"""Attack on issue 19: stale safety state on screen. Real window (offscreen, keyboard where it
matters) over a real data directory; "another program" is a real ``k2desk`` command-line run."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from k2desk.cli import main as cli_main
from k2desk.resources import forms_dir
from k2desk.services import handouts, patients
from k2desk.services.changes import EVERYTHING
from k2desk.services.patients import PatientInput
from k2desk.storage import documents as docs
from window_fixtures import fill_order

CTRL = Qt.KeyboardModifier.ControlModifier


def _front(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _key(qtbot, window, key, mod=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget() or window, key, mod)


def _handout(window, qtbot, settle, pid):
    page = window.go("handout", patient_id=pid)
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    settle(window)
    page.set_topics(["bone"])
    qtbot.waitUntil(lambda: page.previews >= 1, timeout=10_000)
    settle(window)
    return page


def _example() -> dict:
    return json.loads((forms_dir() / "examples" / "compound_order_example.json").read_text())


def test_a_stored_handout_made_before_warfarin_is_not_printable_once_warfarin_is_on_file(
        window, qtbot, ctx, settle, capsys):
    """Create a handout (no blood thinner), then warfarin is added from the command line: the
    window must not keep offering Print of the stored handout that has no blood-thinner box."""
    pid = patients.add_patient(ctx, PatientInput("Iris Kaur", "1948-04-04", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=10_000)
    assert page.print_button.isEnabled()
    assert cli_main(["patient", "edit", str(pid), "--add-med", "warfarin 2 mg"]) == 0
    capsys.readouterr()
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)
    settle(window)
    assert not page.print_button.isEnabled()
    assert not page.create_button.isEnabled()  # a new handout waits for the acknowledgement
    assert page.document_id is None
    # Ctrl+P asks for the review rather than printing the old handout.
    _key(qtbot, window, Qt.Key.Key_P, CTRL)
    from k2desk.ui.widgets.pharmacist import AcknowledgementDialog

    dlg = page.findChild(AcknowledgementDialog)
    assert dlg is not None and dlg.isVisible()
    dlg.close()


def test_acknowledged_then_another_vka_added_from_the_cli_drops_the_acknowledgement(
        window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Paul Berg", "1951-05-05",
                                                 medications=["warfarin 5 mg"], nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    assert page.banner.has_major() and not page.create_button.isEnabled()
    page.acknowledge("Dana Lee", "INR weekly")
    assert page.create_button.isEnabled()
    assert cli_main(["patient", "edit", str(pid), "--add-med", "acenocoumarol 1 mg"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(lambda: page.ack is None, timeout=10_000)
    assert not page.create_button.isEnabled()
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    assert docs.count_documents(ctx.store.db) == 0


def test_warfarin_added_while_an_order_is_typed_shows_the_mk4_contraindication(
        window, qtbot, ctx, settle, capsys):
    """The order example names MK-4. Typed for a patient with no blood thinner it is fine; once
    warfarin is on file (from the command line) the line must show the contraindication."""
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    _front(qtbot, window)
    page = window.go("orders", patient_id=pid)
    settle(window)
    fill_order(page, _example())
    page.run_check()
    settle(window)
    qtbot.wait(50)
    assert not any(i.code == "contraindicated" for i in page.issues)
    assert cli_main(["patient", "edit", str(pid), "--add-med", "warfarin 5 mg daily"]) == 0
    capsys.readouterr()
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)
    qtbot.waitUntil(lambda: any(i.code == "contraindicated" for i in page.issues), timeout=10_000)


def test_order_create_is_not_enabled_while_a_major_finding_is_unacknowledged(
        window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    _front(qtbot, window)
    page = window.go("orders", patient_id=pid)
    settle(window)
    assert page.create_button.isEnabled()
    assert cli_main(["patient", "edit", str(pid), "--add-med", "Coumadin 5 mg"]) == 0
    capsys.readouterr()
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)
    assert not page.create_button.isEnabled()
    page.acknowledge("Dana Lee", "INR weekly", None, "phone", "Dr Lopez")
    assert page.create_button.isEnabled()


def test_another_patients_change_leaves_the_open_handout_alone(window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Mia Jones", "1960-06-06", nkda=True))
    other = patients.add_patient(ctx, PatientInput("Ben Cole", "1961-06-06", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    window.worker.call(lambda: patients.update_patient(ctx, other, PatientInput(
        "Ben Cole", "1961-06-06", medications=["warfarin 1 mg"], nkda=True)))
    settle(window)
    qtbot.wait(300)
    settle(window)
    assert page.patient.id == pid and not page.banner.has_major()
    assert "Mia Jones" in page.patient_banner.text() and "VKA" not in page.patient_banner.text()
    assert page.create_button.isEnabled()


def test_a_handout_already_created_keeps_its_stored_pdf_when_nothing_safety_related_changed(
        window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Rosa Diaz", "1949-09-09", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=10_000)
    doc = page.document_id
    assert cli_main(["patient", "edit", str(pid), "--phone", "(817) 860-6083"]) == 0
    capsys.readouterr()
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.wait(300)
    settle(window)
    assert page.document_id == doc and page.print_button.isEnabled()
    assert handouts is not None


def _handout_ids(page):
    return page.chosen_snippet_ids()


def test_a_cli_acknowledgement_then_a_second_vka_from_the_cli_blocks_create_again(
        window, qtbot, ctx, settle, capsys):
    """A pending acknowledgement recorded from the command line for warfarin; then phenprocoumon
    is added from the command line. The window must not offer Create on the old acknowledgement."""
    pid = patients.add_patient(ctx, PatientInput("Emil Sauer", "1946-02-02",
                                                 medications=["warfarin 5 mg"], nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    assert not page.create_button.isEnabled()
    assert cli_main(["interactions", "acknowledge", "--patient", str(pid), "--by", "Dana Lee",
                     "--reason", "INR weekly"]) == 0
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(page.create_button.isEnabled, timeout=10_000)
    assert cli_main(["patient", "edit", str(pid), "--add-med", "phenprocoumon 3 mg"]) == 0
    capsys.readouterr()
    page.refresh(EVERYTHING)
    settle(window)
    qtbot.waitUntil(lambda: "phenprocoumon" in page.banner.label.text().lower(), timeout=10_000)
    settle(window)
    assert not page.create_button.isEnabled()
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    assert docs.count_documents(ctx.store.db) == 0


def test_a_snippet_retired_from_the_cli_leaves_the_builder_once_the_window_is_activated(
        window, qtbot, ctx, settle, capsys):
    from PySide6.QtWidgets import QWidget

    pid = patients.add_patient(ctx, PatientInput("Vera Lind", "1957-07-07", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    ids = page.chosen_snippet_ids()
    gone = ids[0]
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=5000)
    assert cli_main(["library", "retire", gone, "--by", "Dana Lee", "--reason", "superseded"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    qtbot.waitUntil(lambda: gone not in page.chosen_snippet_ids(), timeout=10_000)
    settle(window)
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    qtbot.waitUntil(lambda: page.document_id is not None, timeout=10_000)
    from k2desk.services import doc_use

    d = doc_use.get_document(ctx, page.document_id) if hasattr(doc_use, "get_document") else None
    if d is not None and hasattr(d, "snippet_ids"):
        assert gone not in d.snippet_ids


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_preview_in_flight_for_one_patient_never_shows_under_the_next_patients_banner(
        window, qtbot, ctx, settle):
    a = patients.add_patient(ctx, PatientInput("Anna Alpha", "1950-01-01", nkda=True))
    b = patients.add_patient(ctx, PatientInput("Bert Beta", "1951-01-01",
                                               medications=["warfarin 5 mg"], nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, a)
    page.render_preview()  # a render for Anna is on its way ...
    window.go("handout", patient_id=b)  # ... when the pharmacist switches to Bert
    settle(window)
    # Whatever the preview shows now is Bert's, never Anna's (the debounce has not fired yet).
    assert page.patient.id == b
    if page.preview.pdf_bytes:
        assert "Anna Alpha" not in _pdf_text(page.preview.pdf_bytes)
    qtbot.waitUntil(lambda: bool(page.preview.pdf_bytes)
                    and "Bert Beta" in _pdf_text(page.preview.pdf_bytes), timeout=10_000)
    assert "MAJOR INTERACTION" in _pdf_text(page.preview.pdf_bytes)


def test_the_preview_never_lags_the_banner_after_warfarin_is_added(window, qtbot, ctx, settle):
    pid = patients.add_patient(ctx, PatientInput("Carl Gamma", "1952-01-01", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, pid)
    assert "MAJOR INTERACTION" not in _pdf_text(page.preview.pdf_bytes)
    window.worker.call(lambda: patients.update_patient(ctx, pid, PatientInput(
        "Carl Gamma", "1952-01-01", medications=["warfarin 5 mg"], nkda=True)))
    qtbot.waitUntil(page.banner.has_major, timeout=10_000)
    # The moment the banner says major, the preview without the blood-thinner box is gone.
    assert (not page.preview.pdf_bytes
            or "MAJOR INTERACTION" in _pdf_text(page.preview.pdf_bytes))
    qtbot.waitUntil(lambda: bool(page.preview.pdf_bytes), timeout=10_000)
    assert "MAJOR INTERACTION" in _pdf_text(page.preview.pdf_bytes)


def test_saving_a_form_opened_before_warfarin_was_added_elsewhere_never_drops_the_warfarin(
        window, qtbot, ctx, settle, capsys):
    """Patients form open, the phone being typed; warfarin is added from the command line; the
    pharmacist comes back and saves. The form's old medication list must not overwrite it."""
    pid = patients.add_patient(ctx, PatientInput("Dora Hill", "1944-08-08", nkda=True))
    _front(qtbot, window)
    pp = window.go("patients")
    settle(window)
    pp.select_patient(pid)
    settle(window)
    pp.form.phone.setText("(817) 860-6083")  # typed, not saved yet
    assert cli_main(["patient", "edit", str(pid), "--add-med", "warfarin 2 mg daily"]) == 0
    capsys.readouterr()
    pp.refresh(EVERYTHING)  # as when the window comes back to the front
    settle(window)
    qtbot.wait(100)
    settle(window)
    # On screen at once: the banner and the form know of the warfarin; the typing is kept.
    assert pp.banner.has_major()
    assert "VKA: warfarin" in pp.patient_banner.text()
    assert any("warfarin" in m for m in pp.form.medications.values())
    assert pp.form.phone.text() == "(817) 860-6083"
    _key(qtbot, window, Qt.Key.Key_S, CTRL)
    settle(window)
    stored = patients.get_patient(ctx, pid)
    assert any("warfarin" in m.text for m in stored.current_medications)
    assert stored.phone.endswith("8608083") or "860" in stored.phone


def test_saving_without_being_told_of_the_change_is_refused_rather_than_dropping_warfarin(
        window, qtbot, ctx, settle, capsys):
    """The same, but the window never heard of the change (not activated): Save must not
    silently remove the medication another program recorded a moment ago."""
    pid = patients.add_patient(ctx, PatientInput("Egon Falk", "1943-03-03", nkda=True))
    _front(qtbot, window)
    pp = window.go("patients")
    settle(window)
    pp.select_patient(pid)
    settle(window)
    pp.form.phone.setText("(817) 860-6083")
    assert cli_main(["patient", "edit", str(pid), "--add-med", "warfarin 2 mg daily"]) == 0
    capsys.readouterr()
    assert pp.save() is False
    settle(window)
    stored = patients.get_patient(ctx, pid)
    assert [m.text for m in stored.current_medications] == ["warfarin 2 mg daily"]
    assert any("warfarin" in m for m in pp.form.medications.values())
    assert pp.banner.has_major()
    assert pp.form.phone.text() == "(817) 860-6083"
    assert pp.save() is True  # reviewed: the second Save stores both
    stored = patients.get_patient(ctx, pid)
    assert [m.text for m in stored.current_medications] == ["warfarin 2 mg daily"]
    assert "860" in stored.phone


def _other_program(qtbot):
    from PySide6.QtWidgets import QWidget

    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=5000)
    return other


def test_table_signed_off_from_the_cli_shows_on_every_open_page_after_activation(
        window, qtbot, ctx, settle, capsys):
    from k2desk.services import table_signoff

    pid = patients.add_patient(ctx, PatientInput("Ruth Moss", "1947-07-07",
                                                 medications=["warfarin 5 mg"], nkda=True))
    _front(qtbot, window)
    hp = _handout(window, qtbot, settle, pid)
    op = window.go("orders", patient_id=pid)
    settle(window)
    assert table_signoff.NOT_SIGNED_OFF in op.banner.label.text()
    assert table_signoff.NOT_SIGNED_OFF in hp.banner.label.text()
    _other_program(qtbot)
    assert cli_main(["library", "sign-off-table", "--by", "Dana Lee"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    settle(window)
    qtbot.waitUntil(lambda: table_signoff.NOT_SIGNED_OFF not in op.banner.label.text(),
                    timeout=10_000)
    window.go("handout", patient_id=pid)
    settle(window)
    qtbot.waitUntil(lambda: table_signoff.NOT_SIGNED_OFF not in hp.banner.label.text(),
                    timeout=10_000)
    assert hp.banner.has_major() and not hp.create_button.isEnabled()


def test_the_log_icon_follows_a_medication_change_from_the_cli(window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Ivo Petr", "1950-10-10", nkda=True))
    window.worker.call(lambda: handouts.create_handout(ctx, pid, ["bone"]))
    _front(qtbot, window)
    log = window.go("log", patient_id=pid)
    settle(window)
    qtbot.waitUntil(lambda: log.model.rowCount() == 1, timeout=5000)
    cell = log.model.index(0, 4)
    assert log.model.data(cell, Qt.ItemDataRole.DecorationRole) is None
    assert "VKA" not in log.patient_banner.text()
    _other_program(qtbot)
    assert cli_main(["patient", "edit", str(pid), "--add-med", "Marevan 3 mg"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    settle(window)
    qtbot.waitUntil(lambda: "VKA" in log.patient_banner.text(), timeout=10_000)
    qtbot.waitUntil(lambda: log.model.rowCount() == 1 and log.model.data(
        log.model.index(0, 4), Qt.ItemDataRole.DecorationRole) is not None, timeout=10_000)
    # And the warfarin line removed again from the command line: the flag goes.
    _other_program(qtbot)
    assert cli_main(["patient", "edit", str(pid), "--remove-med", "Marevan 3 mg"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    settle(window)
    qtbot.waitUntil(lambda: "VKA" not in log.patient_banner.text(), timeout=10_000)
    qtbot.waitUntil(lambda: log.model.rowCount() == 1 and log.model.data(
        log.model.index(0, 4), Qt.ItemDataRole.DecorationRole) is None, timeout=10_000)


def test_an_order_acknowledgement_held_is_dropped_when_the_list_changes_from_the_cli(
        window, qtbot, ctx, settle, capsys):
    pid = patients.add_patient(ctx, PatientInput("Lars Holm", "1945-05-05",
                                                 medications=["warfarin 5 mg"], nkda=True))
    _front(qtbot, window)
    op = window.go("orders", patient_id=pid)
    settle(window)
    assert not op.create_button.isEnabled() and op.ack_button.isVisible()
    op.acknowledge("Dana Lee", "INR weekly", None, "phone", "Dr Lopez")
    assert op.create_button.isEnabled()
    _other_program(qtbot)
    assert cli_main(["patient", "edit", str(pid), "--add-med", "Sintrom 1 mg"]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    settle(window)
    qtbot.waitUntil(lambda: op.ack is None, timeout=10_000)
    assert not op.create_button.isEnabled()
    assert "acenocoumarol" in op.banner.label.text().lower() or "sintrom" in op.banner.label.text().lower()


def test_switching_patients_quickly_leaves_the_last_patients_safety_state(window, qtbot, ctx,
                                                                          settle):
    a = patients.add_patient(ctx, PatientInput("Wanda Warf", "1940-01-01",
                                               medications=["warfarin 5 mg"], nkda=True))
    b = patients.add_patient(ctx, PatientInput("Nils Plain", "1990-01-01", nkda=True))
    _front(qtbot, window)
    page = _handout(window, qtbot, settle, a)
    for pid in [b, a, b, a, b, a, b] * 3:
        window.go("handout", patient_id=pid)  # no waiting between switches
        op = window.go("orders", patient_id=pid)
    window.go("handout", patient_id=b)
    settle(window)
    qtbot.wait(200)
    settle(window)
    assert page.patient.id == b and "Nils Plain" in page.patient_banner.text()
    assert "VKA" not in page.patient_banner.text() and not page.banner.has_major()
    assert page.create_button.isEnabled()
    assert "Nils Plain" in op.patient_banner.text() and not op.banner.has_major()
    window.go("handout", patient_id=a)
    window.go("orders", patient_id=a)
    settle(window)
    qtbot.wait(200)
    settle(window)
    assert "VKA: warfarin" in page.patient_banner.text() and page.banner.has_major()
    assert not page.create_button.isEnabled() and not op.create_button.isEnabled()
    qtbot.waitUntil(lambda: bool(page.preview.pdf_bytes), timeout=10_000)
    text = _pdf_text(page.preview.pdf_bytes)
    assert "Wanda Warf" in text and "MAJOR INTERACTION" in text


def test_a_patient_imported_from_csv_shows_with_its_vka_flag_once_the_window_is_activated(
        window, qtbot, ctx, settle, capsys, tmp_path):
    from k2desk.ui.models.patients_model import PATIENT_ROLE

    _front(qtbot, window)
    pp = window.go("patients")
    settle(window)
    csv = tmp_path / "in.csv"
    csv.write_text("name,dob,medications,nkda\nGreta Kahl,1941-04-04,warfarin 5 mg;vitamin D,yes\n",
                   encoding="utf-8")
    _other_program(qtbot)
    assert cli_main(["patient", "import", str(csv)]) == 0
    capsys.readouterr()
    _front(qtbot, window)
    settle(window)

    def flagged() -> bool:
        for r in range(pp.model.rowCount()):
            idx = pp.model.index(r, 0)
            if pp.model.data(idx, PATIENT_ROLE).name == "Greta Kahl":
                return pp.model.data(idx, Qt.ItemDataRole.DecorationRole) is not None
        return False

    qtbot.waitUntil(flagged, timeout=10_000)
