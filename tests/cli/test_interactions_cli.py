"""`k2desk interactions check|acknowledge`: output, JSON shape, exit codes."""

from __future__ import annotations

import json

import pytest

from k2desk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_is_readable_and_exit_is_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "interactions", "check", "Coumadin 5 mg daily", "wafarin", "Xarelto")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(
        "MAJOR    warfarin  (typed: 'Coumadin 5 mg daily', exact) — Your blood thinner")
    assert lines[1].startswith("MAJOR    warfarin  (typed: 'wafarin', possible match — confirm) — ")
    assert lines[2].startswith("INFO     rivaroxaban  (typed: 'Xarelto', exact) — ")
    assert lines[-1].startswith("(interaction table version 3, reviewed ")


def test_nothing_found_still_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "interactions", "check", "lisinopril", "vitamin D3 2000 IU")
    assert code == 0
    assert "No interactions found in 2 medication(s)." in out
    code, out, _ = run(capsys, "interactions", "check", "--json", "lisinopril")
    assert code == 0 and json.loads(out)["findings"] == []
    assert json.loads(out)["table_version"] == 3
    code, out, _ = run(capsys, "interactions", "check", "--json")
    assert code == 0 and json.loads(out)["findings"] == []
    code, out, _ = run(capsys, "interactions", "check")
    assert code == 0 and "No medications to check." in out


def test_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "interactions", "check", "--json", "vitamin E 400 IU", "JANTOVEN")
    assert code == 0
    answer = json.loads(out)
    assert (answer["table_version"], answer["table_reviewed"]) == (3, "2026-11-30")
    data = answer["findings"]
    assert [d["verified"] for d in data] == [True, True]
    assert [(d["id"], d["severity"], d["input"], d["matched"], d["agent"], d["certainty"]) for d in data] == [
        (1, "major", "JANTOVEN", "Jantoven", "warfarin", "exact"),
        (2, "minor", "vitamin E 400 IU", "vitamin E", "vitamin E", "exact")]
    assert "INR" in data[0]["message"] and "1-2 weeks" in data[0]["pharmacist_message"]
    assert data[0]["citations"][0] == "theuwissen2013"
    assert "400 IU a day" in data[1]["note"]


def test_patient_medications_and_acknowledgement(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "patient", "add", "--name", "Cy Test", "--dob", "1940-01-01", "--nkda",
                       "--med", "Coumadin 5 mg daily", "--med", "metformin")
    pid = out.strip()
    code, out, _ = run(capsys, "interactions", "check", "--patient", pid, "Questran")
    assert code == 0
    assert "MAJOR    warfarin  (typed: 'Coumadin 5 mg daily', exact)" in out
    assert "NOT acknowledged" in out and "MODERATE cholestyramine" in out
    code, out, err = run(capsys, "interactions", "acknowledge", "--patient", pid, "--by", " ", "--reason", "")
    assert code == 2 and out == ""
    assert err.splitlines() == ["k2desk: ack_by: Acknowledged by is required.",
                                "k2desk: ack_reason: Reason is required."]
    code, out, _ = run(capsys, "interactions", "acknowledge", "--patient", pid, "--by", "Jane RPh",
                       "--reason", "clinic informed")
    assert code == 0 and out.strip().isdigit()
    code, out, _ = run(capsys, "interactions", "check", "--patient", pid, "--json")
    [d] = json.loads(out)["findings"]
    assert (d["acknowledged_by"], d["ack_reason"]) == ("Jane RPh", "clinic informed")
    code, out, _ = run(capsys, "interactions", "check", "--patient", pid)
    assert "acknowledged by Jane RPh" in out and "NOT acknowledged" not in out


def test_unknown_patient_is_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "interactions", "check", "--patient", "77")
    assert code == 2 and out == ""
    assert err.strip() == "k2desk: There is no patient with id 77."
    code, _, err = run(capsys, "interactions", "acknowledge", "--patient", "77", "--by", "J", "--reason", "r")
    assert code == 2 and "no patient with id 77" in err


def test_acknowledge_without_major_finding_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "patient", "add", "--name", "Di Test", "--dob", "1940-01-01", "--nkda",
                    "--med", "Eliquis 5 mg")
    code, out, err = run(capsys, "interactions", "acknowledge", "--patient", out.strip(), "--by", "J",
                         "--reason", "r")
    assert code == 2 and out == "" and err.startswith("k2desk: findings: ")
