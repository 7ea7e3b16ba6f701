"""The bundled fonts (resources/fonts) given to Qt, so every patient's name shows in the window
on a bare machine: Chinese, Japanese, Korean, Hebrew and Arabic names too, not boxes. The PDFs
use the same files through reportlab (documents/fonts.py)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from k2desk.resources import resource_path

_LOADED = "k2desk_fonts_loaded"


def register_app_fonts() -> list[str]:
    """Add every bundled .ttf to Qt's font database once; return the families they bring.

    The families are also set as substitutes of the window's font, so a character the system
    font lacks is drawn from a bundled one rather than as a box.
    """
    app = QGuiApplication.instance()
    if app is None:
        return []
    done = app.property(_LOADED)
    if done:
        return list(done)
    families: list[str] = []
    for path in sorted(resource_path("fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            continue  # an unreadable file: Qt says so itself; the other fonts still help
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    base = QGuiApplication.font().family()
    for family in (base, "Sans Serif", "DejaVu Sans"):
        QFont.insertSubstitutions(family, families)
    app.setProperty(_LOADED, families)
    return families
