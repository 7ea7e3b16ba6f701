"""Checks on free text typed, pasted or imported by a person."""

from __future__ import annotations

import unicodedata

from k2desk.domain.issues import FieldIssue, error

# Bidirectional embedding/override/isolate controls can make a name display reversed or
# spoofed (for example on a printed label); they are never needed to type a name.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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
    for ch in value:
        cat = unicodedata.category(ch)
        if multiline and ch in "\n\t":
            continue
        if cat == "Cs":
            issues.append(
                error(field, "bad_character", f"{label} contains an invalid character "
                      f"(U+{ord(ch):04X}, a lone surrogate); retype it.")
            )
            break
        if cat == "Cc" or ch in _BIDI_CONTROLS or ch in "\u2028\u2029":
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
            break
    return issues
