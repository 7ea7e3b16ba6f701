"""Operator roles, the order acknowledgement's contact methods, and the printed review line.

Pure rules shared by the services, the CLI and the window (no I/O).
"""

from __future__ import annotations

import re

PHARMACIST, TECHNICIAN = "pharmacist", "technician"
ROLES = (PHARMACIST, TECHNICIAN)

# How the prescriber or the anticoagulation clinic was reached about an order's major finding.
CONTACT_METHODS: dict[str, str] = {
    "phone": "by phone",
    "fax": "by fax",
    "in-person": "in person",
    "message": "by secure message",
    "not-reached": "not reached",
}
CONTACT_LABELS: dict[str, str] = {
    "phone": "Phone", "fax": "Fax", "in-person": "In person", "message": "Secure message",
    "not-reached": "Not reached",
}

# The acknowledgement dialog's pick-list; the pharmacist may also type their own reason.
STANDARD_REASONS = (
    "Prescriber aware; INR to be checked in 1-2 weeks",
    "Anticoagulation clinic informed; INR monitoring arranged",
    "Patient counselled: keep the vitamin K2 dose steady and tell the clinic before any change",
    "Patient has stopped the anticoagulant (confirmed with the prescriber)",
)

# Role words people type around a name ("RPh Jane Smith", "Jane Smith, PharmD"): the printed
# line gives the role once, so these are dropped from the name.
_ROLE_WORDS = re.compile(
    r"^(?:(?:rph|r\.ph\.?|pharmd|pharm\.?d\.?|pharmacist|dr\.?)[\s,]+)+|"
    r"(?:[\s,]+(?:rph|r\.ph\.?|pharmd|pharm\.?d\.?|pharmacist))+\.?$",
    re.IGNORECASE)


def bare_name(name: str) -> str:
    """``name`` without role words before or after it; the name itself when nothing is left."""
    stripped = _ROLE_WORDS.sub("", name.strip()).strip(" ,")
    return stripped or name.strip()


def name_key(name: str) -> str:
    """What a name prints as, for telling operators apart: no role words, spaces collapsed,
    case folded ("RPh  jane smith" and "Jane Smith" are the same person on paper)."""
    return " ".join(bare_name(name).split()).casefold()


def review_by(name: str, role: str = PHARMACIST) -> str:
    """'J. Smith, pharmacist': the reviewer named once, with one role word."""
    return f"{bare_name(name)}, {role or PHARMACIST}"


def contact_sentence(method: str, note: str) -> str:
    """The order's line on how the prescriber or clinic was reached ('' when not recorded)."""
    if not method:
        return ""
    if method == "not-reached":
        text = "Prescriber / anticoagulation clinic NOT REACHED"
    else:
        text = f"Prescriber / anticoagulation clinic reached {CONTACT_METHODS.get(method, method)}"
    return text + (f" ({note.strip()})" if note.strip() else "")
