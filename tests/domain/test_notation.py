"""Error-safe notation (ISMP): leading zero, no trailing zero, mcg, units; and the days' supply
that follows from quantity and sig."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k2desk.domain.documents import OrderLine
from k2desk.domain.issues import Severity, blocking
from k2desk.domain.notation import normalise_order, safe_number, safe_sig, safe_unit
from k2desk.domain.orders import days_supply_issues
from k2desk.library.forms import load_form


@pytest.mark.parametrize(("typed", "safe"), [
    (".5", "0.5"), ("5.0", "5"), ("10.50", "10.5"), ("5.", "5"), ("007", "7"), ("0.05", "0.05"),
    ("1000", "1000"), ("  .25 ", "0.25"), ("0.0", "0"), ("abc", "abc"), ("1e3", "1e3"),
])
def test_safe_number(typed: str, safe: str) -> None:
    assert safe_number(typed) == safe


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_safe_numbers_never_lead_with_a_point_or_end_in_zero_after_one(d) -> None:  # type: ignore[no-untyped-def]
    s = safe_number(format(d, "f"))
    assert not s.startswith(".")
    assert not ("." in s and (s.endswith("0") or s.endswith(".")))
    from decimal import Decimal
    assert Decimal(s) == d


@pytest.mark.parametrize(("typed", "safe"), [
    ("µg", "mcg"), ("μg", "mcg"), ("ug", "mcg"), ("IU", "units"), ("iu", "units"), ("U", "units"),
    ("IU/mL", "units/mL"), ("µg/ml", "mcg/mL"), ("mg", "mg"), ("cc", "cc"),
])
def test_safe_unit(typed: str, safe: str) -> None:
    assert safe_unit(typed) == safe


def test_safe_sig_rewrites_numbers_and_units_but_not_words() -> None:
    assert safe_sig("Take .5 mL (2.0 mg, 400 IU, 50 µg) 1.50 times. Use U.S. units") == \
        "Take 0.5 mL (2 mg, 400 units, 50 mcg) 1.5 times. Use U.S. units"
    assert safe_sig("Take 1 capsule twice daily.") == "Take 1 capsule twice daily."
    assert safe_sig("Version 1.10 of MK-7") == "Version 1.1 of MK-7"


def test_normalise_order_notes_each_change_and_never_blocks() -> None:
    form = load_form("compound_order")
    values = {"compound.quantity": "30.0", "compound.sig": "Take .5 capsule daily",
              "compound.refills": "02"}
    lines = [OrderLine("MK-7", ".5", "µg"), OrderLine("D3", "1000", "IU"), OrderLine("MK-4", "15", "mg")]
    out, new_lines, notes = normalise_order(form, values, lines)
    assert out["compound.quantity"] == "30" and out["compound.sig"] == "Take 0.5 capsule daily"
    assert out["compound.refills"] == "2"
    assert new_lines == [OrderLine("MK-7", "0.5", "mcg"), OrderLine("D3", "1000", "units"),
                         OrderLine("MK-4", "15", "mg")]
    assert {n.field for n in notes} == {"compound.quantity", "compound.sig", "compound.refills",
                                        "ingredients.1.strength", "ingredients.1.unit",
                                        "ingredients.2.unit"}
    assert all(n.severity is Severity.NOTE for n in notes) and blocking(notes) == []
    by = {n.field: n.message for n in notes}
    assert "µg is misread as mg" in by["ingredients.1.unit"]
    assert "misread as 0, 4, 10 or IV" in by["ingredients.2.unit"]
    assert "so .5 is not read as 5" in by["ingredients.1.strength"]
    assert "so 5.0 is not read as 50" in by["compound.quantity"]


@pytest.mark.parametrize(("qty", "unit", "sig", "days", "warned"), [
    ("270", "capsules", "Take 1 capsule by mouth three times daily", "30", True),
    ("270", "capsules", "Take 1 capsule by mouth three times daily", "90", False),
    ("90", "capsules", "Take 1 capsule by mouth three times daily", "30", False),
    ("45", "capsules", "Take 2 capsules twice daily", "11", False),  # 11.25 days: 11 or 12
    ("45", "capsules", "Take 2 capsules twice daily", "12", False),
    ("45", "capsules", "Take 2 capsules twice daily", "20", True),
    ("100", "mL", "Take 5 mL every 12 hours", "10", False),
    ("100", "mL", "Take 1 capsule daily", "99", False),  # the sig does not name the unit: no guess
    ("30", "capsules", "Use as directed", "7", False),  # unreadable sig: no guess
    ("30", "capsules", "Take 1 capsule daily", "", False),  # no days' supply given
])
def test_days_supply_follows_from_quantity_and_sig(qty: str, unit: str, sig: str, days: str,
                                                   warned: bool) -> None:
    found = days_supply_issues({"compound.quantity": qty, "compound.quantity_unit": unit,
                                "compound.sig": sig, "compound.days_supply": days})
    assert bool(found) == warned
    if warned:
        [w] = found
        assert w.field == "compound.days_supply" and w.severity is Severity.WARNING
