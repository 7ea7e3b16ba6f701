"""The one place that knows where the shipped resources/ and forms/ folders live.

In a checkout they sit at the top of the repository; in an installed wheel the build backend
force-includes them as ``k2desk/_data/``; in a PyInstaller bundle they sit next to the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


class ResourceError(Exception):
    """A shipped resource is missing or a name tries to leave its folder."""


@cache
def _root(kind: str) -> Path:
    candidates = [
        _PACKAGE_DIR / "_data" / kind,  # installed wheel / bundle
        _PACKAGE_DIR.parent.parent / kind,  # checkout: src/k2desk -> repo root
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ResourceError(
        f"k2desk's {kind}/ folder was not found (looked in "
        + ", ".join(str(c) for c in candidates)
        + "). Reinstall k2desk."
    )


def resources_dir() -> Path:
    return _root("resources")


def forms_dir() -> Path:
    return _root("forms")


def _safe_join(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise ResourceError(f"resource name {name!r} leaves {root}")
    return path


def resource_path(name: str) -> Path:
    """Path of a file under resources/, refusing names that climb out with '..'."""
    return _safe_join(resources_dir(), name)


def form_path(name: str) -> Path:
    """Path of a file under forms/, refusing names that climb out with '..'."""
    return _safe_join(forms_dir(), name)
