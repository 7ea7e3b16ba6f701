"""Render resources/icons/k2desk.svg into the PNG sizes desktops and installers ask for.

Run from the repository root after changing the SVG:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
Qt's own SVG renderer (QtSvg ships in PySide6-Essentials) is used, so no extra tool is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs an app
    svg = ICONS / "k2desk.svg"
    for size in SIZES:
        render(svg, size, ICONS / f"k2desk-{size}.png")
    # Windows wants one .ico holding several sizes (exe icon, installer, uninstaller entry).
    from PIL import Image

    with Image.open(ICONS / "k2desk-256.png") as big:
        big.save(ICONS / "k2desk.ico", sizes=[(s, s) for s in SIZES])
    print(f"wrote {len(SIZES)} PNGs and k2desk.ico to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
