"""`k2desk operator ...` and the role gates on the command line (issue #12): no PIN there;
the login is trusted and recorded beside the operator name."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from doc_helpers import mk7_order, pdf_text
from k2desk.cli import main
from k2desk.paths import db_path


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def staffed(capsys, monkeypatch, data_dir: Path) -> Path:
    for key, value in (("pharmacy.name", "Summit Compounding"), ("pharmacy.phone", "(817) 555-0100"),
                       ("pharmacy.fax", "(817) 555-0101"), ("pharmacy.address", "1 Main St")):
        assert run(capsys, monkeypatch, "settings", "set", key, value)[0] == 0
    code, out, err = run(capsys, monkeypatch, "operator", "add", "Pat Rx", "--role", "pharmacist",
                         "--initials", "PR", stdin="2468\n")
    assert code == 0, err
    assert out == "Pat Rx is a pharmacist.\n"
    code, _, err = run(capsys, monkeypatch, "--operator", "Pat Rx", "operator", "add", "Tim Tech")
    assert code == 0, err
    code, out, _ = run(capsys, monkeypatch, "operator", "list", "--json")
    assert [(o["name"], o["role"], o["pin"]) for o in json.loads(out)] == [
        ("Pat Rx", "pharmacist", True), ("Tim Tech", "technician", False)]
    code, out, err = run(capsys, monkeypatch, "--operator", "Pat Rx", "patient", "add",
                         "--name", "Walter Ng", "--dob", "1948-07-01", "--allergy", "Penicillin",
                         "--med", "Coumadin 5 mg daily")
    assert code == 0, err
    return data_dir


def test_operator_must_be_listed_once_operators_exist(capsys, monkeypatch, staffed: Path) -> None:
    code, _, err = run(capsys, monkeypatch, "patient", "list")  # $K2DESK_OPERATOR is test-rph
    assert code == 2
    assert "'test-rph' is not an operator here" in err and "k2desk operator list" in err
    assert run(capsys, monkeypatch, "--operator", "Tim Tech", "patient", "list")[0] == 0


def test_a_pharmacist_needs_a_pin_and_a_technician_cannot_change_roles(
        capsys, monkeypatch, staffed: Path) -> None:
    code, _, err = run(capsys, monkeypatch, "--operator", "Pat Rx", "operator", "add", "Ria",
                       "--role", "pharmacist", stdin="\n")
    assert code == 2 and "pin: A pharmacist needs a PIN" in err
    code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "operator", "set-role",
                       "Tim Tech", "pharmacist")
    assert code == 2 and "Only a pharmacist may change operators" in err
    code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "operator", "set-pin",
                       "Tim Tech", stdin="1357\n")
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, "--operator", "Pat Rx", "operator", "set-role",
                         "Tim Tech", "pharmacist")
    assert code == 0 and out == "Tim Tech is now a pharmacist.\n"


def test_a_technician_cannot_acknowledge_and_the_login_is_recorded(
        capsys, monkeypatch, staffed: Path) -> None:
    for by in ("Tim Tech", "Mickey Mouse"):
        code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "interactions",
                           "acknowledge", "--patient", "1", "--by", by, "--reason", "ok")
        assert code == 2
        assert ("Only a pharmacist may acknowledge" if by == "Tim Tech" else "not an operator") in err
    code, out, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "interactions",
                         "acknowledge", "--patient", "1", "--by", "Pat Rx", "--reason",
                         "clinic told", "--contact", "phone")
    assert code == 0 and out.strip().isdigit()
    assert "lapses at the end of today" in err
    with sqlite3.connect(db_path(staffed)) as conn:
        op, details = conn.execute("SELECT operator, details FROM audit_events"
                                   " WHERE action='acknowledge'").fetchone()
    import getpass

    assert op == "Tim Tech"
    assert json.loads(details)["acknowledged_by"] == "Pat Rx"
    assert json.loads(details)["login"] == getpass.getuser()


def test_order_contact_method_is_stored_and_printed(capsys, monkeypatch, staffed: Path,
                                                    tmp_path: Path) -> None:
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(mk7_order()), "utf-8")
    pdf = tmp_path / "order.pdf"
    base = ["--operator", "Tim Tech", "order", "create", "--patient", "1", "--file", str(order_file)]
    code, _, err = run(capsys, monkeypatch, *base, "--ack-by", "Tim Tech", "--ack-reason", "ok",
                       "--ack-contact", "phone")
    assert code == 2 and "Only a pharmacist may acknowledge" in err
    with pytest.raises(SystemExit) as stop:
        run(capsys, monkeypatch, *base, "--ack-by", "Pat Rx", "--ack-reason", "ok",
            "--ack-contact", "smoke-signal")
    assert stop.value.code == 2
    assert "--ack-contact: invalid choice: 'smoke-signal'" in capsys.readouterr().err
    code, _, err = run(capsys, monkeypatch, *base, "--ack-by", "Pat Rx", "--ack-reason", "ok")
    assert code == 2 and "ack_contact: Say how the prescriber" in err
    code, out, err = run(capsys, monkeypatch, *base, "--ack-by", "Pat Rx", "--ack-reason",
                         "INR in 1 week", "--ack-contact", "in-person",
                         "--ack-contact-note", "Dr Lopez at the clinic", "-o", str(pdf))
    assert code == 0, err
    order_id = out.strip()
    code, out, _ = run(capsys, monkeypatch, "--operator", "Tim Tech", "order", "show", order_id,
                       "--json")
    [notice] = json.loads(out)["interactions"]
    assert (notice["ack_contact"], notice["ack_contact_note"]) == ("in-person", "Dr Lopez at the clinic")
    text = " ".join(pdf_text(pdf.read_bytes()).split())
    assert "Reviewed by Pat Rx, pharmacist, " in text
    assert "reached in person (Dr Lopez at the clinic)" in text
    # the acknowledgement was this order's: a second order needs its own
    code, _, err = run(capsys, monkeypatch, *base)
    assert code == 2 and "interaction" in err.lower()


def test_a_technician_cannot_dispense_vet_or_override(capsys, monkeypatch, staffed: Path,
                                                      tmp_path: Path) -> None:
    data = mk7_order()
    data["prescriber"]["npi"] = "1234567890"
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(data), "utf-8")
    ack = ["--ack-by", "Pat Rx", "--ack-reason", "ok", "--ack-contact", "fax"]
    create = ["order", "create", "--patient", "1", "--file", str(order_file),
              "--override", "prescriber.npi=checked on NPPES", *ack]
    code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", *create)
    assert code == 2 and "override_by: Only a pharmacist may override a warning" in err
    code, out, err = run(capsys, monkeypatch, "--operator", "Pat Rx", *create)
    assert code == 0, err
    oid = out.strip()
    for status, note in (("sent-for-signature", "faxed"), ("signed-original-received", "fax"),
                         ("compounded", "")):
        assert run(capsys, monkeypatch, "--operator", "Tim Tech", "order", "status", oid, status,
                   "--note", note)[0] == 0
    code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "order", "status", oid,
                       "dispensed")
    assert code == 2 and "Only a pharmacist may mark an order dispensed" in err
    assert run(capsys, monkeypatch, "--operator", "Pat Rx", "order", "status", oid,
               "dispensed")[0] == 0
    code, _, err = run(capsys, monkeypatch, "--operator", "Tim Tech", "library", "vet",
                       "what-mk7-long-half-life", "--by", "Tim Tech")
    assert code == 2 and "Only a pharmacist may vet a snippet" in err
    assert run(capsys, monkeypatch, "--operator", "Tim Tech", "library", "vet",
               "what-mk7-long-half-life", "--by", "Pat Rx")[0] == 0


def test_with_no_operators_the_cli_works_as_before(capsys, monkeypatch, data_dir: Path) -> None:
    code, out, _ = run(capsys, monkeypatch, "operator", "list")
    assert code == 0 and "No operators configured" in out
    assert run(capsys, monkeypatch, "patient", "list")[0] == 0
