"""A fast path for the phone numbers a US counter types most, with phonenumbers' own answer.

Checking 100,000 imported patients spent most of its time in ``phonenumbers.parse`` and
``is_valid_number`` (about 150 µs a number). The common US spellings — ``(817) 860-6083``,
``817-860-6083``, ``817.860.6083``, ``8178606083``, with or without a leading ``1``/``+1`` — name
their ten digits plainly, so only the validity test is needed, and that test is phonenumbers' own
metadata (the same national-number patterns, for every region sharing country code 1, in the
same order ``is_valid_number`` tries them), compiled once here. Anything else is parsed by
phonenumbers as before. tests/domain/test_phone_fast.py checks the two agree (hypothesis).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

# Exactly the spellings whose digits are unambiguous: an optional country code 1, then a
# three-digit area code (in brackets or not) and the seven-digit number, separated by at most one
# space, dot or hyphen.
_COMMON_US = re.compile(
    r"(?:\+1 ?|1[ .-]?)?(?:\((\d{3})\) ?|(\d{3})[ .-]?)(\d{3})[ .-]?(\d{4})", re.ASCII)

_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")


def _desc(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    pattern = None if desc is None else desc.national_number_pattern
    if not pattern:
        return None  # phonenumbers: an empty pattern never matches
    return frozenset(desc.possible_length or ()), re.compile(pattern)


@cache
def _nanp() -> tuple[tuple[re.Pattern[str] | None, Any, tuple[Any, ...]], ...]:
    import phonenumbers  # loaded on first use: its metadata is large

    regions = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        md = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
        if md is None:
            continue
        leading = re.compile(md.leading_digits) if md.leading_digits is not None else None
        types = [d for name in _TYPES if (d := _desc(getattr(md, name))) is not None]
        # "Of some known type" is one match: the types' patterns joined, one pattern for each
        # set of allowed lengths (the same answer as trying them one by one, in one pass).
        by_lengths: dict[frozenset[int], list[str]] = {}
        for lengths, pattern in types:
            by_lengths.setdefault(lengths, []).append(f"(?:{pattern.pattern})")
        joined = tuple((lengths, re.compile("|".join(ps))) for lengths, ps in by_lengths.items())
        regions.append((leading, _desc(md.general_desc), joined))
    return tuple(regions)


def _matches(nsn: str, desc: tuple[frozenset[int], re.Pattern[str]] | None) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(nsn) not in lengths:
        return False
    return pattern.fullmatch(nsn) is not None


def _has_type(nsn: str, general: Any, types: tuple[Any, ...]) -> bool:
    return _matches(nsn, general) and any(_matches(nsn, d) for d in types)


def nanp_valid(nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` for +1 and the ten-digit national number ``nsn``: the
    region is the first whose leading digits match (or, without leading digits, whose patterns
    match), and the number must be of a known type there."""
    for leading, general, types in _nanp():
        if leading is not None:
            if leading.match(nsn):
                return _has_type(nsn, general, types)
        elif _has_type(nsn, general, types):
            return True
    return False


def common_us_e164(text: str) -> str | Literal[False] | None:
    """For a common US spelling: its E.164 form if valid, False if not a valid number; None
    when ``text`` is not one of the common spellings (ask phonenumbers)."""
    m = _COMMON_US.fullmatch(text)
    if m is None:
        return None
    nsn = (m.group(1) or m.group(2)) + m.group(3) + m.group(4)
    return "+1" + nsn if nanp_valid(nsn) else False
