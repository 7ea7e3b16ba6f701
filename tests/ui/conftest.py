"""Fixtures for the window tests: a main window on the test's own data dir (never the real home)."""

from __future__ import annotations

from window_fixtures import settle, window  # noqa: F401 - fixtures for every window test
