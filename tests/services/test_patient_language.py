"""Issue 25: the patient's preferred language — English by default, set with the CLI, the CSV
import and the service, refused when no handout template exists, and sealed with the row."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from k2desk import resources
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.patients import (
    PatientInput,
    add_patient,
    get_patient,
    import_patients_csv,
    update_patient,
)
from k2desk.storage import seals

LANG_DATA = Path(__file__).resolve().parents[1] / "data" / "languages"


def test_english_is_the_default_and_an_unknown_language_is_refused(ctx: AppContext) -> None:
    pid = add_patient(ctx, PatientInput(name="Ana Souza", dob="1950-01-02", nkda=True))
    assert get_patient(ctx, pid).language == "en"
    with pytest.raises(InputRefused) as exc:
        add_patient(ctx, PatientInput(name="Ben Ray", dob="1950-01-02", nkda=True, language="xx"))
    issue = exc.value.issues[0]
    assert issue.field == "language" and "'xx' is not one k2desk can print handouts in" in issue.message
    assert "en (English)" in issue.message


def test_a_language_added_as_data_can_be_chosen_and_kept_on_edit(
        ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [LANG_DATA])
    pid = add_patient(ctx, PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True, language="XX "))
    assert get_patient(ctx, pid).language == "xx"
    p = update_patient(ctx, pid, PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True,
                                              phone="8178606083", language="xx"))
    assert p.language == "xx" and p.phone


def test_csv_import_reads_the_language_column(ctx: AppContext, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [LANG_DATA])
    f = tmp_path / "patients.csv"
    f.write_text("name,dob,nkda,language\nAna Souza,1950-01-02,yes,xx\nBen Ray,1951-02-03,yes,\n",
                 encoding="utf-8")
    ids = import_patients_csv(ctx, f)
    assert [get_patient(ctx, i).language for i in ids] == ["xx", "en"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,dob,nkda,language\nCy Dee,1950-01-02,yes,qq\n", encoding="utf-8")
    with pytest.raises(InputRefused) as exc:
        import_patients_csv(ctx, bad)
    assert exc.value.issues[0].field == "line 2.language"


def test_the_language_column_is_under_the_row_seals(ctx: AppContext, data_dir: Path) -> None:
    pid = add_patient(ctx, PatientInput(name="Ana Souza", dob="1950-01-02", nkda=True))
    assert seals.verify_rows(ctx.store.db).problems == []
    # Another program changes only the language: the row's seal no longer matches.
    db_file = next(data_dir.glob("*.sqlite*"), None) or next(data_dir.glob("*.db"))
    con = sqlite3.connect(db_file)
    con.execute("UPDATE patients SET language = 'es' WHERE id = ?", [pid])
    con.commit()
    con.close()
    with AppContext(data_dir, "test-rph") as again:
        report = seals.verify_rows(again.store.db)
    assert any("patients" in p for p in report.problems), report.problems


def test_cli_patient_add_and_edit_language(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"K2DESK_EXTRA_RESOURCES": str(LANG_DATA)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run([sys.executable, "-m", "k2desk", *args], capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=120)

    added = run("patient", "add", "--name", "Zora Quill", "--dob", "1950-02-03", "--nkda",
                "--language", "xx")
    assert added.returncode == 0, added.stderr
    pid = added.stdout.strip()
    shown = run("patient", "show", pid)
    assert "Handout language: xx" in shown.stdout
    run("patient", "edit", pid, "--language", "en")
    assert "Handout language: en" in run("patient", "show", pid).stdout
    refused = run("patient", "edit", pid, "--language", "qq")
    assert refused.returncode != 0 and "'qq' is not one k2desk can print handouts in" in refused.stderr
    assert "Traceback" not in refused.stderr
    langs = run("handout", "languages")
    assert "xx\tZorbish (Zorbi)" in langs.stdout and langs.stdout.startswith("en\tEnglish")


def test_the_new_translation_tables_are_sealed_too(ctx: AppContext, data_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    import shutil

    from k2desk.services import library as library_svc

    lib = tmp_path / "lib"
    shutil.copytree(LANG_DATA.parents[1] / "library" / "data" / "good", lib)
    monkeypatch.setattr(library_svc, "EVIDENCE_FOLDER", lib)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [LANG_DATA])
    covered = set(seals.covered_tables(ctx.store.db.conn))
    assert {"patients", "translation_state", "imported_translations"} <= covered
    library_svc.vet_translation(ctx, "dose-mk4-45", "xx", "Dana Lee")
    assert seals.verify_rows(ctx.store.db).problems == []
    db_file = next(data_dir.glob("*.sqlite*"), None) or next(data_dir.glob("*.db"))
    con = sqlite3.connect(db_file)
    con.execute("UPDATE translation_state SET status = 'vetted', source_sha256 = 'x'")
    con.commit()
    con.close()
    report = seals.verify_rows(ctx.store.db)
    assert any("translation_state" in p for p in report.problems), report.problems
