"""Snippet decisions and imported snippets in a real database, with the audit chain intact."""

from __future__ import annotations

from k2desk.domain.evidence import SnippetStatus
from k2desk.services.context import AppContext
from k2desk.storage import snippets as repo
from k2desk.storage.audit import verify_chain


def test_latest_decision_per_snippet_wins(ctx: AppContext) -> None:
    with ctx.store.write() as db:
        repo.record_decision(db, snippet_id="a", version=1, status=SnippetStatus.VETTED, by="Jane",
                             reason="", operator="test-rph")
        repo.record_decision(db, snippet_id="b", version=2, status=SnippetStatus.REJECTED, by="Joe",
                             reason="weak", operator="test-rph")
        repo.record_decision(db, snippet_id="a", version=1, status=SnippetStatus.RETIRED, by="Ann",
                             reason="old", operator="test-rph")
    latest = repo.latest_decisions(ctx.store.db)
    assert {k: (d.status, d.operator) for k, d in latest.items()} == {
        "a": (SnippetStatus.RETIRED, "Ann"), "b": (SnippetStatus.REJECTED, "Joe")}
    assert [d.status for d in repo.decision_history(ctx.store.db, "a")] == [
        SnippetStatus.VETTED, SnippetStatus.RETIRED]
    assert verify_chain(ctx.store.db) == (3, None)


def test_a_failed_transaction_leaves_no_decision_and_no_audit(ctx: AppContext) -> None:
    try:
        with ctx.store.write() as db:
            repo.record_decision(db, snippet_id="a", version=1, status=SnippetStatus.VETTED, by="Jane",
                                 reason="", operator="test-rph")
            raise RuntimeError("crash half-way")
    except RuntimeError:
        pass
    assert repo.latest_decisions(ctx.store.db) == {}
    assert ctx.store.conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0


def test_imported_snippets_are_replaced_by_id(ctx: AppContext) -> None:
    row1 = repo.ImportedSnippetRow("x", 1, {"id": "x", "version": 1}, "h1")
    with ctx.store.write() as db:
        repo.save_imported(db, [row1], {"c1": {"title": "T"}}, source="a.json", operator="test-rph",
                           summary={"added": ["x"]})
    row2 = repo.ImportedSnippetRow("x", 2, {"id": "x", "version": 2}, "h2")
    with ctx.store.write() as db:
        repo.save_imported(db, [row2], {"c1": {"title": "changed"}}, source="b.json",
                           operator="test-rph", summary={"updated": ["x"]})
    assert repo.imported_snippets(ctx.store.db) == [{"id": "x", "version": 2}]
    assert repo.imported_citations(ctx.store.db) == {"c1": {"title": "T"}}  # first one stands
    assert verify_chain(ctx.store.db) == (2, None)
