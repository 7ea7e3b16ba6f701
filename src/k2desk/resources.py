"""The one place that knows where the shipped resources/ and forms/ folders live.

In a checkout they sit at the top of the repository; in an installed wheel the build backend
force-includes them as ``k2desk/_data/``; in a PyInstaller bundle they sit next to the package.
"""

from __future__ import annotations

import os
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


# Extra folders laid over resources/ for language data (issue 25): each may hold templates/ and
# translations/ like the shipped one. Tests add a made-up language this way, from test data only;
# K2DESK_EXTRA_RESOURCES (folders separated by os.pathsep) does the same for a command line run.
EXTRA_RESOURCE_DIRS: list[Path] = []
EXTRA_RESOURCES_ENV = "K2DESK_EXTRA_RESOURCES"


def resource_folders(name: str) -> list[Path]:
    """Every existing folder called ``name`` under resources/ and under the extra folders
    (extra ones first), refusing names that climb out with '..'."""
    roots = [Path(p) for p in EXTRA_RESOURCE_DIRS]
    roots += [Path(p) for p in os.environ.get(EXTRA_RESOURCES_ENV, "").split(os.pathsep) if p]
    roots.append(resources_dir())
    out: list[Path] = []
    for root in roots:
        folder = _safe_join(root.resolve(), name)
        if folder.is_dir() and folder not in out:
            out.append(folder)
    return out


def layered_resource_path(name: str) -> Path:
    """The file ``name`` from the first extra folder that has it, else the shipped one."""
    for folder in resource_folders("."):
        path = _safe_join(folder, name)
        if path.is_file():
            return path
    return resource_path(name)


def form_path(name: str) -> Path:
    """Path of a file under forms/, refusing names that climb out with '..'."""
    return _safe_join(forms_dir(), name)
