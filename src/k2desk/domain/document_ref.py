"""Reading a document reference back: what a person types, or a USB scanner types from the QR.

Every page prints its document as "D-123" in the footer and encodes the same text in its QR code
(``documents.page.document_ref``). A scanner types those characters followed by Enter; a person
may type "d-123", "D123" or "D 123". A bare "123" is a document number only where a search box
has nothing else a number could mean (the Log search); in a patient search it is a phone number.
"""

from __future__ import annotations

import re

# Hyphen-minus and the dashes a keyboard layout or a word processor may put in its place.
_REF = re.compile(r"[dD]\s*[-\u2010\u2011\u2012\u2013\u2014\u2212_]?\s*([0-9]{1,12})")
_BARE = re.compile(r"[0-9]{1,12}")


def parse_document_ref(text: str, *, bare_number: bool = False) -> int | None:
    """The document id in ``text`` ("D-123", "d-123", "D123"; with ``bare_number`` also "123"),
    or None when ``text`` is anything else. Surrounding spaces and the control characters a
    scanner may add (carriage return, tab) are ignored."""
    s = "".join(ch for ch in text if ch.isprintable()).strip()
    m = _REF.fullmatch(s)
    if m is None and bare_number:
        m = _BARE.fullmatch(s)
        value = m.group(0) if m else None
    else:
        value = m.group(1) if m else None
    if value is None:
        return None
    n = int(value)
    return n if n > 0 else None
