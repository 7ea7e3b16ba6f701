"""Issue 25: handout templates and translations as data files, checked against the English
template, and the reading level per language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from k2desk import resources
from k2desk.domain.languages import reading_level
from k2desk.library.languages import (
    LanguageDataError,
    available_languages,
    load_template,
    load_translations,
)

LANG_DATA = Path(__file__).resolve().parents[1] / "data" / "languages"


def test_english_ships_as_data_and_is_the_only_language_without_extras() -> None:
    assert [lang.code for lang in available_languages()][:1] == ["en"]
    en = load_template("en")
    assert en.text("handout.title") == "Vitamin K2: questions and answers"
    assert en.date("2026-11-22") == "November 22, 2026"
    assert len(en.pairs("vka.paragraphs")) == 6 and len(en.items("dates.months")) == 12


def test_a_language_is_added_by_a_folder_of_data_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [LANG_DATA])
    assert [lang.label for lang in available_languages()] == ["English", "Spanish (español)",
                                                              "Zorbish (Zorbi)"]  # es: issue 26
    xx = load_template("xx")
    assert xx.date("1950-02-03") == "3 Zmonth2 1950"
    assert load_translations().translations[("what-k2-forms", "xx")].status.value == "vetted"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    extra = tmp_path / "extra"
    shutil.copytree(LANG_DATA, extra)
    path = extra / "templates" / "handout.xx.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return extra


@pytest.mark.parametrize("old,new,says", [
    ('references = "Zorbish References"\n', "", "field 'handout.references': is missing"),
    ('page = "Zpage {page} of {pages}"', 'page = "Zpage {page}"',
     "field 'footer.page': must use the placeholders {page}, {pages}"),
    ('code = "xx"', 'code = "yy"', "field 'language.code': must be \"xx\""),
    ('[footer]\n', '[footer]\nextra = "x"\n', "field 'footer.extra': is not a template field"),
])
def test_a_template_is_checked_against_the_english_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       old: str, new: str, says: str) -> None:
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [_broken(tmp_path, old, new)])
    with pytest.raises(LanguageDataError) as exc:
        load_template("xx")
    assert any(says in p and p.startswith("handout.xx.toml") for p in exc.value.problems), exc.value.problems


def test_a_translation_without_its_english_hash_is_refused(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra"
    shutil.copytree(LANG_DATA, extra)
    path = extra / "translations" / "xx.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('source_sha256 = "', 'source_sha256 = "nothex', 1), encoding="utf-8")
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [extra])
    with pytest.raises(LanguageDataError) as exc:
        load_translations()
    assert "xx.toml: translation #1: field 'source_sha256'" in exc.value.problems[0]


def test_reading_level_per_language() -> None:
    name, grade, passes = reading_level("Keep K2 the same every day. Ask your clinic first.", "en")
    assert name == "Flesch-Kincaid grade" and grade is not None and grade < 8 and passes
    hard = ("Pharmacokinetic heterogeneity notwithstanding, menaquinone supplementation "
            "necessitates individualised anticoagulation reassessment.")
    assert reading_level(hard, "en")[2] is False
    easy = "La vitamina K2 es una vitamina. Se toma con la comida. Hable con su médico."
    name, score, passes = reading_level(easy, "es")
    assert name == "Fernández-Huerta" and score is not None and score >= 70 and passes
    dificil = ("La farmacocinética heterogénea de la menaquinona condiciona, indudablemente, "
               "reevaluaciones individualizadas de la anticoagulación terapéutica prolongada.")
    assert reading_level(dificil, "es")[2] is False
    # English grading is unchanged after a Spanish score (textstat keeps the language as state).
    assert reading_level("Keep K2 the same every day. Ask your clinic first.", "en")[1] == grade
    assert reading_level("Zorbish zorb.", "xx") == ("no reading formula for this language", None, None)
