"""The fast path for common US phone spellings gives phonenumbers' own answer (issue 23)."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from k2desk.domain.phone_fast import common_us_e164, nanp_valid
from k2desk.domain.validation import _e164, normalise_phone


def _phonenumbers(text: str) -> str | None:
    try:
        num = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


digits = st.text("0123456789", min_size=3, max_size=3)
# Area codes and exchanges from all over the plan (valid, unassigned, Caribbean, Canadian, N11).
area = st.one_of(digits, st.sampled_from(["817", "212", "416", "876", "800", "900", "911", "555",
                                          "268", "787", "671", "011", "100"]))
spelling = st.sampled_from(["({a}) {e}-{n}", "({a}){e}-{n}", "{a}-{e}-{n}", "{a}.{e}.{n}",
                            "{a} {e} {n}", "{a}{e}{n}", "1-{a}-{e}-{n}", "+1 {a} {e} {n}",
                            "+1 ({a}) {e}-{n}", "1 ({a}) {e}-{n}", "+1{a}{e}{n}", "1{a}{e}{n}",
                            "1.{a}.{e}.{n}"])


@settings(max_examples=1500)
@given(area, digits, st.text("0123456789", min_size=4, max_size=4), spelling)
def test_common_spellings_agree_with_phonenumbers(a: str, e: str, n: str, form: str) -> None:
    text = form.format(a=a, e=e, n=n)
    fast = common_us_e164(text)
    assert fast is not None, f"{text!r} is a common spelling"
    assert (fast or None) == _phonenumbers(text), text
    _e164.cache_clear()
    got, issues = normalise_phone(text)
    assert got == _phonenumbers(text)
    assert bool(issues) == (got is None)


@settings(max_examples=800)
@given(st.text(st.sampled_from("0123456789 ()+-.x#*/ext"), max_size=20))
def test_any_text_agrees_with_phonenumbers(text: str) -> None:
    _e164.cache_clear()
    got, issues = normalise_phone(text)
    expected = _phonenumbers(text.strip()) if text.strip() else None
    assert got == expected, text
    assert bool(issues) == (text.strip() != "" and expected is None)


def test_validity_follows_every_nanp_region() -> None:
    # A Toronto, a Jamaica and a Texas number are valid; an unassigned area code is not.
    assert nanp_valid("4165550123") == phonenumbers.is_valid_number(phonenumbers.parse("+14165550123"))
    assert nanp_valid("8768760000") == phonenumbers.is_valid_number(phonenumbers.parse("+18768760000"))
    assert nanp_valid("8178606083") and common_us_e164("(817) 860-6083") == "+18178606083"
    assert common_us_e164("(999) 860-6083") is False
    assert normalise_phone("(999) 860-6083")[1][0].code == "phone_invalid"
    assert common_us_e164("+44 20 7946 0958") is None  # not a US spelling: phonenumbers decides
    assert normalise_phone("+44 20 7946 0958")[0] == "+442079460958"
