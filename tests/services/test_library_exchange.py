"""Export and import of the evidence library between two pharmacies (two real databases)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from k2desk.domain.evidence import SnippetStatus, StatusSource
from k2desk.services import library as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused

FIXTURE_LIBRARY = Path(__file__).parent.parent / "library" / "data" / "good"


@pytest.fixture
def evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "shipped-evidence"
    shutil.copytree(FIXTURE_LIBRARY, dest)
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", dest)
    return dest


@pytest.fixture
def other(tmp_path: Path) -> Iterator[AppContext]:
    """A second pharmacy with its own database (same shipped library)."""
    with AppContext(tmp_path / "other-pharmacy", "other-rph") as c:
        yield c


def dump(ctx: AppContext) -> list[str]:
    return list(ctx.store.conn.iterdump())


def export_json(ctx: AppContext, path: Path) -> dict[str, Any]:
    svc.export(ctx, path)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def snippet(data: dict[str, Any], sid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["snippets"] if s["id"] == sid)
    return found


def test_export_carries_this_pharmacys_decisions(ctx: AppContext, evidence_dir: Path,
                                                 tmp_path: Path) -> None:
    svc.vet(ctx, "liver-draft", "Jane RPh")
    svc.reject(ctx, "what-k2-forms", "Jane RPh", "too vague")
    data = export_json(ctx, tmp_path / "lib.json")
    # Version 2 since issue 25 (translations); version 1 files still import (test below).
    assert data["format"] == "k2desk-evidence-library" and data["format_version"] == 2
    assert data["translations"] == []  # none shipped for this library
    assert len(data["snippets"]) == 7
    vetted = snippet(data, "liver-draft")
    assert (vetted["status"], vetted["vetted_by"]) == ("vetted", "Jane RPh")
    assert "review_due" in vetted
    assert (snippet(data, "what-k2-forms")["status"], snippet(data, "what-k2-forms")["reason"]) == (
        "rejected", "too vague")
    assert data["citations"]["habu2004"]["pmid"] == "15265851"
    actions = [r[0] for r in ctx.store.conn.execute("SELECT action FROM audit_events")]
    assert actions[-1] == "export"


def test_round_trip_into_the_same_library_changes_nothing(ctx: AppContext, other: AppContext,
                                                          evidence_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    export_json(ctx, path)
    before = dump(other)
    report = svc.import_file(other, path)
    assert len(report.unchanged) == 7 and not report.added and not report.updated
    assert dump(other) == before


def test_import_adds_new_snippets_as_drafts(ctx: AppContext, other: AppContext, evidence_dir: Path,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    # pharmacy B ships without the dosing file: dose-mk4-45 is new to it
    smaller = tmp_path / "smaller"
    shutil.copytree(evidence_dir, smaller)
    (smaller / "dosing.toml").unlink()
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", smaller)
    report = svc.import_file(other, write(tmp_path / "in.json", data))
    assert [i.id for i in report.added] == ["dose-mk4-45"]
    assert "added as draft" in report.added[0].note
    v = svc.show(other, "dose-mk4-45")
    assert v.imported and v.state.status is SnippetStatus.DRAFT
    assert v.snippet.dose is not None and v.snippet.dose.max_daily == 45.0
    assert "dosing" in svc.load(other).topics
    with pytest.raises(InputRefused, match="draft"):
        svc.usable_snippets(other, ids=["dose-mk4-45"])
    svc.vet(other, "dose-mk4-45", "Other RPh")
    assert svc.usable_snippets(other, ids=["dose-mk4-45"])[0].id == "dose-mk4-45"
    audit = other.store.conn.execute(
        "SELECT action, entity, details FROM audit_events WHERE action='import'").fetchall()
    assert len(audit) == 1 and '"added":["dose-mk4-45"]' in audit[0][2]


def test_higher_version_is_an_update_that_needs_vetting_again(ctx: AppContext, other: AppContext,
                                                              evidence_dir: Path, tmp_path: Path) -> None:
    svc.vet(other, "liver-draft", "Other RPh")
    data = export_json(ctx, tmp_path / "lib.json")
    s = snippet(data, "liver-draft")
    s["version"] = 2
    s["text"]["en"] = "Newer wording for the patient."
    report = svc.import_file(other, write(tmp_path / "in.json", data))
    [upd] = report.updated
    assert upd.id == "liver-draft" and upd.old_version == 1
    assert "needs vetting again" in upd.note and "Other RPh" in upd.note
    assert len(report.unchanged) == 6
    v = svc.show(other, "liver-draft")
    assert v.snippet.version == 2 and v.snippet.text["en"] == "Newer wording for the patient."
    assert v.state.source is StatusSource.NEEDS_REVETTING and not v.state.usable
    # importing the same file again: now unchanged
    again = svc.import_file(other, tmp_path / "in.json")
    assert [i.id for i in again.unchanged if i.id == "liver-draft"] == ["liver-draft"]


def test_lower_version_is_skipped_with_a_note(ctx: AppContext, other: AppContext, evidence_dir: Path,
                                              tmp_path: Path) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    snippet(data, "liver-hcc-habu-2004")["version"] = 1
    before = dump(other)
    report = svc.import_file(other, write(tmp_path / "in.json", data))
    [skip] = report.skipped
    assert skip.id == "liver-hcc-habu-2004"
    assert "the file has version 1; this pharmacy already has version 2" in skip.note
    assert dump(other) == before


def test_conflict_refuses_the_whole_import_and_changes_nothing(ctx: AppContext, other: AppContext,
                                                               evidence_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    snippet(data, "liver-hcc-habu-2004")["text"]["en"] = "Same version, different words."
    # a new snippet in the same file must not be added either
    new = dict(snippet(data, "liver-draft"), id="brand-new-snippet")
    data["snippets"].append(new)
    before = dump(other)
    with pytest.raises(InputRefused) as info:
        svc.import_file(other, write(tmp_path / "in.json", data))
    [issue] = info.value.issues
    assert issue.field == "snippet liver-hcc-habu-2004" and issue.code == "conflict"
    assert "Nothing was imported" in issue.message
    assert dump(other) == before
    assert "brand-new-snippet" not in svc.load(other).snippets


def test_citation_with_different_details_is_a_conflict(ctx: AppContext, other: AppContext,
                                                       evidence_dir: Path, tmp_path: Path) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    data["citations"]["habu2004"]["year"] = 2005
    before = dump(other)
    with pytest.raises(InputRefused) as info:
        svc.import_file(other, write(tmp_path / "in.json", data))
    assert info.value.issues[0].field == "snippet citation:habu2004"
    assert dump(other) == before


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d.__setitem__("format", "something-else"), "field 'format': not a k2desk evidence"),
    (lambda d: d["snippets"][0].__setitem__("study_type", "RCT"),
     "in.json: snippet 'what-k2-forms': field 'study_type': 'RCT' is not one of"),
    (lambda d: d["snippets"][0].__setitem__("shiny", True),
     "in.json: snippet 'what-k2-forms': field 'shiny': unknown key"),
    (lambda d: d["snippets"][0].__setitem__("citations", ["ghost2020"]),
     "in.json: snippet 'what-k2-forms': field 'citations': citation 'ghost2020' does not exist"),
    (lambda d: d["snippets"][0].__setitem__("review_due", "next year"),
     "in.json: snippet 'what-k2-forms': field 'review_due': must be a date written YYYY-MM-DD"),
    (lambda d: d["snippets"].append(dict(d["snippets"][0])),
     "in.json: snippet 'what-k2-forms': field 'id': appears more than once"),
])
def test_invalid_import_file_is_refused_naming_snippet_and_field(
        ctx: AppContext, evidence_dir: Path, tmp_path: Path, mutate: Any, expected: str) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    mutate(data)
    before = dump(ctx)
    with pytest.raises(InputRefused) as info:
        svc.import_file(ctx, write(tmp_path / "in.json", data))
    messages = [i.message for i in info.value.issues]
    assert any(expected in m for m in messages), messages
    assert dump(ctx) == before


def test_malformed_json_gives_a_clear_message(ctx: AppContext, evidence_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "k2desk-evidence-library",\n  "snippets": [}\n', encoding="utf-8")
    with pytest.raises(InputRefused) as info:
        svc.import_file(ctx, path)
    assert info.value.issues[0].message.startswith("broken.json: not valid JSON:")
    assert "line 2" in info.value.issues[0].message
    with pytest.raises(InputRefused, match="Cannot read"):
        svc.import_file(ctx, tmp_path / "missing.json")


def test_a_version_1_export_without_translations_still_imports(ctx: AppContext, evidence_dir: Path,
                                                               tmp_path: Path) -> None:
    data = export_json(ctx, tmp_path / "lib.json")
    data["format_version"] = 1
    del data["translations"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    plan = svc.import_file(ctx, old)
    assert plan.ok and len(plan.unchanged) == 7
