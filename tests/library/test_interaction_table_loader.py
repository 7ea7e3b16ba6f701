"""Loading interactions.toml: the shipped table loads; every kind of mistake is refused by name."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from k2desk.domain.evidence import reading_grade
from k2desk.domain.interactions import InteractionSeverity
from k2desk.library.interactions import (
    InteractionTableError,
    load_interaction_table,
)
from k2desk.resources import resource_path

SHIPPED = resource_path("interactions.toml")

MINIMAL = '''
version = 3
reviewed = 2026-11-22

[citations.c1]
text = "A source."
doi = "10.1111/jth.12203"

[classes.vka]
label = "VKA"
severity = "major"
citations = ["c1"]
patient_message = "Talk to your clinic."
pharmacist_message = "Check the INR in 1-2 weeks."

[[agents]]
generic = "warfarin"
class = "vka"
brands = ["Coumadin"]
reviewed = 2026-11-22
'''


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "interactions.toml"
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InteractionTableError) as info:
        load_interaction_table(write(tmp_path, text))
    return info.value.problems


def test_shipped_table_loads_with_version_and_review_date() -> None:
    table = load_interaction_table()
    assert table.version >= 1
    assert table.reviewed.year >= 2026
    assert load_interaction_table() is table  # cached
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    assert list(raw)[:2] == ["version", "reviewed"]  # versioned at the top of the file


def test_shipped_table_covers_every_row_of_the_domain_table() -> None:
    table = load_interaction_table()
    by_class: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for a in table.agents:
        by_class.setdefault(a.drug_class, set()).add(a.generic)
        for n in a.names:
            names[n.casefold()] = a.generic
    required = {
        "warfarin": ["coumadin", "jantoven", "marevan", "waran", "warfarin sodium"],
        "acenocoumarol": ["sintrom", "nicoumalone"],
        "phenprocoumon": ["marcumar", "marcoumar", "falithrom"],
        "dicoumarol": ["dicumarol"], "tioclomarol": [], "fluindione": ["previscan"],
        "phenindione": ["dindevan"], "anisindione": [], "apixaban": ["eliquis"],
        "rivaroxaban": ["xarelto"], "dabigatran": ["pradaxa"], "edoxaban": ["savaysa", "lixiana"],
        "orlistat": ["xenical", "alli"], "olestra": [], "cholestyramine": ["questran"],
        "colestipol": ["colestid"], "colesevelam": ["welchol"], "mineral oil": [],
        "vitamin E": [], "vitamin A": [], "cefotetan": [], "cefoperazone": [], "cefamandole": [],
        "cefmetazole": [], "phenytoin": [], "carbamazepine": [], "phenobarbital": [],
        "rifampin": ["rifampicin"], "isoniazid": [], "amoxicillin": [], "ciprofloxacin": [],
    }
    for generic, others in required.items():
        agent = table.agent(generic)
        assert agent is not None, generic
        for n in others:
            assert names[n] == generic
    major = {a.generic for a in table.agents if a.severity is InteractionSeverity.MAJOR}
    assert {"warfarin", "acenocoumarol", "phenprocoumon", "dicoumarol", "tioclomarol", "fluindione",
            "phenindione", "anisindione"} <= major
    assert all(table.agent(g).severity is InteractionSeverity.INFO  # type: ignore[union-attr]
               for g in ("apixaban", "rivaroxaban", "dabigatran", "edoxaban"))
    assert {table.agent(g).severity for g in ("phenytoin", "rifampin", "isoniazid")} == {  # type: ignore[union-attr]
        InteractionSeverity.MINOR}
    assert len(by_class["gut-flora-antibiotic"]) >= 10
    assert by_class["gut-flora-nmtt"] >= {"cefotetan", "cefoperazone", "cefamandole", "cefmetazole"}


def test_every_agent_has_plain_patient_text_cited_management_and_review_date() -> None:
    table = load_interaction_table()
    cited = {c.id for c in table.citations}
    for a in table.agents:
        assert reading_grade(a.patient_message) <= 8.0, a.generic
        assert a.citations and set(a.citations) <= cited
        assert a.reviewed <= table.reviewed
        if a.drug_class == "rodenticide-vka":
            # rodenticide poisoning treated with vitamin K1: its own advice, not the warfarin one
            pm = a.pharmacist_message
            assert "K1" in pm and "months" in pm and "INR" in pm and "poison centre" in pm
            assert "superwarfarin_review" in a.citations
            assert "K1" in a.patient_message and "rat poison" in a.patient_message
        elif a.severity is InteractionSeverity.MAJOR:
            pm = a.pharmacist_message
            assert "1-2 weeks" in pm and "INR" in pm
            assert re.search(r"[Ss]topping", pm) and re.search(r"start", pm)
            assert "anticoagulation clinic" in pm
            assert "theuwissen2013" in a.citations and "schurgers2007" in a.citations
        if a.drug_class == "doac":
            assert "no vitamin K mechanism" in a.pharmacist_message
            assert "every supplement" in a.pharmacist_message
    doi = {c.id: c.doi for c in table.citations}
    assert doi["theuwissen2013"] == "10.1111/jth.12203"
    assert doi["schurgers2007"] == "10.1182/blood-2006-08-040709"
    assert table.citation("ods_vitamin_k").url.startswith("https://ods.od.nih.gov/")  # type: ignore[union-attr]


def test_minimal_table_loads(tmp_path: Path) -> None:
    table = load_interaction_table(write(tmp_path, MINIMAL))
    assert table.version == 3
    [agent] = table.agents
    assert agent.patient_message == "Talk to your clinic."  # inherited from its class
    assert agent.severity is InteractionSeverity.MAJOR


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('brands = ["Coumadin"]', 'brands = ["Coumadin"]\ncolour = "red"'),
     "agent 'warfarin': field 'colour': unknown key"),
    (lambda t: t + '\n[[agents]]\ngeneric = "x"\nclass = "vka"\nseverity = "severe"\nreviewed = 2026-11-22\n',
     "agent 'x': field 'severity': 'severe' is not a severity (accepted: major, moderate, minor, info)"),
    (lambda t: t + '\n[[agents]]\ngeneric = "acenocoumarol"\nclass = "vka"\nbrands = ["COUMADIN"]\n'
     'reviewed = 2026-11-22\n',
     "agent 'acenocoumarol': name 'COUMADIN' is also a name of agent 'warfarin'"),
    (lambda t: t + '\n[[agents]]\ngeneric = "Warfarin Sodium"\nclass = "vka"\nreviewed = 2026-11-22\n',
     "name 'Warfarin Sodium' is also a name of agent 'warfarin'"),
    (lambda t: t.replace('patient_message = "Talk to your clinic."\n', ''),
     "class 'vka': field 'patient_message': is missing"),
    (lambda t: t.replace('pharmacist_message = "Check the INR in 1-2 weeks."', 'pharmacist_message = "  "'),
     "class 'vka': field 'pharmacist_message': must not be empty"),
    (lambda t: t.replace('citations = ["c1"]', 'citations = ["nobody2020"]'),
     "class 'vka': field 'citations': cites 'nobody2020', which is not in [citations]"),
    (lambda t: t.replace('class = "vka"', 'class = "vkaa"'),
     "agent 'warfarin': field 'class': 'vkaa' is not in [classes]"),
    (lambda t: t.replace('reviewed = 2026-11-22\n\n[citations', 'reviewed = "yesterday"\n\n[citations'),
     "field 'reviewed': must be a TOML date"),
    (lambda t: t.replace('version = 3', 'version = "three"'), "field 'version': must be a whole number"),
    (lambda t: t.replace('doi = "10.1111/jth.12203"', 'doi = "jth.12203"'),
     "citation 'c1': field 'doi': 'jth.12203' is not a DOI"),
    (lambda t: t.replace("version = 3", 'version = 3\nnot_near_misses = ["warfarine", "two words"]'),
     "field 'not_near_misses': 'two words' must be one word"),
    (lambda t: t + 'fallback = "yes"\n', "agent 'warfarin': field 'fallback': must be true or false"),
    (lambda t: t + '[agents.dose_rule]\nthresholds = { iu = 800, grains = 2 }\nat_or_above = "moderate"\n'
     'below = "minor"\nunknown = "moderate"\n', "dose_rule: field 'thresholds': unit 'grains'"),
])
def test_mistakes_are_refused_naming_file_entry_and_field(tmp_path: Path, change, expected: str) -> None:
    found = problems(tmp_path, change(MINIMAL))
    assert any(expected in p for p in found), found
    assert all(str(tmp_path / "interactions.toml") in p for p in found)


def test_a_misspelling_near_a_major_name_cannot_be_exempted(tmp_path: Path) -> None:
    text = MINIMAL.replace("version = 3", 'version = 3\nnot_near_misses = ["Coumadine", "Haldol"]')
    found = problems(tmp_path, text)
    assert found == [f"{tmp_path / 'interactions.toml'}: field 'not_near_misses': 'Coumadine' is within 2 "
                     "letters of a name of major agent 'warfarin'; it must stay a possible match"]


def test_broken_toml_and_missing_file_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "version = = 1")
    assert "is not valid TOML" in found[0]
    with pytest.raises(InteractionTableError) as info:
        load_interaction_table(tmp_path / "missing.toml")
    assert "cannot be read" in str(info.value)


def test_error_message_lists_every_problem(tmp_path: Path) -> None:
    text = MINIMAL.replace('severity = "major"', 'severity = "big"').replace('version = 3', 'version = 0')
    with pytest.raises(InteractionTableError) as info:
        load_interaction_table(write(tmp_path, text))
    msg = str(info.value)
    assert "refused (2 problem(s))" in msg
    assert "'big' is not a severity" in msg and "field 'version'" in msg


# --- issue #11: where names were checked, verified flags, word lists -------------------------

def test_every_major_agent_says_where_its_names_were_checked() -> None:
    table = load_interaction_table()
    for a in table.agents:
        if a.severity is InteractionSeverity.MAJOR and not a.fallback:
            assert len(a.checked) > 20, a.generic
            if not a.verified:
                assert a.unverified_reason, a.generic
            for name, reason in a.unverified_names:
                assert reason and name in a.names, (a.generic, name)
    generics = {a.generic for a in table.agents}
    # every ATC B01AA agent, anisindione and the anticoagulant rodenticides
    assert {"dicoumarol", "phenindione", "warfarin", "phenprocoumon", "acenocoumarol",
            "ethyl biscoumacetate", "clorindione", "diphenadione", "tioclomarol", "fluindione",
            "anisindione", "brodifacoum", "bromadiolone", "difenacoum", "difethialone",
            "chlorophacinone", "diphacinone"} <= generics


def test_verified_fields_and_word_lists_load(tmp_path: Path) -> None:
    text = MINIMAL.replace('brands = ["Coumadin"]', '''brands = ["Coumadin"]
checked = "label read"
unverified = [{ name = "Kovar", reason = "shop page only" }]''') + '''
[[agents]]
generic = "clorindione"
class = "vka"
verified = false
reason = "not found"
reviewed = 2026-11-22
'''
    text = text.replace("version = 3", 'version = 3\nenglish_words = "en.txt"\ncommon_drugs = "us.txt"')
    (tmp_path / "en.txt").write_text("# words\nintro\ncoumadin\n", encoding="utf-8")
    (tmp_path / "us.txt").write_text("Synthroid\n", encoding="utf-8")
    table = load_interaction_table(write(tmp_path, text))
    w = table.agent("warfarin")
    assert w is not None and w.checked == "label read"
    assert w.unverified_names == (("Kovar", "shop page only"),)
    assert w.name_verified("Coumadin") and not w.name_verified("Kovar")
    c = table.agent("clorindione")
    assert c is not None and not c.verified and c.unverified_reason == "not found"
    assert table.english_words == {"intro"}  # a table name is never on the word list
    assert table.common_drugs == {"synthroid"}
    from k2desk.library.interactions import unverified_entries
    assert unverified_entries(table) == [
        "agent 'warfarin' (major): name 'Kovar' unverified: shop page only",
        "agent 'clorindione' (major): unverified: not found",
        "agent 'clorindione' (major): no 'checked' source recorded for its names"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('brands = ["Coumadin"]', 'brands = ["Coumadin"]\nverified = false'),
     "agent 'warfarin': field 'reason': must not be empty"),
    (lambda t: t.replace('brands = ["Coumadin"]', 'brands = ["Coumadin"]\nunverified = ["Kovar"]'),
     "agent 'warfarin': unverified[1]: field 'unverified': must be a table"),
    (lambda t: t.replace('brands = ["Coumadin"]', 'brands = ["Coumadin"]\nreason = "x"'),
     "agent 'warfarin': field 'reason': is only for an agent with verified = false"),
    (lambda t: t.replace("version = 3", 'version = 3\ncommon_drugs = "missing.txt"'),
     "field 'common_drugs': "),
    (lambda t: t.replace("version = 3", 'version = 3\ncommon_drugs = "../x.txt"'),
     "field 'common_drugs': must be the name of a text file beside the table"),
])
def test_issue_11_fields_are_checked(tmp_path: Path, change: object, expected: str) -> None:
    assert callable(change)
    found = problems(tmp_path, change(MINIMAL))
    assert any(expected in p for p in found), found


def test_a_common_drug_near_a_vka_name_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("version = 3", 'version = 3\ncommon_drugs = "us.txt"')
    (tmp_path / "us.txt").write_text("Coumadix\nSynthroid\n", encoding="utf-8")
    found = problems(tmp_path, text)
    assert any("'coumadix' in us.txt is within 2 letters of the major name 'coumadin'" in p
               for p in found), found
