"""Loading the evidence library: a sound folder loads; each kind of mistake is named precisely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from k2desk.domain.evidence import Section, SnippetStatus, StudyType
from k2desk.library.evidence import LibraryError, load_library, validate_folder

GOOD = Path(__file__).parent / "data" / "good"
Editor = Callable[[str, str, str], None]


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(LibraryError) as info:
        load_library(folder)
    assert info.value.problems == validate_folder(folder)
    return info.value.problems


def test_good_library_loads_in_topic_order() -> None:
    lib = load_library(GOOD)
    assert list(lib.snippets) == ["what-k2-forms", "liver-hcc-habu-2004", "liver-old-review",
                                  "liver-draft", "liver-hr-0044", "dose-mk4-45", "unknown-retired"]
    assert lib.topics == ("what-is-k2", "liver-cancer", "dosing", "unknowns")
    s = lib.snippets["liver-hcc-habu-2004"]
    assert s.version == 2 and s.study_type is StudyType.RCT and s.section is Section.STUDIES
    assert s.status is SnippetStatus.VETTED and s.source_file == "liver-cancer.toml"
    assert lib.citations_for(s)[0].doi == "10.1001/jama.292.3.358"
    # multi-line TOML text is joined into one paragraph; other languages are kept
    forms = lib.snippets["what-k2-forms"]
    assert forms.text["en"] == ("Vitamin K2 is a form of vitamin K. It comes in two main kinds, "
                                "called MK-4 and MK-7.")
    assert forms.text_for("es").startswith("La vitamina")
    with pytest.raises(KeyError):  # issue 25: no silent fallback to English
        forms.text_for("fr")
    [dose] = lib.dose_limits()
    assert (dose.ingredient, dose.max_daily, dose.unit, dose.snippet_id) == ("MK-4", 45.0, "mg",
                                                                             "dose-mk4-45")
    assert lib.foods[0].to_row().amount == "about 998 mcg"
    assert lib.snippets["liver-hr-0044"].reason.startswith("The hazard ratio")
    assert validate_folder(GOOD) == []


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("liver-cancer.toml", 'id = "liver-hcc-habu-2004"\nversion = 2',
     'id = "liver-hcc-habu-2004"\nversion = 2\ncolour = "red"',
     "liver-cancer.toml: snippet 'liver-hcc-habu-2004': field 'colour': unknown key"),
    ("dosing.toml", 'section = "dose"\n', "",
     "dosing.toml: snippet 'dose-mk4-45': field 'section': is missing"),
    ("dosing.toml", "version = 1", 'version = "1"',
     "dosing.toml: snippet 'dose-mk4-45': field 'version': must be a whole number"),
    ("dosing.toml", "version = 1", "version = 0",
     "dosing.toml: snippet 'dose-mk4-45': field 'version': 0 is out of range"),
    ("dosing.toml", 'study_type = "rct"', 'study_type = "RCT"',
     "dosing.toml: snippet 'dose-mk4-45': field 'study_type': 'RCT' is not one of meta-analysis, rct"),
    ("dosing.toml", 'outcome = "patient-outcome"', 'outcome = "survival"',
     "dosing.toml: snippet 'dose-mk4-45': field 'outcome': 'survival' is not one of"),
    ("dosing.toml", 'status = "vetted"', 'status = "approved"',
     "dosing.toml: snippet 'dose-mk4-45': field 'status': 'approved' is not one of draft, vetted"),
    ("dosing.toml", 'citations = ["habu2004"]\n', "",
     "dosing.toml: snippet 'dose-mk4-45': field 'citations': a vetted snippet must cite"),
    ("dosing.toml", 'citations = ["habu2004"]', "citations = []",
     "dosing.toml: snippet 'dose-mk4-45': field 'citations': must list at least one"),
    ("dosing.toml", 'citations = ["habu2004"]', 'citations = ["nobody2020"]',
     "dosing.toml: snippet 'dose-mk4-45': field 'citations': citation 'nobody2020' does not exist"),
    ("dosing.toml", 'citations = ["habu2004"]', 'citations = ["promo-page"]',
     "dosing.toml: snippet 'dose-mk4-45': field 'citations': a vetted snippet must cite at least one "
     "source with a DOI or PubMed id"),
    ("dosing.toml", 'vetted_by = "fixture editor"\n', "",
     "dosing.toml: snippet 'dose-mk4-45': field 'vetted_by': a vetted snippet must say who"),
    ("dosing.toml", "vetted_on = 2026-01-10\n", "",
     "dosing.toml: snippet 'dose-mk4-45': field 'vetted_on': a vetted snippet must say when"),
    ("dosing.toml", "review_due = 2099-01-10\n", "",
     "dosing.toml: snippet 'dose-mk4-45': field 'review_due': a vetted snippet must have a review date"),
    ("dosing.toml", "review_due = 2099-01-10", 'review_due = "2099-01-10"',
     "dosing.toml: snippet 'dose-mk4-45': field 'review_due': must be a TOML date"),
    ("liver-cancer.toml", 'reason = "The hazard ratio of 0.044 is not in any primary source."',
     'reason = ""', "liver-cancer.toml: snippet 'liver-hr-0044': field 'reason': a rejected snippet "
     "must say why"),
    ("unknowns.toml", 'reason = "Superseded by a newer snippet."\n', "",
     "unknowns.toml: snippet 'unknown-retired': field 'reason': a retired snippet must say why"),
    ("dosing.toml", 'id = "dose-mk4-45"', 'id = "Dose_MK4"',
     "dosing.toml: snippet 'Dose_MK4': field 'id': 'Dose_MK4' is not a valid id"),
    ("dosing.toml", 'topics = ["dosing"]', 'topics = ["bone"]',
     "dosing.toml: snippet 'dose-mk4-45': field 'topics': must include this file's own topic 'dosing'"),
    ("dosing.toml", 'topics = ["dosing"]', 'topics = ["dosing", "astrology"]',
     "dosing.toml: snippet 'dose-mk4-45': field 'topics': unknown topic 'astrology'"),
    ("dosing.toml", 'en = "Trials', 'fr = "Trials',
     "dosing.toml: snippet 'dose-mk4-45': field 'text.en': is missing"),
    ("dosing.toml", 'unit = "mg"', 'unit = "IU"',
     "dosing.toml: snippet 'dose-mk4-45': field 'dose.unit': 'IU' is not one of mg, mcg"),
    ("dosing.toml", "max_daily = 45.0", "max_daily = 45.0\nmaximum = 90",
     "dosing.toml: snippet 'dose-mk4-45': field 'maximum': unknown key"),
    ("citations.toml", 'journal = "Blood"', 'journal = "Blood"\nurl = "x"',
     "citations.toml: citation 'schurgers2007': field 'url': unknown key"),
    ("citations.toml", 'doi = "10.1182/blood-2006-08-040709"', 'doi = "https://doi.org/10.1182/x"',
     "citations.toml: citation 'schurgers2007': field 'doi': 'https://doi.org/10.1182/x' is not a DOI"),
    ("citations.toml", 'pmid = "15265851"', "pmid = 15265851",
     "citations.toml: citation 'habu2004': field 'pmid': must be text"),
    ("citations.toml", "year = 2007", "",
     "citations.toml: citation 'schurgers2007': field 'year': is missing"),
    ("foods.toml", 'citation = "schurgers2007"', 'citation = "nobody"',
     "foods.toml: food #1 ('Natto (fermented soybeans)'): field 'citation': citation 'nobody' "
     "does not exist"),
    ("foods.toml", "amount_mcg = 998.0", 'amount_mcg = "lots"',
     "foods.toml: food #1 ('Natto (fermented soybeans)'): field 'amount_mcg': must be a number"),
])
def test_each_mistake_names_file_snippet_and_field(good_library: Path, edit: Editor, file: str,
                                                    old: str, new: str, expected: str) -> None:
    edit(file, old, new)
    problems = problems_of(good_library)
    assert any(p.startswith(expected) for p in problems), problems


def test_duplicate_id_names_both_files(good_library: Path, edit: Editor) -> None:
    edit("unknowns.toml", 'id = "unknown-retired"', 'id = "dose-mk4-45"')
    problems = problems_of(good_library)
    assert any("snippet 'dose-mk4-45': field 'id': duplicate id" in p and "dosing.toml" in p
               and "unknowns.toml" in p for p in problems), problems


def test_toml_syntax_error_gives_the_line(good_library: Path, edit: Editor) -> None:
    edit("dosing.toml", "version = 1", "version = = 1")
    problems = problems_of(good_library)
    assert any(p.startswith("dosing.toml: TOML syntax error") and "line 3" in p for p in problems), problems


def test_all_problems_are_reported_together(good_library: Path, edit: Editor) -> None:
    edit("dosing.toml", 'study_type = "rct"', 'study_type = "trial"')
    edit("unknowns.toml", 'reason = "Superseded by a newer snippet."\n', "")
    edit("citations.toml", 'journal = "JAMA"', 'journal = "JAMA"\nimpact = 1')
    problems = problems_of(good_library)
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == ["citations.toml", "dosing.toml", "unknowns.toml"]
    assert "3 problems in the evidence library" in str(LibraryError(problems))


def test_missing_folder_and_files(tmp_path: Path) -> None:
    assert validate_folder(tmp_path / "nope") == [f"{tmp_path / 'nope'}: not a folder"]
    empty = tmp_path / "empty"
    empty.mkdir()
    problems = validate_folder(empty)
    assert any("no topic files" in p for p in problems)
    assert any(p.startswith("citations.toml: missing") for p in problems)


def test_unknown_top_level_key_in_a_topic_file(good_library: Path) -> None:
    with open(good_library / "dosing.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[extra]\nx = 1\n')
    assert any(p.startswith("dosing.toml: unknown key 'extra'") for p in problems_of(good_library))


def test_control_character_in_patient_text_is_refused(good_library: Path, edit: Editor) -> None:
    edit("dosing.toml", "That is far more", "That is\\u202e far more")
    problems = problems_of(good_library)
    assert any("field 'text.en'" in p and "control character" in p for p in problems), problems
