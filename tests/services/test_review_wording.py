"""Issue #11: the printed interaction review line says "possible match — confirm" for a near miss."""

from __future__ import annotations

from k2desk.domain.documents import InteractionNotice
from k2desk.services.review import review_statement


def test_review_line_marks_a_possible_match() -> None:
    notices = [InteractionNotice("major", "warfarin", "wafarin 5 mg", "possible", "msg",
                                 acknowledged_by="Jane RPh", ack_reason="called clinic",
                                 ack_at="2026-11-30T10:00:00Z"),
               InteractionNotice("major", "warfarin", "Coumadin 5 mg", "exact", "msg")]
    lines = review_statement(notices).splitlines()
    assert lines[0].startswith("MAJOR: warfarin (as typed: wafarin 5 mg) — possible match — confirm. "
                               "Reviewed by Jane, pharmacist, November 30, 2026: called clinic")
    assert lines[1] == "MAJOR: warfarin (as typed: Coumadin 5 mg)."
