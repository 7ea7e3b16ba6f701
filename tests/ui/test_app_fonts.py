"""Issue 20: the bundled fonts are registered with Qt, so CJK, Hebrew and Arabic names show in the
window on a machine that has no such fonts of its own."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication

from k2desk.ui.fonts import register_app_fonts


def test_bundled_fonts_are_given_to_qt(window):
    families = register_app_fonts()  # already done by the window: the same answer, no second load
    assert "Droid Sans Fallback" in families and "NanumGothic" in families
    assert any(f.startswith("Noto Sans Hebrew") for f in families)
    assert any(f.startswith("Noto Sans Arabic") for f in families)
    assert set(families) <= set(QFontDatabase.families())
    for family, text in (("Droid Sans Fallback", "王小明"), ("Droid Sans Fallback", "山田太郎"),
                         ("NanumGothic", "김민준")):
        fm = QFontMetrics(QFont(family))
        assert all(fm.inFontUcs4(ord(ch)) for ch in text), family
    # the window's own font falls back to them
    subs = [f.lower() for f in QFont.substitutes(QGuiApplication.font().family())]
    assert "droid sans fallback" in subs and "nanumgothic" in subs


def _drawn(text: str) -> bytes:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    img = QImage(120, 30, QImage.Format.Format_Grayscale8)
    img.fill(Qt.GlobalColor.white)
    p = QPainter(img)
    p.setFont(QGuiApplication.font())
    p.drawText(2, 22, text)
    p.end()
    return bytes(img.constBits())


def test_a_chinese_name_is_drawn_with_glyphs_not_boxes(window):
    # Characters no font has are drawn as boxes; a name drawn the same way would be boxes too.
    boxes = _drawn("\U000f0000\U000f0001\U000f0002")
    assert _drawn("王小明") != boxes
    assert _drawn("김민준") != boxes
