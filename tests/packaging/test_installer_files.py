"""Static checks on the installer files that cannot be run here (Inno Setup) or need a desktop."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ISS = REPO / "packaging" / "windows" / "k2desk.iss"


def _section(text: str, name: str) -> list[str]:
    lines: list[str] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            inside = line == f"[{name}]"
            continue
        if inside and line and not line.startswith(";"):
            lines.append(line)
    return lines


def test_uninstaller_deletes_only_inside_the_program_folder() -> None:
    text = ISS.read_text(encoding="utf-8")
    for section in ("UninstallDelete", "InstallDelete"):
        for entry in _section(text, section):
            name = re.search(r'Name:\s*"([^"]+)"', entry)
            assert name is not None, entry
            assert name.group(1) == "{app}" or name.group(1).startswith("{app}\\"), entry


def test_installer_has_a_fixed_app_id_and_a_start_menu_shortcut() -> None:
    text = ISS.read_text(encoding="utf-8")
    (app_id,) = [line for line in _section(text, "Setup") if line.startswith("AppId=")]
    assert re.fullmatch(r"AppId=\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", app_id)
    icons = _section(text, "Icons")
    assert any(line.startswith('Name: "{autoprograms}\\') for line in icons)
    assert (REPO / "resources" / "icons" / "k2desk.ico").is_file()


def test_desktop_file_names_the_bundle_and_the_shipped_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(REPO / "packaging" / "linux" / "k2desk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0].endswith("/k2desk")
    assert (REPO / "resources" / "icons" / f"{entry['Icon']}.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        assert (REPO / "resources" / "icons" / f"{entry['Icon']}-{size}.png").is_file()
