"""Checks on free text typed, pasted or imported by a person."""

from __future__ import annotations

import re
import unicodedata

from k2desk.domain.issues import FieldIssue, error

# Bidirectional embedding/override/isolate controls can make a name display reversed or
# spoofed (for example on a printed label); they are never needed to type a name.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0/C1 controls (category Cc), bidi controls, line/paragraph separators, lone surrogates.
_BAD = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")
_BAD_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")

# Characters that print as nothing in a one-line field (a name): zero-width space, soft hyphen,
# word joiner, byte-order mark. Zero-width (non-)joiners stay: some scripts need them.
_INVISIBLE = re.compile("[\u200b\u00ad\u2060\ufeff]")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def check_text(
    value: str,
    field: str,
    *,
    label: str,
    required: bool = False,
    max_length: int = 1000,
    multiline: bool = False,
) -> list[FieldIssue]:
    """Refuse control characters, lone surrogates and bidi overrides; enforce length.

    Everything else (quotes, <, &, emoji, right-to-left letters) is accepted exactly as typed.
    """
    issues: list[FieldIssue] = []
    if required and not value.strip():
        return [error(field, "required", f"{label} is required.")]
    if len(value) > max_length:
        issues.append(
            error(
                field,
                "too_long",
                f"{label} is {len(value)} characters long; at most {max_length} are accepted.",
            )
        )
    hidden = None if multiline else _INVISIBLE.search(value)
    if hidden is not None:
        issues.append(error(field, "invisible_character",
                            f"{label} contains an invisible character ({_describe(hidden.group())}), "
                            "often pasted from a web page or e-mail: it prints as nothing, so the "
                            "record could not be found by what the page shows. Retype it without it."))
    bad = (_BAD_MULTILINE if multiline else _BAD).search(value)
    if bad is not None:
        ch = bad.group()
        if unicodedata.category(ch) == "Cs":
            issues.append(
                error(field, "bad_character", f"{label} contains an invalid character "
                      f"(U+{ord(ch):04X}, a lone surrogate); retype it.")
            )
        else:
            what = "a NUL byte" if ch == "\0" else _describe(ch)
            issues.append(
                error(
                    field,
                    "control_character",
                    f"{label} contains a control character ({what}); "
                    "only printable text is accepted"
                    + (" (line breaks are allowed here)." if multiline else "."),
                )
            )
    return issues
