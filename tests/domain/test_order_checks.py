"""Order checks: fields, identifiers, DEA only when scheduled, dose limits, status workflow."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k2desk.domain.documents import OrderLine
from k2desk.domain.dosing import check_doses, to_mcg
from k2desk.domain.evidence import DoseLimit
from k2desk.domain.issues import Severity, blocking
from k2desk.domain.orders import (
    CANCELLED,
    COMPOUNDED,
    DISPENSED,
    DRAFT,
    SENT,
    SIGNED,
    check_transition,
    next_statuses,
    prescriber_last_name,
    read_order_data,
    validate_order,
)
from k2desk.domain.sig import read_sig
from k2desk.library.forms import load_form
from k2desk.resources import form_path

TODAY = dt.date(2026, 11, 22)
MK4 = DoseLimit(ingredient="MK-4", aliases=("menatetrenone", "menaquinone-4"), max_daily=90.0,
                unit="mg", snippet_id="dose-mk4")
MK7 = DoseLimit(ingredient="MK-7", aliases=("menaquinone-7",), max_daily=360.0, unit="mcg",
                snippet_id="dose-mk7")
LIMITS = [MK4, MK7]
PATIENT = {"patient.name": "Ana Souza", "patient.dob": "1956-03-14",
           "patient.allergies": "NKDA (no known drug allergies)"}


def _example() -> tuple[dict[str, str], list[OrderLine]]:
    form = load_form("compound_order")
    data = json.loads(form_path("examples/compound_order_example.json").read_text("utf-8"))
    values, lines, issues = read_order_data(form, data)
    assert issues == []
    return {**values, **PATIENT}, lines


def _validate(values: dict[str, str], lines: list[OrderLine]) -> list:
    return validate_order(load_form("compound_order"), values, lines, dose_limits=LIMITS, today=TODAY)


def test_example_order_is_clean() -> None:
    values, lines = _example()
    assert values["compound.daw"] == "no"
    assert lines == [OrderLine("MK-4 (menatetrenone)", "15", "mg")]
    assert _validate(values, lines) == []


def test_every_missing_required_field_is_an_error() -> None:
    issues = _validate({}, [])
    fields = {i.field for i in issues if i.severity is Severity.ERROR}
    assert {"patient.name", "patient.dob", "patient.diagnosis", "prescriber.name", "prescriber.npi",
            "prescriber.licence", "prescriber.address", "prescriber.phone", "prescriber.date_written",
            "compound.base", "compound.dosage_form", "compound.quantity", "compound.quantity_unit",
            "compound.sig", "compound.refills", "ingredients", "patient.allergies"} <= fields
    assert "prescriber.dea" not in fields  # K2 is not scheduled
    assert "patient.icd10" not in fields and "compound.days_supply" not in fields


def test_bad_npi_is_overridable_warning_bad_format_is_error() -> None:
    values, lines = _example()
    issues = _validate({**values, "prescriber.npi": "1234567890"}, lines)
    assert [(i.field, i.severity, i.code) for i in issues] == [
        ("prescriber.npi", Severity.WARNING, "npi_checksum")]
    assert blocking(issues, {"prescriber.npi": "Verified on NPPES"}) == []
    assert blocking(issues, {"prescriber.npi": "  "}) == issues
    fmt = _validate({**values, "prescriber.npi": "12345"}, lines)
    assert fmt[0].severity is Severity.ERROR
    assert blocking(fmt, {"prescriber.npi": "reason"}) == fmt


def test_dea_checked_with_last_name_and_required_only_when_scheduled() -> None:
    values, lines = _example()
    assert prescriber_last_name("Dr. Maria Lopez, MD") == "Lopez"
    issues = _validate({**values, "prescriber.dea": "AP5836727"}, lines)
    assert [i.code for i in issues] == ["dea_initial"]  # P is not Lopez's L
    issues = _validate({**values, "prescriber.name": "Dr. Ann Park", "prescriber.dea": "AP5836727"},
                       lines)
    assert issues == []
    scheduled = lines + [OrderLine("Testosterone cypionate", "50", "mg")]
    issues = _validate(values, scheduled)
    assert [(i.field, i.code) for i in issues] == [("prescriber.dea", "required")]
    bad = _validate({**values, "prescriber.name": "Dr. Ann Park", "prescriber.dea": "AP5836728"},
                    lines)
    assert [i.code for i in bad] == ["dea_checksum"]


@pytest.mark.parametrize(("key", "value", "code"), [
    ("compound.refills", "12", "refills_range"),
    ("compound.refills", "-1", "refills_range"),
    ("compound.refills", "x", "int_invalid"),
    ("compound.quantity", "0", "not_positive"),
    ("compound.quantity", "lots", "number_invalid"),
    ("compound.days_supply", "0", "not_positive"),
    ("compound.dosage_form", "pill", "bad_choice"),
    ("prescriber.date_written", "2026-02-30", "date_invalid"),
    ("prescriber.date_written", "2026-12-01", "date_future"),
    ("prescriber.phone", "12", "phone_invalid"),
    ("patient.icd10", "osteo", "icd10_format"),
    ("compound.daw", "maybe", "bad_bool"),
    ("compound.sig", "line\x00", "control_character"),
])
def test_field_errors(key: str, value: str, code: str) -> None:
    values, lines = _example()
    issues = _validate({**values, key: value}, lines)
    assert [(i.field, i.code, i.severity) for i in issues] == [(key, code, Severity.ERROR)]


def test_ingredient_line_errors_are_keyed_per_line() -> None:
    values, _ = _example()
    lines = [OrderLine("MK-4", "15", "mg"), OrderLine("", "-3", "tsp")]
    issues = _validate(values, lines)
    assert {(i.field, i.code) for i in issues} == {
        ("ingredients.2.ingredient", "required"), ("ingredients.2.strength", "not_positive"),
        ("ingredients.2.unit", "bad_choice")}


@pytest.mark.parametrize(("sig", "per_dose", "per_day"), [
    ("Take 1 capsule by mouth twice daily", 1, 2),
    ("take 1 daily", 1, 1),
    ("Take 2 capsules three times a day with meals", 2, 3),
    ("1 cap PO BID", 1, 2),
    ("2 caps tid", 2, 3),
    ("Dissolve one troche under the tongue every 12 hours", 1, 2),
    ("Take 5 mL every 8 hours", 5, 3),
    ("one capsule at bedtime", 1, 1),
    ("Take 1 capsule four times daily", 1, 4),
    ("Take 1 capsule every other day", 1, Decimal("0.5")),
    ("Take 1 capsule every 8 to 12 hours", 1, 3),
    ("Take one capsule with each meal", 1, 3),
    ("Take 2 capsules in the morning and at bedtime", 2, 2),
    ("Take 1 capsule once weekly", 1, Decimal(1) / Decimal(7)),
    ("Apply as directed", None, None),
])
def test_read_sig(sig: str, per_dose: object, per_day: object) -> None:
    r = read_sig(sig)
    assert r.per_dose == (None if per_dose is None else Decimal(str(per_dose)))
    assert r.per_day == (None if per_day is None else Decimal(str(per_day)))


def test_dose_above_limit_is_a_warning_needing_a_reason() -> None:
    values, _ = _example()
    lines = [OrderLine("MK-4 (menatetrenone)", "45", "mg")]
    issues = _validate({**values, "compound.sig": "Take 1 capsule by mouth three times daily"}, lines)
    assert [(i.field, i.severity, i.code) for i in issues] == [
        ("ingredients.1.strength", Severity.WARNING, "dose_above_limit")]
    assert "135 mg a day" in issues[0].message and "90 mg" in issues[0].message
    assert blocking(issues, {"ingredients.1.strength": "Oncologist's protocol"}) == []
    # 45 mg twice daily = 90 mg: at the limit, allowed
    assert _validate({**values, "compound.sig": "1 capsule twice daily", "compound.days_supply": "45"},
                     lines) == []


def test_dose_check_converts_units_and_matches_aliases() -> None:
    assert to_mcg(Decimal("0.5"), "mg") == Decimal("500.0")
    assert to_mcg(Decimal(1), "IU") is None
    lines = [OrderLine("Menaquinone-7 from natto", "0.2", "mg")]
    assert check_doses(lines, "take 1 daily", LIMITS) == []
    warned = check_doses(lines, "take 2 capsules daily", LIMITS)
    assert len(warned) == 1 and "400 mcg a day" in warned[0].message
    # "MK-4" does not match an "MK-7" line and vice versa
    assert check_doses([OrderLine("MK-7", "100", "mg")], "take 1 daily", [MK4]) == []


def test_unreadable_sig_compares_one_dose_and_says_so() -> None:
    lines = [OrderLine("MK-4", "100", "mg")]
    issues = check_doses(lines, "Use as directed", LIMITS)
    assert len(issues) == 1 and "only one dose was compared" in issues[0].message
    assert check_doses([OrderLine("MK-4", "50", "mg")], "Use as directed", LIMITS) == []


def test_read_order_data_refuses_unknown_and_system_keys() -> None:
    form = load_form("compound_order")
    _, _, issues = read_order_data(form, {
        "form": "fax_cover", "prescriber": {"npii": "1"}, "pharmacy_use": {"status": "dispensed"},
        "extra": {}, "ingredients": [{"ingredient": "MK-4", "colour": "red"}, "x"],
        "compound": {"sig": ["a"]}})
    assert {(i.field, i.code) for i in issues} == {
        ("form", "wrong_form"), ("prescriber.npii", "unknown_field"),
        ("pharmacy_use", "system_section"), ("extra", "unknown_section"),
        ("ingredients.1.colour", "unknown_field"), ("ingredients.2", "not_object"),
        ("compound.sig", "not_text")}
    _, _, issues = read_order_data(form, [])
    assert issues[0].field == "file"
    _, _, issues = read_order_data(form, {"compound": {}})
    assert [(i.field, i.code) for i in issues] == [("ingredients", "required")]


def test_status_workflow() -> None:
    assert next_statuses(DRAFT) == (SENT, CANCELLED)
    assert next_statuses(DISPENSED) == ()
    assert check_transition(DRAFT, SENT) == []
    assert check_transition(SENT, SIGNED) == []
    assert check_transition(SIGNED, COMPOUNDED) == []
    assert check_transition(COMPOUNDED, DISPENSED) == []
    for old in (DRAFT, SENT, SIGNED, COMPOUNDED):
        assert check_transition(old, CANCELLED) == []
    assert check_transition(DISPENSED, CANCELLED)[0].code == "bad_transition"
    assert check_transition(SENT, DISPENSED)[0].code == "not_signed"
    assert check_transition(DRAFT, DISPENSED)[0].code == "not_signed"
    assert check_transition(DRAFT, "shipped")[0].code == "unknown_status"
    assert check_transition(CANCELLED, DRAFT)[0].code == "bad_transition"
    assert all(i.severity is Severity.ERROR for i in check_transition(SENT, DISPENSED))


@given(st.text(max_size=200))
def test_read_sig_never_raises_and_counts_are_positive(sig: str) -> None:
    r = read_sig(sig)
    assert r.per_day is None or r.per_day > 0
    assert r.per_dose is None or r.per_dose >= 0


def test_an_absurd_strength_is_a_dose_warning_not_a_crash():
    # Found by the order-field property test: "1E30" mg made the warning's number formatting raise.
    from decimal import Decimal

    from k2desk.domain.dosing import _fmt

    assert _fmt(Decimal("1E30")) == "1e+30"
    assert _fmt(Decimal("12.5")) == "12.5"
