"""The bundle tests take minutes and need PyInstaller: they run only when asked for.

`pytest -m packaging` runs them; a plain `pytest` deselects them (deselected, not skipped), so
the everyday suite stays fast and does not need the packaging tools installed.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "packaging" in (config.getoption("markexpr") or ""):
        return  # the marker expression decides (`-m packaging` or `-m "not packaging"`)
    drop = [i for i in items if i.get_closest_marker("packaging") is not None]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i.get_closest_marker("packaging") is None]
