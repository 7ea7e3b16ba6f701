"""Attack tests for issue #11 (written by an attacker who had not read the table or the matcher
first): a possible match that hides the unnamed blood thinner, OCR digits inside a name, VKA class
words, missed brands, an ordinary food word taken for warfarin. Plus attacks it withstood."""

from __future__ import annotations

import json

import pytest

from k2desk.cli import main as cli_main
from k2desk.domain.interactions import check_medications, needs_acknowledgement
from k2desk.library.interactions import load_interaction_table
from k2desk.ui.widgets.findings_banner import FindingsBanner

TABLE = load_interaction_table()


def _agents(line: str) -> dict[str, tuple[str, str]]:
    return {f.agent: (f.severity.value, f.certainty.value) for f in check_medications([line], TABLE)}


@pytest.mark.parametrize("line", [
    "Eliqis (blood thinner)",          # a misspelt DOAC (info) replaced the major unnamed warning
    "Xarelo blood thinner",
    "Lovenix anticoagulant",
    "Margarine, blood thinner",        # a guessed warfarin replaced it: confirm "not warfarin" -> gone
    "coumarin-type anticoagulant",
])
def test_a_possible_match_never_replaces_the_unnamed_blood_thinner(line: str) -> None:
    found = _agents(line)
    assert found.get("unnamed blood thinner") == ("major", "exact"), found
    assert needs_acknowledgement(check_medications([line], TABLE))


def test_an_exact_doac_still_explains_the_words() -> None:
    assert "unnamed blood thinner" not in _agents("Eliquis (blood thinner)")
    assert "unnamed blood thinner" not in _agents("Lovenox (anticoagulant)")


@pytest.mark.parametrize(("line", "agent"), [
    ("warfar1n", "warfarin"), ("w4rfarin 5mg", "warfarin"), ("c0umadin", "warfarin"),
    ("S1ntrom 4 mg", "acenocoumarol"), ("Marcum4r", "phenprocoumon"),
])
def test_ocr_digits_inside_a_name_still_find_the_vka(line: str, agent: str) -> None:
    found = _agents(line)
    assert found.get(agent, ("", ""))[0] == "major", found
    [f] = [f for f in check_medications([line], TABLE) if f.agent == agent]
    assert "possible match — confirm" in f.note


@pytest.mark.parametrize("line", ["vitamin K antagonist", "VKA", "on a VKA for AF",
                                  "Vitamin-K-Antagonist"])
def test_vka_class_words_are_an_unnamed_blood_thinner(line: str) -> None:
    assert _agents(line).get("unnamed blood thinner") == ("major", "exact")


@pytest.mark.parametrize(("line", "agent"), [
    ("Синкумар 4 мг", "acenocoumarol"),   # Russian brand of acenocoumarol (Sincumar)
    ("Sincumar 2 mg", "acenocoumarol"),
    ("Phenpro AbZ 3 mg", "phenprocoumon"),  # German generic brand family Phenpro-...
])
def test_missed_brands_are_major_exact(line: str, agent: str) -> None:
    assert _agents(line).get(agent) == ("major", "exact"), _agents(line)


@pytest.mark.parametrize("line", ["Margarine", "margarine 1 tbsp"])
def test_an_ordinary_food_word_is_not_a_possible_warfarin(line: str) -> None:
    assert not any(s == "major" for s, _ in _agents(line).values()), _agents(line)


# --- withstood ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "agent"), [
    ("W-A-R-F-A-R-I-N 5 mg", "warfarin"), ("war\u200bfarin", "warfarin"),
    ("w\u00e0rfarin", "warfarin"), ("\u202ewarfarin", "warfarin"), ("\ufeffwarfarin", "warfarin"),
    ("ＣＯＵＭＡＤＩＮ", "warfarin"), ("華法林", "warfarin"), ("Fortonol 4 mg", "acenocoumarol"),
    ("Préviscan 20 mg", "fluindione"), ("denies warfarin", "warfarin"),
])
def test_withstood_noise_scripts_brands(line: str, agent: str) -> None:
    assert _agents(line).get(agent, ("", ""))[0] == "major"


@pytest.mark.parametrize("line", ["Sinequan 25 mg", "Sinthroid 50mcg", "Marinol", "Jardiance",
                                  "warfare game", "farina cereal", "Plavix 75", "intro", "anti"])
def test_withstood_no_false_major(line: str) -> None:
    assert not any(s == "major" for s, _ in _agents(line).values())


def test_cli_json_shows_the_unnamed_warning_beside_a_misspelt_doac(tmp_path, capsys) -> None:
    rc = cli_main(["--data-dir", str(tmp_path / "d"), "interactions", "check", "--json",
                   "Eliqis (blood thinner)"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    majors = [f for f in out["findings"] if f["severity"] == "major"]
    assert [f["agent"] for f in majors] == ["unnamed blood thinner"]
    assert isinstance(out["table_version"], int) and all("verified" in f for f in out["findings"])


def test_window_banner_keeps_the_unnamed_warning(qtbot) -> None:
    banner = FindingsBanner()
    qtbot.addWidget(banner)
    banner.show_findings(check_medications(["Xarelo blood thinner", "c0umadin"], TABLE))
    text = banner.label.text()
    assert text.count("MAJOR:") == 2 and "unnamed blood thinner" in text
    assert "possible match — confirm" in text


@pytest.mark.parametrize("line", ["Eliquis per Dr. Baran", "per Dr. Haran", "Dr. Kovac",
                                  "refills by Doctor Jantzen", "Lipitor (Dr. Marvan)"])
def test_a_prescriber_surname_is_not_a_possible_warfarin(line: str) -> None:
    assert not any(s == "major" for s, _ in _agents(line).values()), _agents(line)


@pytest.mark.parametrize(("line", "agent"), [("Dr. Smith: Warfrin 5 mg", "warfarin"),
                                             ("per Dr. Baran, Coumadin 5", "warfarin"),
                                             ("Dr. Marevan", "warfarin")])
def test_a_vka_beside_a_prescriber_name_still_counts(line: str, agent: str) -> None:
    assert _agents(line).get(agent, ("", ""))[0] == "major", _agents(line)


@pytest.mark.parametrize("line", ["rat poison (superwarfarin) ingestion", "d-CON rat poison exposure",
                                  "superwarfarin poisoning 2023", "rodenticide exposure"])
def test_a_rodenticide_poisoning_without_the_compound_is_major(line: str) -> None:
    [f] = [f for f in check_medications([line], TABLE) if f.severity.value == "major"]
    assert f.drug_class == "rodenticide-vka"
