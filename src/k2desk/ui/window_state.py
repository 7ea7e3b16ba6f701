"""Window geometry and last page, kept in an INI file in the data dir (never the real home)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

FILENAME = "window.ini"


def window_settings(data_dir: Path) -> QSettings:
    return QSettings(str(Path(data_dir) / FILENAME), QSettings.Format.IniFormat)


def load_geometry(s: QSettings) -> QByteArray | None:
    v = s.value("window/geometry")
    return v if isinstance(v, QByteArray) and not v.isEmpty() else None


def load_last_page(s: QSettings, default: str) -> str:
    v = s.value("window/last_page", default)
    return str(v) if v else default
