"""The medication corpus: every string as a person types it, with the finding it must give.

Zero misses (a VKA spelling that gives no major finding) and zero false findings (an unrelated
drug that gives anything) are the release bar for the shipped interaction table.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from k2desk.domain.interactions import (
    Certainty,
    InteractionSeverity,
    check_medication,
    check_medications,
)
from k2desk.library.interactions import load_interaction_table

CORPUS = Path(__file__).parent / "data" / "medication_corpus.csv"
BLIND_MARK = "# --- written blind"


def _read() -> list[dict[str, str]]:
    """Corpus rows, each with ``blind`` = "yes" when it is under the written-blind comment."""
    rows: list[dict[str, str]] = []
    blind = False
    with open(CORPUS, encoding="utf-8", newline="") as fh:
        lines = []
        for line in fh:
            if line.startswith(BLIND_MARK):
                blind = True
            if line.startswith("#"):
                continue
            lines.append(line if not blind else line.rstrip("\r\n") + "\x1fblind\n")
    for r in csv.DictReader(lines):
        note = r.get("note") or ""
        r["blind"] = "yes" if note.endswith("\x1fblind") else "no"
        r["note"] = note.removesuffix("\x1fblind")
        rows.append(r)
    return rows


RECORDS = _read()


def _rows() -> list[tuple[str, frozenset[str]]]:
    return [(r["medication"], frozenset(e for e in r["expected"].split(";") if e)) for r in RECORDS]


ROWS = _rows()
TABLE = load_interaction_table()


def _got(med: str) -> frozenset[str]:
    return frozenset(f"{f.agent}|{f.severity.value}|{f.certainty.value}"
                     for f in check_medication(med, TABLE))


# Issue #11: at least this many lines of each kind.
CATEGORY_MINIMUMS = {"brand": 60, "misspelling": 40, "language": 30, "spaced": 30,
                     "combination": 40, "negation": 20, "doac": 40, "lookalike": 60, "unnamed": 20,
                     "hostile": 20}


def test_corpus_meets_the_issue_minimums_with_100_lines_written_blind() -> None:
    assert len(RECORDS) >= 400
    counts = {c: sum(1 for r in RECORDS if r["category"] == c) for c in CATEGORY_MINIMUMS}
    assert {c: n for c, n in counts.items() if n < CATEGORY_MINIMUMS[c]} == {}, counts
    countries = {r["note"].split("country=", 1)[1].strip() for r in RECORDS
                 if r["category"] == "brand" and "country=" in r["note"]}
    assert len(countries) >= 30, sorted(countries)
    blind = [r for r in RECORDS if r["blind"] == "yes"]
    assert len(blind) >= 100
    assert all(r["note"].startswith("blind: vka=") for r in blind)


def test_blind_lines_get_the_vka_answer_their_writer_expected() -> None:
    """The blind writer said yes/no (and which VKA) without seeing the table: the check agrees."""
    wrong = []
    for r in RECORDS:
        if r["blind"] != "yes":
            continue
        said = dict(p.split("=", 1) for p in r["note"].split(";", 1)[0][len("blind: "):].split())
        majors = [f for f in check_medication(r["medication"], TABLE)
                  if f.severity is InteractionSeverity.MAJOR]
        ok = bool(majors) == (said["vka"] == "yes")
        if ok and said["vka"] == "yes" and said["agent"] not in ("-", "unnamed"):
            ok = any(f.agent == said["agent"] for f in majors)
        if not ok:
            wrong.append((r["medication"], said, [f.agent for f in majors]))
    assert wrong == []


def test_corpus_is_big_and_covers_every_agent_class() -> None:
    assert len(ROWS) >= 400
    expected_agents = {e.split("|")[0] for _, exp in ROWS for e in exp}
    classes_hit = {a.drug_class for a in TABLE.agents if a.generic in expected_agents}
    assert classes_hit == {a.drug_class for a in TABLE.agents}
    # every VKA in the table is in the corpus, under its generic and under each brand
    for agent in TABLE.agents:
        if agent.severity is InteractionSeverity.MAJOR:
            assert agent.generic in expected_agents
    assert sum(1 for _, exp in ROWS if not exp) >= 40
    assert sum(1 for _, exp in ROWS if any(e.endswith("|major|exact") for e in exp)) >= 60
    assert sum(1 for _, exp in ROWS if any(e.endswith("|major|possible") for e in exp)) >= 15


def test_corpus_zero_misses_zero_false_findings() -> None:
    wrong = [(med, sorted(exp), sorted(_got(med))) for med, exp in ROWS if _got(med) != exp]
    assert wrong == []


def test_no_vka_is_missed_and_no_unrelated_drug_is_major() -> None:
    misses = [med for med, exp in ROWS
              if any("|major|" in e for e in exp)
              and not any(f.severity is InteractionSeverity.MAJOR for f in check_medication(med, TABLE))]
    false_majors = [med for med, exp in ROWS
                    if not any("|major|" in e for e in exp)
                    and any(f.severity is InteractionSeverity.MAJOR for f in check_medication(med, TABLE))]
    assert misses == []
    assert false_majors == []


@pytest.mark.parametrize("agent", [a for a in TABLE.agents if a.severity is InteractionSeverity.MAJOR],
                         ids=lambda a: a.generic)
def test_every_major_name_in_the_table_is_found_exactly_with_dose_and_noise(agent: object) -> None:
    from k2desk.domain.interactions import Agent

    assert isinstance(agent, Agent)
    for name in agent.names:
        for typed in (name, name.upper(), f"{name} 5 mg daily", f"{name.lower()} 2.5mg tab.",
                      f"takes {name} (sodium) every evening!"):
            findings = check_medications([typed], TABLE)
            assert [(f.agent, f.severity, f.certainty) for f in findings] == [
                (agent.generic, InteractionSeverity.MAJOR, Certainty.EXACT)], typed


def test_whole_list_gives_one_finding_per_string_and_agent_sorted() -> None:
    meds = [med for med, _ in ROWS]
    findings = check_medications(meds, TABLE)
    expected = sum(len(exp) for med, exp in dict(ROWS).items())
    assert len(findings) == expected
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks)


def test_hundreds_of_common_unrelated_drugs_give_nothing() -> None:
    text = (Path(__file__).parent / "data" / "common_unrelated_drugs.txt").read_text(encoding="utf-8")
    names = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    assert len(names) >= 400
    noisy = {n: [(f.agent, f.certainty.value) for f in check_medication(n, TABLE)] for n in names}
    assert {n: f for n, f in noisy.items() if f} == {}
