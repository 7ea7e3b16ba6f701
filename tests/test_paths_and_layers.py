import subprocess
import sys
from pathlib import Path

import pytest

from k2desk.paths import resolve_data_dir
from k2desk.resources import ResourceError, form_path, forms_dir, resource_path, resources_dir

SRC = Path(__file__).resolve().parents[1] / "src" / "k2desk"


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("K2DESK_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("K2DESK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir(None) == tmp_path / "xdg" / "k2desk"


def test_resources_are_found_and_names_cannot_climb_out():
    assert resources_dir().is_dir() and forms_dir().is_dir()
    with pytest.raises(ResourceError):
        resource_path("../pyproject.toml")
    with pytest.raises(ResourceError):
        form_path("../../etc/passwd")


def test_only_the_ui_package_imports_qt():
    offenders = [
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
        if "ui" not in p.relative_to(SRC).parts[:1]
        and any(line.lstrip().startswith(("import PySide6", "from PySide6"))
                for line in p.read_text(encoding="utf-8").splitlines())
    ]
    assert offenders == []


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint)], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1], timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
