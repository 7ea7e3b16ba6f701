"""Patients page and its table model."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from k2desk.domain.models import Patient
from k2desk.services import patients
from k2desk.services.patients import PatientInput
from k2desk.ui.models.patients_model import PATIENT_ROLE, PatientsModel


def test_patients_model_without_a_view():
    m = PatientsModel()
    m.set_patients([Patient(name="Nguyễn Văn An", dob=dt.date(1950, 2, 3), phone="+18178606083",
                            nkda=True, id=7)])
    assert m.rowCount() == 1 and m.columnCount() == 4
    assert m.data(m.index(0, 0)) == "Nguyễn Văn An"
    assert m.data(m.index(0, 1)) == "1950-02-03"
    assert m.data(m.index(0, 2)) == "(817) 860-6083"
    assert m.data(m.index(0, 3)) == "NKDA"
    assert m.data(m.index(0, 0), PATIENT_ROLE).id == 7
    assert m.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert m.row_of(7) == 0 and m.row_of(8) == -1


def test_search_as_you_type_finds_by_name_without_diacritics(window, qtbot, ctx, settle):
    patients.add_patient(ctx, PatientInput("Nguyễn Thị Mai", "1961-04-05", nkda=True))
    patients.add_patient(ctx, PatientInput("Olga Petrova", "1970-01-01", allergies=["latex"]))
    page = window.go("patients")
    qtbot.keyClicks(page.search, "nguyen")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.patient(0).name == "Nguyễn Thị Mai"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)


def test_bad_fields_show_messages_under_each_field_and_nothing_is_stored(window, qtbot, ctx):
    page = window.go("patients")
    page.new_item()
    page.form.name.setText("Ana Ruiz")
    page.form.dob.setText("1956-02-30")
    page.form.phone.setText("12")
    page.save()
    msgs = page.form.messages
    assert "not a real date" in msgs["dob"].text() and msgs["dob"].isVisible()
    assert "not a valid phone number" in msgs["phone"].text()
    assert "mark NKDA" in msgs["allergies"].text()
    assert not msgs["name"].isVisible()
    assert patients.list_patients(ctx) == []
    # fixing a field clears its message as the person types
    page.form.dob.setText("1956-02-28")
    qtbot.waitUntil(lambda: not msgs["dob"].isVisible(), timeout=2000)


def test_nkda_and_allergies_exclude_each_other(window):
    page = window.go("patients")
    page.new_item()
    page.form.allergy_list.add("penicillin")
    assert not page.form.nkda.isEnabled()
    page.form.allergy_list.list.setCurrentRow(0)
    page.form.allergy_list.remove_selected()
    assert page.form.nkda.isEnabled()
    page.form.nkda.setChecked(True)
    assert not page.form.allergy_list.entry.isEnabled()


def test_add_then_edit_a_patient_with_medications(window, qtbot, ctx, settle):
    page = window.go("patients")
    page.new_item()
    page.form.name.setText("Walter Brandt")
    page.form.dob.setText("1948-11-02")
    page.form.phone.setText("(817) 860-6083")
    page.form.medications.entry.setText("warfarin 5 mg")
    page.form.medications.add_from_entry()
    page.form.medications.entry.setText("metoprolol 25 mg")  # typed but not added: still kept
    page.form.nkda.setChecked(True)
    page.save()
    settle(window)
    [stored] = patients.list_patients(ctx)
    assert [m.text for m in stored.medications] == ["warfarin 5 mg", "metoprolol 25 mg"]
    assert stored.phone == "+18178606083" and stored.nkda
    assert page.form.patient_id == stored.id
    assert page.handout_button.isEnabled()
    page.form.notes.setPlainText("prefers morning calls")
    page.save()
    assert patients.get_patient(ctx, stored.id).notes == "prefers morning calls"


def test_a_window_whose_database_file_was_replaced_saves_nothing_and_says_so(window, qtbot, ctx, settle):
    import os

    from k2desk.paths import db_path
    from k2desk.storage.backup import create_backup

    ctx.store.check_integrity()
    replacement = create_backup(ctx.store)
    os.replace(replacement, db_path(ctx.data_dir))  # another program copied a file over it
    page = window.go("patients")
    page.new_item()
    page.form.name.setText("Walter Brandt")
    page.form.dob.setText("1948-11-02")
    page.form.nkda.setChecked(True)
    page.save()
    settle(window)
    qtbot.waitUntil(lambda: window._message_box is not None and window._message_box.isVisible())
    text = window._message_box.label.text()
    assert "replaced by another program" in text and "saves nothing more" in text
    assert "--" not in text and "Traceback" not in text
    assert patients.list_patients(ctx) == []
