"""The one declared schema of settings: key, label, type, default, and how a value is checked.

The CLI (`k2desk settings`) and the Settings page are both built from ``SETTINGS``.
Passwords are never settings: the fax gateway password lives only in the OS keyring.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.text import check_text
from k2desk.domain.validation import normalise_phone, validate_npi

Value = str | int


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    label: str
    kind: str  # "text", "phone", "choice", "int", "npi"
    default: Value
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    multiline: bool = False

    def accepted(self) -> str:
        """Say in words what this setting accepts."""
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "int":
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.kind == "phone":
            return "a phone number such as (817) 860-6083 or +1 817 860 6083"
        if self.kind == "npi":
            return "a 10-digit NPI starting with 1 or 2"
        if self.kind == "pattern":
            return "one address containing {digits} once, for example {digits}@fax.example.com"
        if self.kind == "address":
            return "one e-mail address, for example fax@pharmacy.example.com"
        return "printable text"


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("pharmacy.name", "Pharmacy name", "text", "", "Printed in every letterhead."),
    SettingSpec("pharmacy.address", "Pharmacy address", "text", "", multiline=True),
    SettingSpec("pharmacy.phone", "Pharmacy phone", "phone", ""),
    SettingSpec("pharmacy.fax", "Pharmacy fax", "phone", "",
                "Printed on order forms as the number to fax the signed order back to."),
    SettingSpec("pharmacy.npi", "Pharmacy NPI", "npi", ""),
    SettingSpec("print.paper_size", "Paper size", "choice", "letter", choices=("letter", "a4")),
    SettingSpec("print.handout_text", "Handout text size", "choice", "standard",
                "standard prints handouts in 12 pt; large prints them in 14 pt for readers who "
                "need large print.", choices=("standard", "large")),
    SettingSpec("lock.idle_minutes", "Lock after idle minutes", "int", 10, minimum=1, maximum=240),
    SettingSpec("fax.smtp_host", "Fax gateway SMTP host", "text", ""),
    SettingSpec("fax.smtp_port", "Fax gateway SMTP port", "int", 587, minimum=1, maximum=65535),
    SettingSpec("fax.security", "Fax gateway security", "choice", "starttls",
                "'none' is allowed only for a loopback host such as a local relay.",
                choices=("starttls", "tls", "none")),
    SettingSpec("fax.username", "Fax gateway user name", "text", ""),
    SettingSpec("fax.sender", "Fax sender e-mail address", "address", "",
                "The approved sender address the gateway accepts."),
    SettingSpec("fax.recipient_pattern", "Fax recipient pattern", "pattern", "",
                "{digits} is replaced by the fax number in E.164 without '+'."),
    SettingSpec("fax.timeout_s", "Fax gateway timeout (seconds)", "int", 30, minimum=1, maximum=600),
    SettingSpec("fax.max_attempts", "Fax attempts before giving up", "int", 5, minimum=1, maximum=50),
    SettingSpec("fax.ca_file", "Fax gateway certificate authority file", "text", "",
                "Optional PEM file of the authority that signed a private relay's certificate; "
                "empty trusts the system's authorities. Certificates are always checked."),
)

SETTINGS_BY_KEY: dict[str, SettingSpec] = {s.key: s for s in SETTINGS}


def is_loopback_host(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _check_choice(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    v = raw.strip().lower()
    if v not in spec.choices:
        return None, [error(spec.key, "bad_choice",
                            f"{spec.label}: {raw!r} is not accepted; {spec.accepted()}.")]
    return v, []


def _check_int(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    try:
        n = int(raw.strip())
    except ValueError:
        n = None
    lo = spec.minimum if spec.minimum is not None else -(2**31)
    hi = spec.maximum if spec.maximum is not None else 2**31
    if n is None or not lo <= n <= hi:
        return None, [error(spec.key, "bad_number",
                            f"{spec.label}: {raw!r} is not accepted; {spec.accepted()}.")]
    return n, []


def _check_phone(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    e164, issues = normalise_phone(raw, spec.key, label=spec.label)
    return (e164 or ""), issues


def _check_npi(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    issues = validate_npi(raw, spec.key)
    # A pharmacy's own NPI is typed once; a failed check digit is an error here, not a warning.
    if issues:
        return None, [error(i.field, i.code, i.message) for i in issues]
    return raw.strip(), []


SAMPLE_DIGITS = "18175550100"


def address_problem(value: str) -> str:
    """Why ``value`` is not exactly one bare e-mail address ("" when it is one).

    Parsed by the standard library's RFC 5322 header parser (email.policy.default), not a hand
    regex: a list ("a@x, b@y"), a display name or comment, a missing domain or any parse defect
    is refused, so a setting can never make the gateway send to a second address (issue 18)."""
    from email.errors import HeaderParseError
    from email.policy import default

    v = value.strip()
    try:
        header = default.header_factory("To", v)
        addresses = header.addresses
        defects = header.defects
    except (HeaderParseError, IndexError, ValueError):
        return "it is not an e-mail address"
    if len(addresses) != 1:
        return f"it holds {len(addresses)} addresses; exactly one is accepted"
    address = addresses[0]
    if defects or address.display_name or address.addr_spec != v or "." not in address.domain:
        return "it is not a single plain e-mail address such as fax@pharmacy.example.com"
    return ""


def _check_pattern(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    v = raw.strip()
    if not v:
        return v, []
    problem = ("it does not contain {digits}" if v.count("{digits}") != 1
               else address_problem(v.replace("{digits}", SAMPLE_DIGITS)))
    if problem:
        return None, [error(spec.key, "bad_pattern",
                            f"{spec.label}: {raw!r} is not accepted ({problem}); {spec.accepted()}.")]
    return v, []


def _check_address(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    v = raw.strip()
    problem = address_problem(v) if v else ""
    if problem:
        return None, [error(spec.key, "bad_address",
                            f"{spec.label}: {raw!r} is not accepted ({problem}); {spec.accepted()}.")]
    return v, []


def _check_text(spec: SettingSpec, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    issues = check_text(raw, spec.key, label=spec.label, multiline=spec.multiline, max_length=500)
    return (None if issues else raw.strip()), issues


_CHECKS: dict[str, Callable[[SettingSpec, str], tuple[Value | None, list[FieldIssue]]]] = {
    "choice": _check_choice,
    "int": _check_int,
    "phone": _check_phone,
    "npi": _check_npi,
    "pattern": _check_pattern,
    "address": _check_address,
    "text": _check_text,
}


def parse_setting(key: str, raw: str) -> tuple[Value | None, list[FieldIssue]]:
    """Check one value typed for a setting; return the value to store or field issues."""
    spec = SETTINGS_BY_KEY.get(key)
    if spec is None:
        return None, [error("key", "unknown_setting",
                            f"{key!r} is not a setting; accepted keys: "
                            + ", ".join(SETTINGS_BY_KEY))]
    return _CHECKS[spec.kind](spec, raw)


def check_settings_together(values: dict[str, Value]) -> list[FieldIssue]:
    """Rules that span settings: plain SMTP only to a loopback relay."""
    if values.get("fax.security") == "none" and values.get("fax.smtp_host") and \
            not is_loopback_host(str(values["fax.smtp_host"])):
        return [error("fax.security", "insecure_remote",
                      "Fax gateway security 'none' is allowed only for a loopback host "
                      "(localhost, 127.0.0.1); use starttls or tls for "
                      f"{values['fax.smtp_host']}.")]
    return []
