"""Library service: effective status, vet/reject/retire with audit, review dates, usable snippets.

Runs against a copy of tests/library/data/good standing in for the shipped library.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from k2desk.domain.evidence import SnippetStatus, StatusSource
from k2desk.services import library as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound

FIXTURE_LIBRARY = Path(__file__).parent.parent / "library" / "data" / "good"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "shipped-evidence"
    shutil.copytree(FIXTURE_LIBRARY, dest)
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", dest)
    return dest


def table_rows(ctx: AppContext, table: str) -> list[tuple[object, ...]]:
    return ctx.store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def labels(ctx: AppContext, **kw: object) -> dict[str, str]:
    return {v.id: v.state.label for v in svc.list_snippets(ctx, today=TODAY, **kw)}  # type: ignore[arg-type]


def test_list_shows_effective_status(ctx: AppContext, evidence_dir: Path) -> None:
    assert labels(ctx) == {
        "what-k2-forms": "vetted", "liver-hcc-habu-2004": "vetted", "liver-old-review": "expired",
        "liver-draft": "draft", "liver-hr-0044": "rejected", "dose-mk4-45": "vetted",
        "unknown-retired": "retired"}
    assert list(labels(ctx, topic="liver-cancer", status="vetted")) == ["liver-hcc-habu-2004"]
    assert list(labels(ctx, topic="unknowns")) == ["liver-draft", "unknown-retired"]
    assert list(labels(ctx, status="expired")) == ["liver-old-review"]


def test_list_refuses_unknown_topic_and_status(ctx: AppContext, evidence_dir: Path) -> None:
    with pytest.raises(InputRefused) as info:
        svc.list_snippets(ctx, topic="astrology", status="approved")
    assert [i.field for i in info.value.issues] == ["topic", "status"]
    assert "liver-cancer" in info.value.issues[0].message
    assert "expired" in info.value.issues[1].message


def test_show_resolves_citations(ctx: AppContext, evidence_dir: Path) -> None:
    v = svc.show(ctx, "liver-hcc-habu-2004", today=TODAY)
    assert v.citations[0].pmid == "15265851"
    assert v.snippet.evidence_label == "A clinical trial in people"
    assert 0 < v.reading_grade <= 8
    assert "shipped library" in v.why
    with pytest.raises(NotFound, match="no evidence snippet with id 'nope'"):
        svc.show(ctx, "nope")


def test_vet_stores_decision_with_audit_and_makes_it_usable(ctx: AppContext, evidence_dir: Path) -> None:
    with pytest.raises(InputRefused, match="draft"):
        svc.usable_snippets(ctx, ids=["liver-draft"], today=TODAY)
    d = svc.vet(ctx, "liver-draft", "Jane Doe RPh")
    assert (d.snippet_id, d.version, d.status, d.operator) == ("liver-draft", 1, SnippetStatus.VETTED,
                                                               "Jane Doe RPh")
    [snippet] = svc.usable_snippets(ctx, ids=["liver-draft"], today=d.day)
    assert snippet.id == "liver-draft"
    v = svc.show(ctx, "liver-draft", today=d.day)
    assert v.state.source is StatusSource.PHARMACY and "Jane Doe RPh" in v.why
    events = ctx.store.conn.execute(
        "SELECT operator, action, entity, entity_id, details FROM audit_events").fetchall()
    assert events[-1][:4] == ("test-rph", "vetted", "snippet", "liver-draft")
    assert '"by":"Jane Doe RPh"' in events[-1][4]
    assert [h.status for h in svc.history(ctx, "liver-draft")] == [SnippetStatus.VETTED]


def test_reject_and_retire_need_a_reason_and_write_nothing_without(ctx: AppContext,
                                                                   evidence_dir: Path) -> None:
    for action in (svc.reject, svc.retire):
        with pytest.raises(InputRefused) as info:
            action(ctx, "liver-hcc-habu-2004", "Jane", "   ")
        assert [i.field for i in info.value.issues] == ["reason"]
    with pytest.raises(InputRefused) as info:
        svc.vet(ctx, "liver-draft", "")
    assert info.value.issues[0].field == "by"
    with pytest.raises(InputRefused):
        svc.vet(ctx, "liver-draft", "Jane\x1b[2J")
    with pytest.raises(NotFound):
        svc.reject(ctx, "no-such-snippet", "Jane", "a reason")
    assert table_rows(ctx, "snippet_state") == []
    assert table_rows(ctx, "audit_events") == []


def test_rejected_here_does_not_print(ctx: AppContext, evidence_dir: Path) -> None:
    svc.reject(ctx, "liver-hcc-habu-2004", "Jane", "Trial too small for our patients")
    with pytest.raises(InputRefused) as info:
        svc.usable_snippets(ctx, ids=["what-k2-forms", "liver-hcc-habu-2004", "nope"], today=TODAY)
    fields = {i.field: i for i in info.value.issues}
    assert fields["snippet liver-hcc-habu-2004"].code == "rejected"
    assert "Trial too small" in fields["snippet liver-hcc-habu-2004"].message
    assert fields["snippet nope"].code == "unknown"
    assert "snippet what-k2-forms" not in fields
    svc.retire(ctx, "what-k2-forms", "Jane", "We stopped using it")
    assert labels(ctx)["what-k2-forms"] == "retired"


def test_cannot_vet_a_snippet_without_a_traceable_source(ctx: AppContext, evidence_dir: Path) -> None:
    with pytest.raises(InputRefused) as info:
        svc.vet(ctx, "liver-hr-0044", "Jane")
    assert info.value.issues[0].field == "citations"
    assert table_rows(ctx, "snippet_state") == []


def test_new_shipped_version_needs_vetting_again(ctx: AppContext, evidence_dir: Path) -> None:
    svc.vet(ctx, "liver-draft", "Jane")
    path = evidence_dir / "liver-cancer.toml"
    text = path.read_text()
    path.write_text(text.replace('id = "liver-draft"\nversion = 1', 'id = "liver-draft"\nversion = 2'))
    v = svc.show(ctx, "liver-draft", today=TODAY)
    assert v.state.status is SnippetStatus.DRAFT
    assert v.state.source is StatusSource.NEEDS_REVETTING
    assert "needs vetting again" in v.why
    with pytest.raises(InputRefused, match="draft"):
        svc.usable_snippets(ctx, ids=["liver-draft"], today=TODAY)
    svc.vet(ctx, "liver-draft", "Jane")
    assert svc.show(ctx, "liver-draft").state.usable


def test_expired_snippet_is_refused_until_vetted_again(ctx: AppContext, evidence_dir: Path) -> None:
    with pytest.raises(InputRefused) as info:
        svc.usable_snippets(ctx, ids=["liver-old-review"], today=TODAY)
    assert info.value.issues[0].code == "expired"
    assert "2020-01-10" in info.value.issues[0].message
    assert "liver-old-review" not in [s.id for s in svc.usable_snippets(ctx, today=TODAY)]
    svc.vet(ctx, "liver-old-review", "Jane")
    assert svc.usable_snippets(ctx, ids=["liver-old-review"])[0].id == "liver-old-review"


def test_usable_snippets_by_topic(ctx: AppContext, evidence_dir: Path) -> None:
    assert [s.id for s in svc.usable_snippets(ctx, today=TODAY)] == [
        "what-k2-forms", "liver-hcc-habu-2004", "dose-mk4-45"]
    assert [s.id for s in svc.usable_snippets(ctx, topics=["liver-cancer", "unknowns"], today=TODAY)] == [
        "liver-hcc-habu-2004"]
    # ids come back in the order asked for
    assert [s.id for s in svc.usable_snippets(ctx, ids=["dose-mk4-45", "what-k2-forms"], today=TODAY)] == [
        "dose-mk4-45", "what-k2-forms"]


def test_due_for_review(ctx: AppContext, evidence_dir: Path) -> None:
    assert [v.id for v in svc.due_for_review(ctx, 30, today=TODAY)] == ["liver-old-review"]
    late = dt.date(2098, 12, 20)
    assert [v.id for v in svc.due_for_review(ctx, 30, today=late)] == [
        "liver-old-review", "dose-mk4-45", "liver-hcc-habu-2004", "what-k2-forms"]
    with pytest.raises(InputRefused):
        svc.due_for_review(ctx, -1)


def test_dose_limits_and_foods(ctx: AppContext, evidence_dir: Path) -> None:
    [limit] = svc.dose_limits(ctx, today=TODAY)
    assert (limit.ingredient, limit.max_daily, limit.unit) == ("MK-4", 45.0, "mg")
    svc.retire(ctx, "dose-mk4-45", "Jane", "replaced")
    assert svc.dose_limits(ctx, today=TODAY) == []
    assert [f.food for f in svc.foods(ctx)] == ["Natto (fermented soybeans)"]


def test_validate(evidence_dir: Path, tmp_path: Path) -> None:
    assert svc.validate() == []
    (evidence_dir / "dosing.toml").write_text("[[snippet]]\nid = 'x'\n")
    problems = svc.validate(evidence_dir)
    assert any(p.startswith("dosing.toml: snippet 'x': field 'version': is missing") for p in problems)


def test_citations_for_numbers_each_source_once(ctx: AppContext, evidence_dir: Path) -> None:
    chosen = svc.usable_snippets(ctx, ids=["liver-hcc-habu-2004", "what-k2-forms", "dose-mk4-45"],
                                 today=TODAY)
    assert [c.id for c in svc.citations_for(ctx, chosen)] == ["habu2004", "schurgers2007"]


def test_export_to_a_missing_folder_fails_cleanly(ctx: AppContext, evidence_dir: Path,
                                                  tmp_path: Path) -> None:
    from k2desk.services.errors import InputRefused

    with pytest.raises(InputRefused, match="does not exist"):  # checked before anything is written
        svc.export(ctx, tmp_path / "no-such-folder" / "lib.json")
