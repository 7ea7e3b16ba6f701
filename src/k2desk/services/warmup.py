"""What the window loads in the background right after it shows (issue #23): the interaction
table (seconds: its near-miss word lists are computed on load), the fonts' character coverage
and the PDF fonts themselves, so the first medication typed, the first patient saved and the
first handout preview do not wait for them. Each is loaded once per process and shared by every
page; a caller arriving while the load runs waits for it rather than loading a second copy."""

from __future__ import annotations


def warm_caches() -> None:
    """Load the interaction table and register the PDF fonts (no store access; never raises:
    whoever needs them next loads them again and reports a problem there)."""
    from k2desk.documents.fonts import missing_characters, register_fonts
    from k2desk.documents.handout import render_handout  # noqa: F401 - the renderer's modules
    from k2desk.services import interactions

    # Fonts first: the window may already be loading the table on its store worker (without the
    # store lock); a second caller of table() waits for that load.
    missing_characters("")  # which characters the fonts print: every save checks the text
    register_fonts()
    try:
        interactions.table()
    except Exception:  # noqa: BLE001, S110 - reported by the page that needs the table
        pass
