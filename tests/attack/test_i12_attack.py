"""Attacks on issue #12 (acknowledgements per document, pending acknowledgements, roles), run
through the real command line and the real window."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from doc_helpers import example_order, pdf_text
from k2desk.cli import main


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def mk7_order(tmp_path: Path) -> Path:
    data = example_order()
    data["ingredients"] = [{"ingredient": "MK-7 (menaquinone-7)", "strength": "180", "unit": "mcg"}]
    data["compound"]["quantity"] = "30"
    data["compound"]["sig"] = "Take 1 capsule by mouth once daily."
    path = tmp_path / "order.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.fixture
def warfarin_patient(capsys, monkeypatch, data_dir: Path) -> Path:
    for key, value in (("pharmacy.name", "Summit Compounding"), ("pharmacy.phone", "(817) 555-0100"),
                       ("pharmacy.fax", "(817) 555-0101"), ("pharmacy.address", "1 Main St")):
        assert run(capsys, monkeypatch, "settings", "set", key, value)[0] == 0
    code, out, err = run(capsys, monkeypatch, "patient", "add", "--name", "Ann Warf",
                         "--dob", "1950-01-01", "--med", "warfarin 5 mg daily", "--nkda")
    assert code == 0, err
    assert out.strip() == "1"
    return data_dir


@pytest.fixture
def staffed(capsys, monkeypatch, warfarin_patient: Path) -> Path:
    code, _, err = run(capsys, monkeypatch, "operator", "add", "Jane Smith", "--role", "pharmacist",
                       stdin="1234\n")
    assert code == 0, err
    code, _, err = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "add", "Tom Tech")
    assert code == 0, err
    return warfarin_patient


# -- pending acknowledgements ---------------------------------------------------------------------

def test_a_second_pending_acknowledgement_replaces_the_first(capsys, monkeypatch, warfarin_patient,
                                                             tmp_path) -> None:
    """The pharmacist records "not reached", then corrects it to "phone". One order uses the
    correction; the superseded "not reached" one must not let a second order through unseen."""
    assert run(capsys, monkeypatch, "interactions", "acknowledge", "--patient", "1", "--by",
               "J. Smith", "--reason", "first try", "--contact", "not-reached")[0] == 0
    assert run(capsys, monkeypatch, "interactions", "acknowledge", "--patient", "1", "--by",
               "J. Smith", "--reason", "reached Dr Lopez", "--contact", "phone")[0] == 0
    order = mk7_order(tmp_path)
    code, _, err = run(capsys, monkeypatch, "order", "create", "--patient", "1", "--file", str(order),
                       "-o", str(tmp_path / "o1.pdf"))
    assert code == 0, err
    assert "reached Dr Lopez" in pdf_text((tmp_path / "o1.pdf").read_bytes())
    code, out, err = run(capsys, monkeypatch, "order", "create", "--patient", "1", "--file",
                         str(order), "-o", str(tmp_path / "o2.pdf"))
    assert code == 2, out
    assert "ack_by" in err and "pharmacist must review" in err
    assert not (tmp_path / "o2.pdf").exists()


def test_a_pending_acknowledgement_is_used_once_handout_then_order(capsys, monkeypatch,
                                                                   warfarin_patient, tmp_path) -> None:
    assert run(capsys, monkeypatch, "interactions", "acknowledge", "--patient", "1", "--by",
               "J. Smith", "--reason", "counselled", "--contact", "phone")[0] == 0
    code, _, err = run(capsys, monkeypatch, "handout", "create", "--patient", "1", "--topic",
                       "what-is-k2", "-o", str(tmp_path / "h.pdf"))
    assert code == 0, err
    code, _, err = run(capsys, monkeypatch, "order", "create", "--patient", "1", "--file",
                       str(mk7_order(tmp_path)), "-o", str(tmp_path / "o.pdf"))
    assert code == 2 and "for this order" in err


def test_not_reached_is_printed_and_the_name_once(capsys, monkeypatch, warfarin_patient,
                                                  tmp_path) -> None:
    code, _, err = run(capsys, monkeypatch, "order", "create", "--patient", "1", "--file",
                       str(mk7_order(tmp_path)), "--ack-by", "RPh  J. Smith", "--ack-reason",
                       "INR stable", "--ack-contact", "not-reached", "-o", str(tmp_path / "o.pdf"))
    assert code == 0, err
    text = " ".join(pdf_text((tmp_path / "o.pdf").read_bytes()).split())
    assert "NOT REACHED" in text
    assert "Reviewed by J. Smith, pharmacist," in text
    assert "RPh" not in text


# -- roles on the command line --------------------------------------------------------------------

@pytest.mark.parametrize("by", ["jane smith", " Jane  Smith ", "RPh Jane Smith", "Tom Tech", ""])
def test_a_technician_cannot_acknowledge_with_a_lookalike_name(capsys, monkeypatch, staffed,
                                                               by: str) -> None:
    code, _, err = run(capsys, monkeypatch, "--operator", "Tom Tech", "interactions", "acknowledge",
                       "--patient", "1", "--by", by, "--reason", "r", "--contact", "phone")
    assert code == 2 and "ack_by" in err, err
    assert "Traceback" not in err


def test_the_last_pharmacist_cannot_be_removed_while_technicians_remain(capsys, monkeypatch,
                                                                        staffed) -> None:
    """Otherwise only technicians are left: nobody may acknowledge, and nobody may add a
    pharmacist again (changing operators takes a pharmacist) - the pharmacy is locked out."""
    code, _, err = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "remove",
                       "Jane Smith")
    assert code == 2, err
    assert "last pharmacist" in err
    code, _, err = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "set-role",
                       "Jane Smith", "technician")
    assert code == 2, err
    assert "last pharmacist" in err
    code, out, _ = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "list", "--json")
    assert [(o["name"], o["role"]) for o in json.loads(out)] == [
        ("Jane Smith", "pharmacist"), ("Tom Tech", "technician")]
    # Removing the technician first, then the last operator, is a one-person pharmacy again.
    assert run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "remove", "Tom Tech")[0] == 0
    assert run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "remove",
               "Jane Smith")[0] == 0
    assert run(capsys, monkeypatch, "interactions", "acknowledge", "--patient", "1", "--by",
               "Anyone", "--reason", "r")[0] == 0


@pytest.mark.parametrize("name", ["jane smith", "Jane  Smith", "RPh Jane Smith", "R.Ph. Jane Smith"])
def test_an_operator_named_like_another_is_refused(capsys, monkeypatch, staffed, name: str) -> None:
    """Two operators who print the same ("Reviewed by Jane Smith, pharmacist") cannot be told
    apart on a document or in the audit trail."""
    code, _, err = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "add", name)
    assert code == 2, err
    assert "Jane Smith" in err and "already" in err
    code, out, _ = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "list", "--json")
    assert [o["name"] for o in json.loads(out)] == ["Jane Smith", "Tom Tech"]


def test_a_removed_pharmacist_cannot_acknowledge(capsys, monkeypatch, staffed) -> None:
    code, _, err = run(capsys, monkeypatch, "--operator", "Jane Smith", "operator", "add", "Ria Rx",
                       "--role", "pharmacist", stdin="5678\n")
    assert code == 0, err
    assert run(capsys, monkeypatch, "--operator", "Ria Rx", "operator", "remove", "Jane Smith")[0] == 0
    code, _, err = run(capsys, monkeypatch, "--operator", "Tom Tech", "interactions", "acknowledge",
                       "--patient", "1", "--by", "Jane Smith", "--reason", "r", "--contact", "phone")
    assert code == 2 and "'Jane Smith' is not an operator here" in err


def test_one_person_pharmacy_still_works(capsys, monkeypatch, warfarin_patient, tmp_path) -> None:
    code, _, err = run(capsys, monkeypatch, "handout", "create", "--patient", "1", "--topic",
                       "what-is-k2", "--ack-by", "Sam Solo", "--ack-reason", "counselled",
                       "-o", str(tmp_path / "h.pdf"))
    assert code == 0, err
    text = " ".join(pdf_text((tmp_path / "h.pdf").read_bytes()).split())
    assert "reviewed by Sam Solo, pharmacist," in text and "pharmacist, pharmacist" not in text


def test_the_handout_box_names_the_pharmacist_once_with_one_role_word(
        capsys, monkeypatch, warfarin_patient, tmp_path) -> None:
    """The blood-thinner box on a handout printed "reviewed by RPh RPh J. Smith"."""
    code, _, err = run(capsys, monkeypatch, "handout", "create", "--patient", "1", "--topic",
                       "what-is-k2", "--ack-by", "RPh J. Smith", "--ack-reason", "counselled",
                       "-o", str(tmp_path / "h.pdf"))
    assert code == 0, err
    text = " ".join(pdf_text((tmp_path / "h.pdf").read_bytes()).split())
    assert "RPh" not in text
    assert "Interaction reviewed by J. Smith, pharmacist, November" in text


# -- pending acknowledgements: time and medication changes (service level, real database) -------

def test_a_pending_acknowledgement_lapses_at_the_pharmacys_local_midnight(ctx, monkeypatch) -> None:
    import datetime as dt
    import time

    from k2desk.services import interactions
    from k2desk.services.patients import PatientInput, add_patient

    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        # 23:30 in Fort Worth is 05:30 UTC the next day: it lapses at 06:00 UTC, not at UTC midnight.
        late = dt.datetime(2026, 11, 30, 5, 30, tzinfo=dt.UTC)
        assert interactions.end_of_local_day(late) == "2026-11-30T06:00:00.000000+00:00"
        pid = add_patient(ctx, PatientInput("Ann Warf", "1950-01-01", nkda=True,
                                            medications=["warfarin 5 mg daily"]))
        interactions.acknowledge(ctx, pid, interactions.findings_for_patient(ctx, pid), "J. Smith",
                                 "counselled")
        [ack] = interactions.pending_acknowledgements(ctx, pid).values()
        assert interactions.pending_acknowledgements(ctx, pid, now=ack.expires_at) == {}
        just_before = (dt.datetime.fromisoformat(ack.expires_at)
                       - dt.timedelta(microseconds=1)).isoformat(timespec="microseconds")
        assert interactions.pending_acknowledgements(ctx, pid, now=just_before)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("new_meds", [["warfarin 7.5 mg daily"],
                                      ["warfarin 5 mg daily", "Sintrom 2 mg daily"]])
def test_a_pending_acknowledgement_made_before_a_medication_change_does_not_count(
        ctx, new_meds: list[str]) -> None:
    from k2desk.services import handouts, interactions
    from k2desk.services.errors import InputRefused
    from k2desk.services.patients import PatientInput, add_patient, update_patient

    pid = add_patient(ctx, PatientInput("Ann Warf", "1950-01-01", nkda=True,
                                        medications=["warfarin 5 mg daily"]))
    interactions.acknowledge(ctx, pid, interactions.findings_for_patient(ctx, pid), "J. Smith",
                             "counselled")
    update_patient(ctx, pid, PatientInput("Ann Warf", "1950-01-01", nkda=True, medications=new_meds))
    with pytest.raises(InputRefused) as refused:
        handouts.create_handout(ctx, pid, ["what-is-k2"])
    assert any(i.field == "ack_by" for i in refused.value.issues)
