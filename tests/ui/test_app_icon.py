"""The application icon: the hand-drawn SVG and its PNG sizes load as one QIcon."""

from __future__ import annotations

from PySide6.QtCore import QSize

from k2desk.resources import resource_path
from k2desk.ui.icons import PNG_SIZES, app_icon


def test_app_icon_has_every_png_size_and_the_svg(qapp) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(n, n) for n in PNG_SIZES} <= sizes
    assert resource_path("icons/k2desk.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_app_icon_draws_something_at_each_size(qapp) -> None:
    icon = app_icon()
    for n in (16, 48, 256):
        image = icon.pixmap(QSize(n, n)).toImage()
        assert (image.width(), image.height()) == (n, n)
        centre = image.pixelColor(n // 2, n // 2)
        assert centre.alpha() > 0, f"the {n}px icon is empty in the middle"
