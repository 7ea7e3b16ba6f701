"""Fixtures for the attack tests: the same window fixtures as tests/ui."""

from window_fixtures import settle, window  # noqa: F401 - fixtures for every window test
