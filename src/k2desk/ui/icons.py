"""The application icon (resources/icons/), for the window, the task bar and dialogs."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from k2desk.resources import ResourceError, resource_path

PNG_SIZES = (16, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """k2desk's icon: the hand-drawn SVG plus its pre-rendered PNGs (crisp at small sizes).

    Returns an empty QIcon rather than failing when the files are missing, so a damaged install
    still opens the window; `k2desk --self-test` checks that the icon is there.
    """
    icon = QIcon()
    try:
        for size in PNG_SIZES:
            png = resource_path(f"icons/k2desk-{size}.png")
            if png.is_file():
                icon.addFile(str(png), QSize(size, size))
        svg = resource_path("icons/k2desk.svg")
        if svg.is_file():
            icon.addFile(str(svg))
    except ResourceError:
        return QIcon()
    return icon
