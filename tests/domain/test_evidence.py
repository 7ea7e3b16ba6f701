"""Evidence domain: labels, citation format, effective status rules, reading grade, content hash."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from k2desk.domain.evidence import (
    SECTION_QUESTIONS,
    STUDY_LABELS,
    Citation,
    DoseLimit,
    FoodSource,
    LocalDecision,
    OutcomeKind,
    Section,
    Snippet,
    SnippetStatus,
    StatusSource,
    StudyType,
    content_hash,
    effective_status,
    is_usable,
    reading_grade,
    snippet_state,
)

TODAY = dt.date(2026, 11, 22)


def make_snippet(**kw: object) -> Snippet:
    base: dict[str, object] = dict(
        id="bone-demo", version=2, topics=("bone",), section=Section.STUDIES,
        study_type=StudyType.RCT, outcome=OutcomeKind.LAB_MARKER,
        text={"en": "A short text."}, pharmacist_note="note", citations=("habu2004",),
        status=SnippetStatus.VETTED, vetted_by="ed", vetted_on=dt.date(2026, 1, 1),
        review_due=dt.date(2027, 1, 1), source_file="bone.toml",
    )
    base.update(kw)
    return Snippet(**base)  # type: ignore[arg-type]


def decision(status: SnippetStatus, version: int = 2, at: str = "2026-11-01T10:00:00+00:00",
             reason: str = "") -> LocalDecision:
    return LocalDecision("bone-demo", version, status, "Jane RPh", at, reason)


def test_enum_values_and_labels_match_the_schema() -> None:
    assert [s.value for s in StudyType] == ["meta-analysis", "rct", "observational", "case-series",
                                            "case-report",
                                            "animal", "in-vitro", "expert-opinion"]
    assert [o.value for o in OutcomeKind] == ["patient-outcome", "lab-marker", "mechanism"]
    assert [s.value for s in SnippetStatus] == ["draft", "vetted", "rejected", "retired"]
    assert Section.DOSE.question == "How much, and from what foods?"
    assert SECTION_QUESTIONS[Section.INTERACTIONS] == "Does it interact with my medicines?"
    assert STUDY_LABELS[StudyType.IN_VITRO] == "Lab (test-tube) studies only: not shown in people"
    assert STUDY_LABELS[StudyType.OBSERVATIONAL] == "Population studies: shows a link, not proof"
    assert set(STUDY_LABELS) == set(StudyType)


def test_citation_formatted_has_doi_and_pmid() -> None:
    c = Citation(id="habu2004", authors="Habu D, Shiomi S, Tamori A, et al.",
                 title="Role of vitamin K2 in the development of hepatocellular carcinoma",
                 journal="JAMA", year=2004, volume="292", issue="3", pages="358-361",
                 doi="10.1001/jama.292.3.358", pmid="15265851")
    assert c.formatted() == (
        "Habu D, Shiomi S, Tamori A, et al. Role of vitamin K2 in the development of "
        "hepatocellular carcinoma. JAMA. 2004;292(3):358-361. doi:10.1001/jama.292.3.358. "
        "PMID: 15265851.")
    assert c.traceable
    assert not dataclasses.replace(c, doi="", pmid="").traceable
    no_issue = dataclasses.replace(c, issue="", pmid="")
    assert "2004;292:358-361. doi:" in no_issue.formatted()


def test_shipped_status_counts_without_a_decision() -> None:
    s = make_snippet()
    state = snippet_state(s, None, TODAY)
    assert state.status is SnippetStatus.VETTED and state.source is StatusSource.SHIPPED
    assert is_usable(s, None, TODAY)
    assert not is_usable(make_snippet(status=SnippetStatus.DRAFT), None, TODAY)


def test_pharmacy_decision_on_current_version_wins() -> None:
    s = make_snippet()
    rej = decision(SnippetStatus.REJECTED, reason="overstated")
    assert effective_status(s, rej, TODAY) is SnippetStatus.REJECTED
    assert not is_usable(s, rej, TODAY)
    draft = make_snippet(status=SnippetStatus.DRAFT, review_due=None)
    vet = decision(SnippetStatus.VETTED)
    assert is_usable(draft, vet, TODAY)
    assert "Jane RPh" in snippet_state(draft, vet, TODAY).why(draft)


def test_new_shipped_version_needs_vetting_again() -> None:
    s = make_snippet(version=3)
    old_vet = decision(SnippetStatus.VETTED, version=2)
    state = snippet_state(s, old_vet, TODAY)
    assert state.status is SnippetStatus.DRAFT
    assert state.source is StatusSource.NEEDS_REVETTING
    assert not state.usable
    assert "needs vetting again" in state.why(s)
    # ...unless the library now ships it rejected or retired: that stands.
    retired = make_snippet(version=3, status=SnippetStatus.RETIRED, reason="superseded")
    assert effective_status(retired, old_vet, TODAY) is SnippetStatus.RETIRED


def test_expired_review_date_does_not_print() -> None:
    s = make_snippet(review_due=dt.date(2026, 11, 21))
    state = snippet_state(s, None, TODAY)
    assert state.status is SnippetStatus.VETTED and state.expired and state.label == "expired"
    assert not is_usable(s, None, TODAY)
    # the review day itself is still fine
    assert is_usable(make_snippet(review_due=TODAY), None, TODAY)
    # a pharmacy's own vetting renews it for a year from the decision
    renewed = decision(SnippetStatus.VETTED, at="2026-11-20T09:00:00+00:00")
    assert is_usable(s, renewed, TODAY)
    assert not is_usable(s, renewed, dt.date(2027, 11, 21))


def test_reading_grade_is_computed() -> None:
    easy = reading_grade("Vitamin K2 is a form of vitamin K. Your body uses it to build bones.")
    hard = reading_grade("Menatetrenone supplementation demonstrated statistically significant "
                         "reductions in hepatocellular carcinoma incidence among cirrhotic individuals.")
    assert easy < 8 < hard
    assert reading_grade("") == 0.0


def test_content_hash_ignores_vetting_metadata_but_not_content() -> None:
    s = make_snippet()
    h = content_hash(s)
    assert content_hash(dataclasses.replace(s, status=SnippetStatus.DRAFT, vetted_by="x",
                                            review_due=None, source_file="imported")) == h
    assert content_hash(dataclasses.replace(s, text={"en": "Other text."})) != h
    dose = DoseLimit("MK-4", ("menatetrenone",), 45.0, "mg", "bone-demo")
    assert content_hash(dataclasses.replace(s, dose=dose)) != h
    assert dose.names() == ("mk-4", "menatetrenone")


@pytest.mark.parametrize(("amount", "printed"), [(998.0, "about 998 mcg"), (4.5, "about 4.5 mcg"),
                                                 (5.0, "about 5 mcg")])
def test_food_row(amount: float, printed: str) -> None:
    row = FoodSource("Natto", "100 g", "MK-7", amount, "schurgers2007").to_row()
    assert row.amount == printed and row.form == "MK-7"
