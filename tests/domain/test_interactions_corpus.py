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


def _rows() -> list[tuple[str, frozenset[str]]]:
    with open(CORPUS, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [(r["medication"], frozenset(e for e in r["expected"].split(";") if e))
            for r in csv.DictReader(lines)]


ROWS = _rows()
TABLE = load_interaction_table()


def _got(med: str) -> frozenset[str]:
    return frozenset(f"{f.agent}|{f.severity.value}|{f.certainty.value}"
                     for f in check_medication(med, TABLE))


def test_corpus_is_big_and_covers_every_agent_class() -> None:
    assert len(ROWS) >= 180
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
