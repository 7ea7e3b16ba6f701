import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k2desk.domain.issues import Severity, blocking, warning
from k2desk.domain.text import check_text
from k2desk.domain.validation import (
    format_phone,
    normalise_phone,
    npi_checksum_ok,
    parse_positive_quantity,
    validate_allergies,
    validate_dea,
    validate_dob,
    validate_npi,
)


@pytest.mark.parametrize("npi", ["1234567893", "1558598797", "1669512349"])
def test_valid_npis_pass(npi):
    assert validate_npi(npi) == []


def test_npi_with_bad_check_digit_is_an_overridable_warning():
    (issue,) = validate_npi("1234567890", "prescriber.npi")
    assert issue.field == "prescriber.npi"
    assert issue.severity is Severity.WARNING
    assert issue.code == "npi_checksum"


@pytest.mark.parametrize("npi", ["123456789", "3234567893", "12345678a3", "12345678931"])
def test_malformed_npi_is_an_error_saying_what_is_accepted(npi):
    (issue,) = validate_npi(npi)
    assert issue.severity is Severity.ERROR
    assert "10 digits" in issue.message


@given(st.from_regex(r"[12]\d{8}", fullmatch=True))
def test_exactly_one_check_digit_completes_each_npi(prefix):
    assert sum(npi_checksum_ok(prefix + str(d)) for d in range(10)) == 1


@pytest.mark.parametrize("dea,last", [("AP5836727", "Patel"), ("AJ5184279", "Jones")])
def test_valid_dea_numbers_pass(dea, last):
    assert validate_dea(dea, last_name=last) == []


def test_dea_checksum_failure_is_a_warning():
    issues = validate_dea("AP5836728", last_name="Patel")
    assert [i.code for i in issues] == ["dea_checksum"]
    assert issues[0].severity is Severity.WARNING


def test_dea_last_name_initial_mismatch_is_flagged():
    issues = validate_dea("AP5836727", last_name="Smith")
    assert "dea_initial" in [i.code for i in issues]


def test_dea_unknown_registrant_letter_is_flagged():
    # Z is not a registrant type; digits chosen so the checksum itself is right
    codes = [i.code for i in validate_dea("ZP5836727", last_name="Patel")]
    assert codes == ["dea_registrant"]


@pytest.mark.parametrize("bad", ["A5836727", "AP58367", "1P5836727", "AP583672X"])
def test_malformed_dea_is_an_error(bad):
    (issue,) = validate_dea(bad)
    assert issue.severity is Severity.ERROR and issue.code == "dea_format"


def test_phone_is_stored_as_e164_and_shown_nationally():
    e164, issues = normalise_phone("(817) 860-6083")
    assert issues == [] and e164 == "+18178606083"
    assert format_phone(e164) == "(817) 860-6083"


def test_bad_phone_names_the_field():
    e164, (issue,) = normalise_phone("12345", "prescriber.fax", label="Fax")
    assert e164 is None and issue.field == "prescriber.fax" and "Fax" in issue.message


def test_dob_rules():
    today = dt.date(2026, 11, 22)
    assert validate_dob("1956-03-14", today=today)[0] == dt.date(1956, 3, 14)
    assert validate_dob("2026-02-30", today=today)[1][0].code == "date_invalid"
    assert validate_dob("2026-11-23", today=today)[1][0].code == "dob_future"
    assert validate_dob("1899-12-31", today=today)[1][0].code == "dob_too_old"
    assert validate_dob("", today=today)[1][0].code == "required"


@pytest.mark.parametrize("raw,ok", [("1", True), ("0.5", True), ("0", False), ("-3", False),
                                    ("abc", False), ("NaN", False), ("inf", False)])
def test_quantities_must_be_positive_numbers(raw, ok):
    q, issues = parse_positive_quantity(raw, "compound.quantity", label="Quantity")
    assert (q is not None) is ok and (issues == []) is ok


def test_allergies_are_a_list_or_nkda_never_silently_empty():
    assert validate_allergies([], nkda=False)[0].code == "allergies_missing"
    assert validate_allergies(["penicillin"], nkda=True)[0].code == "nkda_conflict"
    assert validate_allergies([], nkda=True) == []
    assert validate_allergies(["sulfa"], nkda=False) == []


@pytest.mark.parametrize("name", [
    "O'Brien", 'Jean "JJ" Dupont', "Smith <&> Sons", "Zoë 👩‍⚕️", "محمد عبد الله", "דוד כהן",
    "x" * 1000,
])
def test_names_people_type_are_accepted(name):
    assert check_text(name, "name", label="Name", required=True) == []


@pytest.mark.parametrize("bad,code", [
    ("Ann\x00Lee", "control_character"), ("Ann\x07", "control_character"),
    ("Ann\nLee", "control_character"), ("\u202eeeL nnA", "control_character"),
    ("Ann\ud800", "bad_character"), ("x" * 1001, "too_long"), ("   ", "required"),
])
def test_control_characters_and_overlong_text_are_refused(bad, code):
    issues = check_text(bad, "name", label="Name", required=True)
    assert issues and issues[0].code == code and issues[0].field == "name"


def test_line_breaks_allowed_only_in_multiline_fields():
    assert check_text("1 Main St\nApt 2", "address", label="Address", multiline=True) == []


def test_warning_needs_a_non_blank_reason_to_stop_blocking():
    w = warning("prescriber.npi", "npi_checksum", "bad check digit")
    assert blocking([w]) == [w]
    assert blocking([w], {"prescriber.npi": "   "}) == [w]
    assert blocking([w], {"prescriber.npi": "verified by phone with the prescriber"}) == []


def test_us_dates_are_accepted_and_dd_mm_is_never_guessed():
    from k2desk.domain.validation import iso_date_or_text, parse_date

    assert parse_date("03/14/1956", "dob")[0] == dt.date(1956, 3, 14)
    assert parse_date("3/4/1956", "dob")[0] == dt.date(1956, 3, 4)  # March 4, never April 3
    assert parse_date("1956-03-14", "dob")[0] == dt.date(1956, 3, 14)
    d, issues = parse_date("14/03/1956", "dob", label="Date of birth")  # DD/MM: refused
    assert d is None and issues[0].code == "date_invalid"
    assert "MM/DD/YYYY" in issues[0].message and "YYYY-MM-DD" in issues[0].message
    assert parse_date("02/30/1956", "dob")[0] is None
    assert parse_date("1956-3-14", "dob")[0] is None
    assert validate_dob("03/14/1956", today=dt.date(2026, 1, 1))[0] == dt.date(1956, 3, 14)
    assert iso_date_or_text("03/14/1956") == "1956-03-14"
    assert iso_date_or_text("soon") == "soon"
