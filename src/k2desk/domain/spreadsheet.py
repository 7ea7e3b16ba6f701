"""Spreadsheet export safety: text cells that a spreadsheet could run as a formula are neutralised.

The rule (documented in README "Spreadsheet export safety"):

* A text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a
  line feed (or the full-width forms ``＝ ＋ － ＠``, which some spreadsheets also accept) gets a
  leading apostrophe ``'``; the rest of the text is kept exactly.
* Two kinds of text are left alone because they cannot run and people need them usable:
  a cell that is entirely one plain number (``-12.5``, ``+3``, ``1e5``) and a cell that is
  entirely one E.164 phone number (``+18178606083``).
* Numbers, dates and empty cells are written as typed values and are never touched.

OWASP's "CSV Injection" guidance names the same trigger characters.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def could_run_as_formula(text: str) -> bool:
    """True when a spreadsheet might treat ``text`` as a formula (and it is not a plain number
    or an E.164 phone number)."""
    if not text or text[0] not in FORMULA_TRIGGERS:
        return False
    return not (_PLAIN_NUMBER.fullmatch(text) or _E164.fullmatch(text))


def neutralise(text: str) -> str:
    """The text to write in a spreadsheet cell: prefixed with ``'`` when it could run."""
    return "'" + text if could_run_as_formula(text) else text
