"""A small, valid evidence library to copy and break in tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

GOOD = Path(__file__).parent / "data" / "good"


@pytest.fixture
def good_library(tmp_path: Path) -> Path:
    """A fresh copy of tests/library/data/good that a test may edit."""
    dest = tmp_path / "evidence"
    shutil.copytree(GOOD, dest)
    return dest


Editor = Callable[[str, str, str], None]


@pytest.fixture
def edit(good_library: Path) -> Editor:
    """edit(file, old, new): replace exactly one occurrence of ``old`` in a library file."""

    def _edit(name: str, old: str, new: str) -> None:
        path = good_library / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit
