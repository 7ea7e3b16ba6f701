"""Validators for identifiers, phone numbers, dates and quantities.

Each returns field-level issues; none raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from k2desk.domain.issues import FieldIssue, error, warning
from k2desk.domain.phone_fast import common_us_e164

_NPI_RE = re.compile(r"^[12]\d{9}$")
_DEA_RE = re.compile(r"^([A-Z])([A-Z9])(\d{7})$")
# Registrant type letters for DEA numbers (DEA Diversion Control registrant categories).
DEA_REGISTRANT_LETTERS = frozenset("ABCDEFGHJKLMPRSTUX")
DEA_PRACTITIONER_LETTERS = frozenset("ABFGM")
MIN_DOB = dt.date(1900, 1, 1)


def npi_checksum_ok(npi: str) -> bool:
    """Luhn check over the NPI with the 80840 card-issuer prefix (adds 24 to the sum)."""
    # Written by hand: the Luhn rule with the NPI prefix is four lines; no maintained
    # library offers it for NPIs specifically.
    total = 24
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def validate_npi(value: str, field: str = "npi", *, required: bool = False) -> list[FieldIssue]:
    """NPI: 10 digits starting with 1 or 2, Luhn check with the 80840 prefix (a warning)."""
    v = value.strip().replace(" ", "").replace("-", "")
    if not v:
        return [error(field, "required", "NPI is required (10 digits).")] if required else []
    if not _NPI_RE.match(v):
        return [
            error(field, "npi_format",
                  f"NPI {value!r} is not 10 digits starting with 1 or 2 (for example 1234567893).")
        ]
    if not npi_checksum_ok(v):
        return [
            warning(field, "npi_checksum",
                    f"NPI {v} fails the check-digit test; check it against the prescriber's "
                    "records, or override with a reason.")
        ]
    return []


def dea_checksum_ok(dea: str) -> bool:
    d = [int(c) for c in dea[2:]]
    total = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])
    return total % 10 == d[6]


def validate_dea(
    value: str, field: str = "dea", *, last_name: str | None = None, required: bool = False
) -> list[FieldIssue]:
    """DEA: 2 letters + 7 digits; registrant letter, last-name initial and check digit."""
    v = value.strip().upper().replace(" ", "")
    if not v:
        return [error(field, "required", "DEA number is required for scheduled ingredients.")] \
            if required else []
    m = _DEA_RE.match(v)
    if not m:
        return [
            error(field, "dea_format",
                  f"DEA number {value!r} must be two letters and seven digits (for example AP5836727).")
        ]
    issues: list[FieldIssue] = []
    if m.group(1) not in DEA_REGISTRANT_LETTERS:
        issues.append(
            warning(field, "dea_registrant",
                    f"DEA number {v} starts with {m.group(1)!r}, which is not a DEA registrant type "
                    "(practitioners use A, B, F or G; mid-levels M).")
        )
    if last_name:
        initial = next((c.upper() for c in last_name.strip() if c.isalpha()), "")
        if initial and m.group(2) != "9" and initial.isascii() and m.group(2) != initial:
            issues.append(
                warning(field, "dea_initial",
                        f"DEA number {v}: second letter {m.group(2)!r} does not match the "
                        f"prescriber's last-name initial {initial!r}.")
            )
    if not dea_checksum_ok(v):
        issues.append(
            warning(field, "dea_checksum",
                    f"DEA number {v} fails the check-digit test; verify it, or override with a reason.")
        )
    return issues


def normalise_phone(
    value: str, field: str = "phone", *, label: str = "Phone", region: str = "US"
) -> tuple[str | None, list[FieldIssue]]:
    """Parse a phone or fax number with phonenumbers; return it as E.164."""
    v = value.strip()
    if not v:
        return None, []
    e164 = _e164(v, region)
    if e164 is None:
        return None, [
            error(field, "phone_invalid",
                  f"{label} {value!r} is not a valid phone number; type a 10-digit US number "
                  "such as (817) 860-6083, or +country code and number.")
        ]
    return e164, []


@lru_cache(maxsize=65536)
def _e164(v: str, region: str) -> str | None:
    """The E.164 form of a stripped number, or None if it is not valid. Cached: an import reads
    the same pharmacy and clinic numbers many times, and each is parsed once."""
    if region == "US":
        fast = common_us_e164(v)  # the common US spellings, checked against the same metadata
        if fast is not None:
            return fast or None
    import phonenumbers  # on first use: its metadata would slow the window's start (issue #23)

    try:
        num = phonenumbers.parse(v, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """Show a stored E.164 number the way people read it (national format at home)."""
    if not e164:
        return ""
    import phonenumbers  # on first use, as in normalise_phone

    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if num.country_code == 1
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(num, fmt)


_US_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_FORMATS_HELP = "MM/DD/YYYY or YYYY-MM-DD, for example 03/14/1956 or 1956-03-14"


def parse_date(value: str, field: str, *, label: str = "Date") -> tuple[dt.date | None, list[FieldIssue]]:
    """A real calendar date written MM/DD/YYYY (US order) or YYYY-MM-DD.

    Never DD/MM: this is a US counter, so 03/04/1956 is March 4 and 14/03/1956 is refused.
    The caller stores the returned date (ISO), never the text as typed.
    """
    v = value.strip()
    m = _US_DATE_RE.match(v)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if m is None and iso is None and not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{1,3}", v):
        # The wrong *way of writing* a date is a different mistake from a day that does not
        # exist (issue 18): say which one it is.
        return None, [error(field, "date_format",
                            f"{label} {value!r} is not written as a date this program reads; "
                            f"write {DATE_FORMATS_HELP}.")]
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))), []
        # From the digits matched (not fromisoformat, which knows only ASCII digits): full-width
        # digits typed by an input method read as a date in both spellings alike.
        if iso is not None:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), []
    except ValueError:
        pass
    return None, [error(field, "date_invalid", f"{label} {value!r} {_why_not_a_date(v)}; "
                                               f"write {DATE_FORMATS_HELP}.")]


def _why_not_a_date(v: str) -> str:
    """What is wrong with a date as typed, in the words of the person who typed it."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{1,4})", v)
    if m:
        month, day, year = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            return f"has a short year ({m.group(3)}: 19{m.group(3)[-2:]:0>2} or 20{m.group(3)[-2:]:0>2}?)"
        if month > 12 and 1 <= day <= 12:
            return (f"has no month {month}: this counter writes the month first "
                    f"(day/month is never read), so it would be {day:02d}/{month:02d}/{year:04d}")
        return _no_such_day(month, day)
    iso = re.fullmatch(r"\d{4}-(\d{2})-(\d{2})", v)
    if iso:
        return _no_such_day(int(iso.group(1)), int(iso.group(2)))
    return "is not a real date"


def _no_such_day(month: int, day: int) -> str:
    if 1 <= month <= 12 and day >= 1:
        return f"is not a real date: {dt.date(2000, month, 1).strftime('%B')} has no day {day}"
    return "is not a real date"


def iso_date_or_text(value: str) -> str:
    """``value`` as YYYY-MM-DD when it is a date in an accepted spelling, else unchanged."""
    d, _issues = parse_date(value, "date")
    return d.isoformat() if d else value


def validate_dob(value: str, field: str = "dob", *, today: dt.date | None = None
                 ) -> tuple[dt.date | None, list[FieldIssue]]:
    """Date of birth: a real date, not in the future, not before 1900."""
    if not value.strip():
        return None, [error(field, "required", "Date of birth is required (MM/DD/YYYY or YYYY-MM-DD).")]
    d, issues = parse_date(value, field, label="Date of birth")
    if d is None:
        return None, issues
    today = today or dt.date.today()
    if d > today:
        return None, [error(field, "dob_future",
                            f"Date of birth {d.isoformat()} is in the future; "
                            f"accepted: 1900-01-01 to {today.isoformat()}.")]
    if d < MIN_DOB:
        return None, [error(field, "dob_too_old",
                            f"Date of birth {d.isoformat()} is before 1900; "
                            f"accepted: 1900-01-01 to {today.isoformat()}.")]
    return d, []


def parse_positive_quantity(value: str | int | float | Decimal, field: str, *, label: str
                            ) -> tuple[Decimal | None, list[FieldIssue]]:
    """A quantity greater than zero."""
    try:
        q = Decimal(str(value).strip())
    except InvalidOperation:
        q = None
    if q is None or not q.is_finite():
        return None, [error(field, "number_invalid",
                            f"{label} {value!r} is not a number; type a number greater than 0.")]
    if q <= 0:
        return None, [error(field, "not_positive",
                            f"{label} must be greater than 0 (got {value}).")]
    return q, []


def validate_allergies(allergies: list[str], nkda: bool, field: str = "allergies"
                       ) -> list[FieldIssue]:
    """Allergies are a list or an explicit NKDA, never silently empty, never both."""
    listed = [a for a in allergies if a.strip()]
    if nkda and listed:
        return [error(field, "nkda_conflict",
                      "Allergies are listed and NKDA is also set; choose one.")]
    if not nkda and not listed:
        return [error(field, "allergies_missing",
                      "Record the patient's allergies, or mark NKDA (no known drug allergies).")]
    return []
