"""Attacks from issue 18 (hostile and careless input), each through the real command line or
service on a real SQLite file: the message says what is wrong, and nothing is written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from doc_helpers import add_plain_patient, example_order, setup_pharmacy, table_counts
from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services import operators, patients
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.settings import get_settings


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def names(ctx: AppContext) -> list[str]:
    return sorted(p.name for p in patients.list_patients(ctx))


def counts(ctx: AppContext) -> dict[str, int]:
    c = table_counts(ctx)
    c["patients"] = ctx.store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    return c


# -- demo --------------------------------------------------------------------------------------

def test_demo_refuses_a_data_dir_that_holds_patients(capsys, ctx):
    add_plain_patient(ctx)
    before = counts(ctx)
    code, out, err = run(capsys, "demo", "--patients", "3", "--documents", "2")
    assert code == 2 and out == ""
    assert "already holds 1 patient(s) and 0 document(s)" in err
    assert "only written into an empty data directory" in err and "Nothing was written" in err
    assert counts(ctx) == before and names(ctx) == ["Ana Souza"]


# -- fax settings --------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", [
    "evil@x.com,{digits}@gw.example.com", "evil,{digits}@gw.example.com",
    "{digits}@gw.example.com, evil@x.com", "{digits}@gw.example.com;evil@x.com",
    "Fax <{digits}@gw.example.com>", "{digits}@gw", "{digits}{digits}@gw.example.com", "fax@gw.example.com",
])
def test_recipient_pattern_must_give_exactly_one_address(capsys, ctx, pattern):
    code, _o, err = run(capsys, "settings", "set", "fax.recipient_pattern", pattern)
    assert code == 2 and "fax.recipient_pattern: Fax recipient pattern" in err
    assert "one address containing {digits} once" in err
    assert get_settings(ctx)["fax.recipient_pattern"] == ""


@pytest.mark.parametrize("sender", ["not an address", "a@pharmacy.example.com, b@x.com",
                                    "Counter <a@pharmacy.example.com>", "counter@", "@x.com"])
def test_fax_sender_must_be_one_address(capsys, ctx, sender):
    code, _o, err = run(capsys, "settings", "set", "fax.sender", sender)
    assert code == 2 and "fax.sender: Fax sender e-mail address" in err
    assert "one e-mail address, for example fax@pharmacy.example.com" in err
    assert get_settings(ctx)["fax.sender"] == ""


def test_good_fax_addresses_are_kept(capsys, ctx):
    assert run(capsys, "settings", "set", "fax.sender", "counter@pharmacy.example.com")[0] == 0
    assert run(capsys, "settings", "set", "fax.recipient_pattern", "{digits}@fax.example.com")[0] == 0
    s = get_settings(ctx)
    assert s["fax.sender"] == "counter@pharmacy.example.com"
    assert s["fax.recipient_pattern"] == "{digits}@fax.example.com"


def test_a_two_address_pattern_stored_earlier_is_refused_at_send_time():
    from k2desk.fax.transport import GatewayConfigError, recipient_address

    with pytest.raises(GatewayConfigError, match="holds 2 addresses; exactly one is accepted"):
        recipient_address("evil@x.com,{digits}@gw.example.com", "+18178606083")
    assert recipient_address("{digits}@gw.example.com", "+18178606083") == "18178606083@gw.example.com"


# -- export temporary file --------------------------------------------------------------------

def test_export_never_writes_through_a_planted_temporary_name(capsys, ctx, tmp_path, monkeypatch):
    """The temporary name is random (secrets.token_hex) and created with O_EXCL|O_NOFOLLOW: even
    an attacker who guessed the first name and planted a link there cannot redirect the write."""
    import k2desk.storage.files as files

    store_patient = add_plain_patient(ctx)
    assert store_patient
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real_token_hex = files.secrets.token_hex
    guesses = ["guessed0guessed0"]  # the attacker's guess comes up first, then random names

    def token_hex(n: int) -> str:
        return guesses.pop() if guesses else real_token_hex(n)

    monkeypatch.setattr(files.secrets, "token_hex", token_hex)
    planted = out_dir / f"{files.TEMP_PREFIX}guessed0guessed0.part"
    planted.symlink_to(victim)
    code, _o, err = run(capsys, "log", "export", "--format", "csv", "-o", str(out_dir / "log.csv"))
    assert code == 0, err
    assert guesses == []  # the planted name was tried first, and refused (O_EXCL)
    assert victim.read_text() == "precious" and planted.is_symlink()
    assert (out_dir / "log.csv").exists() and not (out_dir / "log.csv").is_symlink()
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([planted.name, "log.csv"])


# -- input files: size limits and BOM -----------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("order", "create", "--patient", "1", "--file", "/dev/zero"),
    ("patient", "import", "/dev/zero"),
    ("library", "import", "/dev/zero"),
])
def test_endless_input_files_are_refused_with_a_size_message(capsys, ctx, argv):
    setup_pharmacy(ctx)
    add_plain_patient(ctx)
    before = counts(ctx)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "/dev/zero is larger than" in err and "MB, the most accepted for" in err
    assert "MemoryError" not in err
    assert counts(ctx) == before


def test_a_large_patient_file_is_refused_before_any_row_is_read(capsys, ctx, tmp_path):
    from k2desk.services.inputs import PATIENT_CSV_LIMIT

    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.write(b"name,dob,nkda\n")
        fh.truncate(PATIENT_CSV_LIMIT + 1)
    code, _o, err = run(capsys, "patient", "import", str(big))
    assert code == 2 and "big.csv is larger than 50 MB, the most accepted for a patient import" in err
    assert names(ctx) == []


def test_an_order_json_with_a_byte_order_mark_is_accepted(capsys, ctx, tmp_path):
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(example_order()).encode("utf-8"))
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 0, err
    assert int(out) >= 1


def test_an_order_file_that_is_a_folder_says_so(capsys, ctx, tmp_path):
    before = counts(ctx)
    code, _o, err = run(capsys, "order", "create", "--patient", "1", "--file", str(tmp_path))
    assert code == 2 and f"{tmp_path} is a folder, but a file is needed here (an order)" in err
    assert counts(ctx) == before


# -- CSV import ---------------------------------------------------------------------------------

def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "p.csv"
    p.write_text(text, "utf-8")
    return p


def test_csv_issues_name_the_line_in_the_file_counting_blank_and_wrapped_lines(capsys, ctx, tmp_path):
    f = _csv(tmp_path, "name,dob,nkda,address\n\nAna Souza,1956-03-14,yes,\n\n"
                       'Bo Li,1960-01-01,yes,"1 Main St\nFort Worth"\n\nCy Ray,1956/03/14,yes,\n')
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2
    # Cy Ray is on line 8 of the file: the header, a blank, Ana, a blank, Bo (2 lines), a blank.
    assert ("line 8.dob: Line 8: Date of birth '1956/03/14' is not written as a date this "
            "program reads") in err
    assert names(ctx) == []


def test_csv_extra_values_are_refused_not_dropped(capsys, ctx, tmp_path):
    f = _csv(tmp_path, "name,dob,nkda\nAna Souza,1956-03-14,yes\n\nSmith, John,1950-01-01,yes\n")
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2
    assert "line 4 has 4 values but the header names 3 columns; the extra values would be lost" in err
    assert "Quote values that contain a comma" in err
    assert names(ctx) == []


def test_csv_duplicated_headers_are_refused(capsys, ctx, tmp_path):
    f = _csv(tmp_path, "name,dob,nkda,dob\nAna Souza,1956-03-14,yes,1960-01-01\n")
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2 and "the header row names dob more than once" in err
    assert names(ctx) == []


def test_csv_import_refuses_patients_already_recorded_or_twice_in_the_file(capsys, ctx, tmp_path):
    add_plain_patient(ctx)  # Ana Souza, 1956-03-14
    f = _csv(tmp_path, "name,dob,nkda\nANA  souza,03/14/1956,yes\nBo Li,1960-01-01,yes\n"
                       "Bo Li,1960-01-01,yes\n")
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2
    assert "Line 2: ANA  souza born 1956-03-14 is already recorded (patient 1, Ana Souza)" in err
    assert "Line 4: Bo Li born 1960-01-01 is also on line 3 of this file" in err
    assert names(ctx) == ["Ana Souza"]
    # Importing the same file twice is what made doubles: the second import is refused too.
    g = _csv(tmp_path, "name,dob,nkda\nCy Ray,1970-01-01,yes\n")
    assert run(capsys, "patient", "import", str(g))[0] == 0
    code, _o, err = run(capsys, "patient", "import", str(g))
    assert code == 2 and "Cy Ray born 1970-01-01 is already recorded" in err
    assert names(ctx) == ["Ana Souza", "Cy Ray"]
    code, out, err = run(capsys, "patient", "import", str(g), "--allow-duplicate")
    assert code == 0, err
    assert names(ctx) == ["Ana Souza", "Cy Ray", "Cy Ray"]


# -- patient add --------------------------------------------------------------------------------

def test_patient_add_refuses_the_same_name_and_birth_date_unless_allowed(capsys, ctx):
    add_plain_patient(ctx)
    before = counts(ctx)
    code, out, err = run(capsys, "patient", "add", "--name", " ana souza ", "--dob", "03/14/1956",
                         "--nkda")
    assert code == 2 and out == ""
    assert "name: Ana Souza born 1956-03-14 is already recorded (patient 1)" in err
    assert counts(ctx) == before
    code, out, err = run(capsys, "patient", "add", "--name", "Ana Souza", "--dob", "1956-03-14",
                         "--nkda", "--allow-duplicate")
    assert code == 0, err
    assert names(ctx) == ["Ana Souza", "Ana Souza"]
    # Same name, another birth date: a different person, no question.
    assert run(capsys, "patient", "add", "--name", "Ana Souza", "--dob", "1957-03-14", "--nkda")[0] == 0


# -- doctor -------------------------------------------------------------------------------------

def test_doctor_warns_about_a_keyring_that_cannot_store(capsys, ctx):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out, err = run(capsys, "doctor")
    finally:
        keyring.set_keyring(previous)
    line = next(x for x in out.splitlines() if "keyring:" in x)
    assert line.startswith("WARN"), out
    assert "keyring.backends.fail.Keyring cannot store a password" in line
    assert "asked for each session" in line
    code, out, _err = run(capsys, "doctor")
    line = next(x for x in out.splitlines() if "keyring:" in x)
    assert line.startswith("ok") and "stores and returns a password" in line
    assert keyring.get_password("k2desk", "k2desk-doctor-probe") is None  # the probe is gone


def test_a_file_as_data_dir_is_named_before_anything_is_said_ok(capsys, tmp_path):
    f = tmp_path / "not-a-folder"
    f.write_text("x")
    code, out, err = run(capsys, "--data-dir", str(f), "doctor")
    assert code == 1
    assert "ok" not in out.split("BAD")[0]  # no "ok data dir" before the error
    assert f"data dir: The data directory {f} is a file, but a folder is needed" in out
    assert f.read_text() == "x"
    code, out, err = run(capsys, "--data-dir", str(f / "sub"), "patient", "list")
    assert code == 1
    assert f"Cannot create the data directory {f / 'sub'}: {f} is a file, but a folder is needed there" in err
    assert f.read_text() == "x"


# -- messages -----------------------------------------------------------------------------------

def test_a_wrong_date_format_and_an_impossible_date_get_different_messages(capsys, ctx):
    code, _o, err = run(capsys, "patient", "add", "--name", "Ana", "--dob", "1950/03/04", "--nkda")
    assert code == 2 and "'1950/03/04' is not written as a date this program reads" in err
    assert "not a real date" not in err
    code, _o, err = run(capsys, "patient", "add", "--name", "Ana", "--dob", "02/30/1950", "--nkda")
    assert code == 2 and "'02/30/1950' is not a real date: February has no day 30" in err
    assert names(ctx) == []


@pytest.mark.parametrize(("char", "label"), [("\u200b", "U+200B ZERO WIDTH SPACE"),
                                             ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE")])
def test_invisible_characters_in_names_are_refused(capsys, ctx, char, label):
    code, _o, err = run(capsys, "patient", "add", "--name", f"Ana{char} Souza", "--dob", "1956-03-14",
                        "--nkda")
    assert code == 2 and f"Name contains an invisible character ({label})" in err
    assert names(ctx) == []


def test_refills_of_two_and_a_half_ask_for_a_whole_number(capsys, ctx, tmp_path):
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    data = example_order()
    data["compound"]["refills"] = "2.5"
    path = tmp_path / "o.json"
    path.write_text(json.dumps(data), "utf-8")
    before = counts(ctx)
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 2
    assert "compound.refills: Refills '2.5' is not a whole number; type a whole number from 0 to 11" in err
    assert "characters long" not in err
    assert counts(ctx) == before


# -- PIN back-off in a pharmacist's confirmation -------------------------------------------------

def test_pharmacist_confirmation_pins_back_off_and_are_kept_in_the_database(ctx, data_dir):
    operators.add_operator(ctx, "Pat Rx", "PR", "2468")
    operators.add_operator(ctx, "Tim Tech", "TT", "", role="technician", by="Pat Rx")
    ctx.operator, ctx.trust_login = "Tim Tech", False
    for _n in range(1, 6):
        with pytest.raises(InputRefused) as exc:
            operators.require_pharmacist(ctx, "Pat Rx", action="dispense", pin="1111")
        assert exc.value.issues[0].code == "pin_wrong"
    assert "Wrong 5 times in a row: the next try waits 30 seconds" in exc.value.issues[0].message
    # Kept in the database: a new window (a new context) still has to wait, even with the right PIN.
    with AppContext(data_dir, "Tim Tech") as other:
        other.trust_login = False
        with pytest.raises(InputRefused) as exc:
            operators.require_pharmacist(other, "Pat Rx", action="dispense", pin="2468")
        assert exc.value.issues[0].code == "pin_locked"
        assert "Too many wrong PINs for Pat Rx in a row: wait 30 seconds" in exc.value.issues[0].message
    audit = ctx.store.conn.execute("SELECT operator, entity_id, details FROM audit_events WHERE "
                                   "action = 'operator.pin_wrong' ORDER BY id").fetchall()
    assert [(a[0], a[1]) for a in audit] == [("Tim Tech", "Pat Rx")] * 5
    assert json.loads(audit[-1][2])["failures"] == 5
    # Each further wrong PIN doubles the wait.
    with ctx.store.write() as db:
        db.execute("UPDATE pin_attempts SET locked_until = '2000-01-01T00:00:00+00:00'")
    with pytest.raises(InputRefused) as exc:
        operators.require_pharmacist(ctx, "Pat Rx", action="dispense", pin="1111")
    assert "Wrong 6 times in a row: the next try waits 60 seconds" in exc.value.issues[0].message
    assert operators.pin_delay(20) == operators.PIN_DELAY_MAX_S
    with ctx.store.write() as db:
        db.execute("UPDATE pin_attempts SET locked_until = '2000-01-01T00:00:00+00:00'")
    assert operators.require_pharmacist(ctx, "Pat Rx", action="dispense", pin="2468") == "Pat Rx"
    assert ctx.store.conn.execute("SELECT count(*) FROM pin_attempts").fetchone()[0] == 0
    assert os.path.exists(db_path(data_dir))


# -- second attacker (issue 18) ------------------------------------------------------------------

def test_a_name_typed_without_its_accents_is_the_same_person(capsys, ctx):
    """A US keyboard types 'Jose Alvarez' for the stored 'José Álvarez': same person, same DOB."""
    code, _o, _e = run(capsys, "patient", "add", "--name", "José Álvarez", "--dob", "1950-03-04",
                       "--nkda")
    assert code == 0
    before = counts(ctx)
    for typed in ("Jose Alvarez", "JOSE  ALVAREZ", "Jose\u0301 A\u0301lvarez"):
        code, out, err = run(capsys, "patient", "add", "--name", typed, "--dob", "03/04/1950",
                             "--nkda")
        assert code == 2 and out == ""
        assert "is already recorded (patient 1)" in err
    assert counts(ctx) == before and names(ctx) == ["José Álvarez"]


def test_csv_rows_differing_only_by_accents_are_duplicates(capsys, ctx, tmp_path):
    add_plain_patient(ctx)  # Ana Souza
    stored = counts(ctx)
    header = "name,dob,phone,address,medications,allergies,nkda\n"
    dob = patients.get_patient(ctx, 1).dob.isoformat()
    f = tmp_path / "p.csv"
    f.write_text(header + f"Ána Sóuza,{dob},,,,,yes\n", encoding="utf-8")
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2 and "Line 2:" in err and "is already recorded (patient 1" in err
    f.write_text(header + "Bob Ray,1950-03-04,,,,,yes\nBób Rây,1950-03-04,,,,,yes\n", encoding="utf-8")
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2 and "Line 3:" in err and "is also on line 2 of this file" in err
    assert counts(ctx) == stored


def test_a_windows_csv_with_a_two_line_address_imports(capsys, ctx, tmp_path):
    """Saved on Windows (CRLF everywhere, also inside the quoted address): the line break inside
    the address is a line break, not a stray control character."""
    f = tmp_path / "p.csv"
    f.write_bytes(b"\xef\xbb\xbfname,dob,phone,address,medications,allergies,nkda\r\n\r\n"
                  b'Ann Lee,1950-03-04,,"1 Main St\r\nApt 2",,,yes\r\n')
    code, out, err = run(capsys, "patient", "import", str(f))
    assert code == 0, err
    assert "imported 1 patients" in out
    (p,) = patients.list_patients(ctx)
    assert patients.get_patient(ctx, p.id).address == "1 Main St\nApt 2"
    # A bare CR in a one-line field is still refused.
    f.write_bytes(b"name,dob,phone,address,medications,allergies,nkda\r\n"
                  b'"Bo\rRay",1950-03-04,,,,,yes\r\n')
    code, _o, err = run(capsys, "patient", "import", str(f))
    assert code == 2 and "control character (U+000D)" in err


@pytest.mark.parametrize("pattern", [
    "=?utf-8?q?evil=40x.com?= <{digits}@gw.example.com>",
    "g: evil@x.com, {digits}@gw.example.com;",
    "{digits}@gw.example.com\nBcc: evil@x.com",
    "{digits}@gw.example.com (evil@x.com)",
    '"a,b"@x.com {digits}@gw.example.com',
    "{digits}@gw.example.com@evil.com",
])
def test_hostile_patterns_smuggling_a_second_address_are_refused(capsys, ctx, pattern):
    code, _o, err = run(capsys, "settings", "set", "fax.recipient_pattern", pattern)
    assert code == 2 and "fax.recipient_pattern" in err
    assert get_settings(ctx)["fax.recipient_pattern"] == ""


@pytest.mark.parametrize("sender", [
    "=?utf-8?b?ZXZpbEB4LmNvbQ==?= <a@b.com>", "a@b.com\r\nBcc: e@x.com", "g:a@b.com;",
    '"x@y.com" <a@b.com>', "a@b.com (x@y.com)",
])
def test_hostile_senders_are_refused(capsys, ctx, sender):
    code, _o, err = run(capsys, "settings", "set", "fax.sender", sender)
    assert code == 2 and "fax.sender" in err
    assert get_settings(ctx)["fax.sender"] == ""


def test_wrong_pins_from_many_windows_at_once_are_all_counted(data_dir):
    """Twelve windows (own connections) guess the lock-screen PIN at the same moment: the back-off
    must still stop guessing after the free tries, and every wrong PIN is counted and audited."""
    import threading

    with AppContext(data_dir, "test-rph") as setup:
        operators.add_operator(setup, "Pat Rx", "PR", "2468")
    results: list[str] = []
    start = threading.Barrier(12)

    def guess(n: int) -> None:
        with AppContext(data_dir, "nobody") as c:
            c.trust_login = False
            start.wait()
            try:
                operators.sign_in(c, "Pat Rx", f"{1000 + n}")
            except InputRefused as exc:
                results.append(exc.issues[0].code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert results.count("pin_wrong") == operators.FREE_PIN_TRIES
    assert results.count("pin_locked") == 12 - operators.FREE_PIN_TRIES
    with AppContext(data_dir, "test-rph") as c:
        failures, until = c.store.conn.execute(
            "SELECT failures, locked_until FROM pin_attempts WHERE operator = 'Pat Rx'").fetchone()
        audited = c.store.conn.execute("SELECT count(*) FROM audit_events WHERE "
                                       "action = 'operator.pin_wrong'").fetchone()[0]
    assert failures == operators.FREE_PIN_TRIES and until is not None
    assert audited == operators.FREE_PIN_TRIES


def test_csv_trailing_empty_values_lose_nothing_and_are_accepted(capsys, ctx, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("name,dob,nkda\nAna Lima,1956-03-14,yes,,\n", encoding="utf-8")
    code, out, err = run(capsys, "patient", "import", str(f))
    assert code == 0, err
    assert names(ctx) == ["Ana Lima"]


@pytest.mark.parametrize("key,value", [
    ("pharmacy.fax", "(817) 555-0199"), ("pharmacy.npi", "1245319599"),
    ("pharmacy.name", "Real Pharmacy"),
])
def test_demo_refuses_a_pharmacy_already_set_up_and_keeps_its_settings(capsys, ctx, key, value):
    """No patients yet, but the pharmacy typed in its own fax number: the demo's made-up
    letterhead ("(817) 860-6083") must not replace it, nor fake patients join the real setup."""
    code, _o, err = run(capsys, "settings", "set", key, value)
    assert code == 0, err
    kept = get_settings(ctx)
    before = counts(ctx)
    code, out, err = run(capsys, "demo", "--patients", "2", "--documents", "1")
    assert code == 2 and out == ""
    assert f"is already set up for a pharmacy ({key})" in err and "Nothing was written" in err
    assert get_settings(ctx) == kept and counts(ctx) == before and names(ctx) == []


def test_demo_refuses_a_data_dir_with_operators(capsys, ctx):
    operators.add_operator(ctx, "Pat Rx", "PR", "2468")
    code, _o, err = run(capsys, "--operator", "Pat Rx", "demo", "--patients", "2", "--documents", "0")
    assert code == 2 and "1 operator(s)" in err
    assert names(ctx) == []


def test_an_order_json_nested_too_deeply_gets_a_message_not_a_crash(capsys, ctx, tmp_path):
    pid = add_plain_patient(ctx)
    before = counts(ctx)
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000)  # 200 KB, under the size limit
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(f))
    assert code == 2 and out == ""
    assert "is not accepted: it is nested too deeply" in err and "unexpected error" not in err
    assert counts(ctx) == before


def test_a_library_export_nested_too_deeply_gets_a_message_not_a_crash(capsys, ctx, tmp_path):
    f = tmp_path / "deep.json"
    f.write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    code, _o, err = run(capsys, "library", "import", str(f))
    assert code != 0 and "nested too deeply" in err and "unexpected error" not in err


def test_an_order_json_with_a_key_given_twice_is_refused(capsys, ctx, tmp_path):
    """The JSON twin of a duplicated CSV header: refills "1" then "11" must not become 11 silently."""
    pid = add_plain_patient(ctx)
    before = counts(ctx)
    order = example_order()
    text = json.dumps(order)
    text = text.replace('"refills": ', '"refills": "11", "refills": ', 1)
    assert text.count('"refills"') == 2
    f = tmp_path / "twice.json"
    f.write_text(text)
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(f))
    assert code == 2 and out == ""
    assert 'the key "refills" appears twice in one object' in err
    assert counts(ctx) == before


def test_an_order_json_with_a_bom_and_crlf_lines_is_accepted(capsys, ctx, tmp_path):
    pid = add_plain_patient(ctx)
    f = tmp_path / "win.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps(example_order(), indent=2).replace("\n", "\r\n").encode())
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(f))
    assert code == 0, err


def test_an_order_file_that_is_a_pipe_is_refused_without_waiting(capsys, ctx, tmp_path):
    pid = add_plain_patient(ctx)
    fifo = tmp_path / "order.json"
    os.mkfifo(fifo)
    before = counts(ctx)
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(fifo))
    assert code == 2 and "is a pipe, not a file" in err
    assert counts(ctx) == before


def test_set_password_into_a_keyring_that_keeps_nothing_does_not_say_saved(capsys, ctx, monkeypatch):
    """keyring's null backend accepts every password and returns None: 'saved' would be a lie."""
    import io

    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        run(capsys, "settings", "set", "fax.username", "bob")
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
        code, out, err = run(capsys, "fax", "set-password", "--password-stdin")
        assert code != 0 and "saved in the system keyring" not in out
        assert "does not give it back, so it was not saved" in err
        code, out, _e = run(capsys, "doctor")
        assert "did not return the password it was given" in out
    finally:
        keyring.set_keyring(previous)


def test_full_width_digits_read_the_same_in_both_date_spellings(capsys, ctx):
    """An input method's full-width digits: 03/04/1950 in them was read, 1950-03-04 in them was
    called 'not a real date' (a wrong message: the day exists)."""
    code, _o, err = run(capsys, "patient", "add", "--name", "Wen Li", "--dob", "１９５０-０３-０４", "--nkda")
    assert code == 0, err
    assert [p.dob.isoformat() for p in patients.list_patients(ctx)] == ["1950-03-04"]
    code, _o, err = run(capsys, "patient", "add", "--name", "Wen Li", "--dob", "０３/０４/１９５０", "--nkda")
    assert code == 2 and "is already recorded (patient 1)" in err
    code, _o, err = run(capsys, "patient", "add", "--name", "Wen Lo", "--dob", "１９５０-０２-３０", "--nkda")
    assert code == 2 and "is not a real date" in err


def test_a_right_pin_clears_the_count_of_that_operator_only(ctx, data_dir):
    operators.add_operator(ctx, "Pat Rx", "PR", "2468")
    operators.add_operator(ctx, "Ann Rx", "AR", "1357", by="Pat Rx")
    ctx.trust_login = False
    for _n in range(3):
        with pytest.raises(InputRefused):
            operators.sign_in(ctx, "Pat Rx", "0000")
        with pytest.raises(InputRefused):
            operators.sign_in(ctx, "Ann Rx", "0000")
    operators.sign_in(ctx, "Ann Rx", "1357")
    rows = dict(ctx.store.conn.execute("SELECT operator, failures FROM pin_attempts").fetchall())
    assert rows == {"Pat Rx": 3}
    # An empty PIN is a wrong PIN too, counted and audited.
    with pytest.raises(InputRefused):
        operators.sign_in(ctx, "Pat Rx", "")
    assert ctx.store.conn.execute("SELECT failures FROM pin_attempts").fetchone()[0] == 4
    assert ctx.store.conn.execute("SELECT count(*) FROM audit_events WHERE action = "
                                  "'operator.pin_wrong'").fetchone()[0] == 7


def test_an_empty_data_dir_option_does_not_fall_back_to_the_real_data_dir(capsys, ctx, data_dir):
    """`k2desk --data-dir "$UNSET" demo` must not write into the default (real) data dir."""
    add_plain_patient(ctx)
    before = counts(ctx)
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", "", "patient", "add", "--name", "Fake Person", "--dob", "1950-01-01",
              "--nkda"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert "the data directory is empty" in err
    assert counts(ctx) == before


@pytest.mark.parametrize("pin", ["²²²²", "１２３４", "١٢٣٤"])
def test_a_pin_of_digits_that_are_not_0_to_9_is_refused(ctx, pin):
    """A PIN set with superscript or full-width digits could never be typed again as 1234."""
    with pytest.raises(InputRefused) as exc:
        operators.add_operator(ctx, "Pat Rx", "PR", pin)
    assert exc.value.issues[0].code == "pin_invalid" and "(0-9)" in exc.value.issues[0].message
    assert operators.list_operators(ctx) == []
