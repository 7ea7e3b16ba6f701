"""Attacks on issue 25 (handouts in the patient's language, part 1): hostile language data
files, a patient whose language was uninstalled, and vetting edge cases, through the CLI with
the made-up test language 'xx' laid over the test library."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from k2desk import resources
from k2desk.cli import main
from k2desk.services import library as svc

TESTS = Path(__file__).resolve().parents[1]
TITLE = 'title = "Zorbish Vitamin K2: questions and answers"'
FOOTER = 'footer_label = "Zorbish Vitamin K2 handout · {ref}"'


@pytest.fixture
def lang_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the test language folder, laid over resources/, and the test library."""
    dest = tmp_path / "library"
    shutil.copytree(TESTS / "library" / "data" / "good", dest)
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", dest)
    langs = tmp_path / "langs"
    shutil.copytree(TESTS / "data" / "languages", langs)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [langs])
    return langs


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def edit_template(langs: Path, old: str, new: str) -> None:
    path = langs / "templates" / "handout.xx.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_patient(capsys: pytest.CaptureFixture[str], language: str = "xx",
                name: str = "Zora Quill") -> str:
    code, out, err = run(capsys, "patient", "add", "--name", name, "--dob", "1950-02-03",
                         "--nkda", "--language", language)
    assert code == 0, err
    return out.strip()


def refused(capsys: pytest.CaptureFixture[str], pid: str, pdf: Path) -> str:
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "--language", "xx", "-o", str(pdf))
    assert code == 2, err
    assert "Traceback" not in err and "unexpected error" not in err
    assert not pdf.exists()
    return err


# --- found: the template loader let through text that crashes or garbles the page -------------

def test_template_lone_brace_is_named_not_a_crash(capsys: pytest.CaptureFixture[str],
                                                 lang_dir: Path, tmp_path: Path) -> None:
    """A translator's stray '{' made handout create die with 'unexpected error (ValueError)'."""
    pid = add_patient(capsys)
    edit_template(lang_dir, TITLE, 'title = "Zorbish { Vitamin K2"')
    err = refused(capsys, pid, tmp_path / "x.pdf")
    assert "handout.xx.toml: field 'handout.title'" in err and "{{" in err


@pytest.mark.parametrize("bad", ["{ref:>500}", "{ref!r}", "{ref.__class__}", "{ref[0]}"])
def test_template_placeholder_must_be_plain(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                            tmp_path: Path, bad: str) -> None:
    """'{ref:>500}' padded the footer with 500 spaces and '{ref!r}' printed 'D-1' in quotes:
    both passed the placeholder check because the name inside was right."""
    pid = add_patient(capsys)
    edit_template(lang_dir, FOOTER, f'footer_label = "Zorbish {bad} {{ref}}"')
    err = refused(capsys, pid, tmp_path / "x.pdf")
    assert "field 'handout.footer_label'" in err and "is not a placeholder" in err


def test_template_empty_braces_refused(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                       tmp_path: Path) -> None:
    pid = add_patient(capsys)
    edit_template(lang_dir, TITLE, 'title = "Zorbish {} Vitamin K2"')
    assert "{} is not a placeholder" in refused(capsys, pid, tmp_path / "x.pdf")


@pytest.mark.parametrize("char, named", [("\\u202e", "RIGHT-TO-LEFT OVERRIDE"),
                                         ("\\u0007", "U+0007")])
def test_template_control_and_bidi_characters_refused(capsys: pytest.CaptureFixture[str],
                                                      lang_dir: Path, tmp_path: Path,
                                                      char: str, named: str) -> None:
    """Translations refused these, the template printed them: an RLO reversed the title."""
    pid = add_patient(capsys)
    edit_template(lang_dir, TITLE, f'title = "Zorbish {char}2K nimatiV"')
    err = refused(capsys, pid, tmp_path / "x.pdf")
    assert "field 'handout.title'" in err and named in err


def test_template_month_names_must_differ(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                          tmp_path: Path) -> None:
    """Two months with one name printed a February birth date as January."""
    pid = add_patient(capsys)
    edit_template(lang_dir, '"Zmonth2"', '"Zmonth1"')
    assert "the 12 month names must all differ" in refused(capsys, pid, tmp_path / "x.pdf")


def test_template_micrograms_as_mu_refused(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                           tmp_path: Path) -> None:
    """docs/languages.md says 'Keep mcg (never µg)'; nothing checked it."""
    pid = add_patient(capsys)
    path = lang_dir / "templates" / "handout.xx.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("mcg", "µg"), encoding="utf-8")
    assert "never µg" in refused(capsys, pid, tmp_path / "x.pdf")


# --- found: food rows were not checked like the translations --------------------------------

def test_food_translation_twice_is_refused(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                           tmp_path: Path) -> None:
    """A second [[food]] for the same row silently replaced the first."""
    pid = add_patient(capsys)
    with open(lang_dir / "translations" / "xx.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[[food]]\nfood = "Natto (fermented soybeans)"\nname = "Other natto"\n'
                 'serving = "1"\n')
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "-o", str(tmp_path / "x.pdf"))
    assert code != 0 and "'Natto (fermented soybeans)' is translated more than once" in err
    assert "Traceback" not in err and not (tmp_path / "x.pdf").exists()


def test_food_translation_bidi_override_refused(capsys: pytest.CaptureFixture[str],
                                                lang_dir: Path, tmp_path: Path) -> None:
    pid = add_patient(capsys)
    path = lang_dir / "translations" / "xx.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name = "Zorbish Natto', 'name = "\\u202eZorbish Natto'),
                    encoding="utf-8")
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "-o", str(tmp_path / "x.pdf"))
    assert code != 0 and "food #1: field 'name'" in err and "RIGHT-TO-LEFT OVERRIDE" in err
    assert not (tmp_path / "x.pdf").exists()


# --- found: a patient whose language was uninstalled could not be edited at all -------------

def test_patient_whose_language_was_removed_can_still_be_edited(
        capsys: pytest.CaptureFixture[str], lang_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the xx template went away, 'patient edit --add-med warfarin' was refused because
    of the language: the medication list of a blood-thinner patient could not be updated."""
    pid = add_patient(capsys)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [])
    code, out, err = run(capsys, "patient", "edit", pid, "--add-med", "warfarin 5 mg",
                         "--phone", "8175550199")
    assert code == 0, err
    code, out, err = run(capsys, "patient", "show", pid, "--json")
    shown = json.loads(out)
    assert shown["language"] == "xx" and shown["medications"] == ["warfarin 5 mg"]
    # ... while choosing the missing language anew is still refused
    other = add_patient(capsys, "en", "Ezra Quill")
    code, _out, err = run(capsys, "patient", "edit", other, "--language", "xx")
    assert code == 2 and "is not one k2desk can print handouts in" in err
    # and the handout is refused, never silently made in English
    pdf = tmp_path / "fallback.pdf"
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "--ack-by", "Dana Lee", "--ack-reason", "INR monitored", "-o", str(pdf))
    assert code == 2 and "no handout template for language 'xx'" in err and not pdf.exists()


# --- withstood ------------------------------------------------------------------------------

def test_vetted_translation_of_rejected_english_snippet_is_left_out(
        capsys: pytest.CaptureFixture[str], lang_dir: Path, tmp_path: Path) -> None:
    pid = add_patient(capsys)
    sid = "liver-hcc-habu-2004"  # its Zorbish translation is shipped vetted
    assert run(capsys, "library", "reject", sid, "--by", "Dana", "--reason", "old")[0] == 0
    code, out, _err = run(capsys, "library", "translations", "--language", "xx", "--json")
    row = {r["id"]: r for r in json.loads(out)}[sid]
    assert row["state"] == "does not print" and "English snippet itself does not print" in row["why"]
    pdf = tmp_path / "x.pdf"
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "--snippet", sid, "--language", "xx", "-o", str(pdf))
    assert code == 2 and not pdf.exists()
    code, _out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                          "--language", "xx", "-o", str(pdf))
    assert code == 0, err
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "zorb trial in liver" not in text and "Zorbish: vitamin K2 zorb" in text


@pytest.mark.parametrize("code_", ["../en", "EN-us", "xx; drop", "es-MX"])
def test_hostile_language_codes_refused(capsys: pytest.CaptureFixture[str], lang_dir: Path,
                                        code_: str) -> None:
    code, _out, err = run(capsys, "patient", "add", "--name", "Lu Ma", "--dob", "1960-01-01",
                          "--nkda", "--language", code_)
    assert code == 2 and "is not one k2desk can print handouts in" in err
    assert run(capsys, "patient", "list")[1].count("Lu Ma") == 0


def test_import_refuses_translation_that_would_replace_english(
        capsys: pytest.CaptureFixture[str], lang_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "ex.json"
    assert run(capsys, "library", "export", "-o", str(exported))[0] == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    first = data["translations"][0]
    data["translations"] = [dict(first, language="en", text="Evil English text.")]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = run(capsys, "library", "import", str(bad))
    assert code == 2 and "field 'language'" in err and "Traceback" not in err


# --- found: 'handout languages' listed a broken template as if it worked ---------------------

def test_handout_languages_marks_a_broken_template(capsys: pytest.CaptureFixture[str],
                                                   lang_dir: Path) -> None:
    """docs/languages.md: 'Check your files with k2desk handout languages (the language is
    listed)'. A template missing a field was listed exactly like a good one."""
    code, out, err = run(capsys, "handout", "languages")
    assert code == 0 and "xx\tZorbish (Zorbi)\n" in out and err == ""
    edit_template(lang_dir, 'fax = "Zorbish Fax"\n', "")
    code, out, err = run(capsys, "handout", "languages")
    assert code == 1 and "xx\tZorbish (Zorbi)\ttemplate has problems" in out
    assert "field 'letterhead.fax': is missing" in err and "Traceback" not in err


# --- found: an imported translation was said to be "in the shipped library" ------------------

def test_imported_translation_is_not_called_shipped(capsys: pytest.CaptureFixture[str],
                                                    lang_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "ex.json"
    assert run(capsys, "library", "export", "-o", str(exported))[0] == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    dose = next(t for t in data["translations"] if t["snippet"] == "dose-mk4-45")
    data["translations"] = [dict(dose, version=2, text="Zorbish: a newer zorb of 45 mg.")]
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "library", "import", str(newer))
    assert code == 0, err
    # only a translation came in: the hint names the translation's vetting, not the snippet's
    assert "library vet ID --language CODE --by NAME" in out and "New and updated snippets" not in out
    code, out, _err = run(capsys, "library", "translations", "--language", "xx", "--json")
    why = {r["id"]: r for r in json.loads(out)}["dose-mk4-45"]["why"]
    assert "shipped" not in why and "imported" in why
