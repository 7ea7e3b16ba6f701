"""The wheel carries resources/ and forms/, and an installed k2desk finds them from anywhere."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_resources_and_forms_and_finds_them_from_another_directory(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True,
                   timeout=300)
    (wheel,) = (tmp_path / "dist").glob("k2desk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = [n for n in names if n.startswith("k2desk/_data/")]
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file():
            assert f"k2desk/_data/resources/{path.relative_to(ROOT / 'resources')}" in shipped
    assert "k2desk/_data/forms/compound_order.toml" in shipped

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import k2desk.resources as r; print(r.resources_dir()); print(r.forms_dir())")
    r = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); "
                        + code], capture_output=True, text=True, cwd=elsewhere, timeout=120)
    assert r.returncode == 0, r.stderr
    res, forms = r.stdout.split()
    assert res == str(site / "k2desk" / "_data" / "resources")
    assert forms == str(site / "k2desk" / "_data" / "forms")
