"""Issue #11: a possible match says "possible match — confirm" in the window, and history notes and
unnamed blood thinners are shown, never dropped."""

from __future__ import annotations

from k2desk.domain.interactions import check_medications
from k2desk.library.interactions import load_interaction_table
from k2desk.ui.widgets.findings_banner import FindingsBanner, finding_line

TABLE = load_interaction_table()


def test_banner_says_possible_match_confirm_for_a_near_miss(qtbot) -> None:
    banner = FindingsBanner()
    qtbot.addWidget(banner)
    findings = check_medications(["wafarin 5 mg", "anticoagulant and amoxicillin"], TABLE)
    banner.show_findings(findings)
    text = banner.label.text()
    assert "wafarin 5 mg (warfarin, vitamin K antagonist, coumarin type) — possible match — confirm" in text
    assert text.count("MAJOR:") == 2  # the near miss and the unnamed blood thinner
    assert "unnamed blood thinner" in text and "amoxicillin" in text
    assert "must be acknowledged" in text
    exact = check_medications(["Coumadin 5 mg"], TABLE)
    assert "possible match" not in finding_line(exact[0])
    [stopped] = check_medications(["stopped Sintrom 2022"], TABLE)
    assert ("(acenocoumarol, vitamin K antagonist, coumarin type) — confirm current use."
            in finding_line(stopped))
    [kovar] = check_medications(["Kovar 5mg"], TABLE)
    assert "— name not confirmed against a source." in finding_line(kovar)
