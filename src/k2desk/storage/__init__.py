"""Every SQL statement k2desk runs lives in this package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k2desk.storage.errors import StoreError

if TYPE_CHECKING:
    from k2desk.storage.db import Store, open_store

__all__ = ["Store", "StoreError", "open_store"]


def __getattr__(name: str) -> Any:
    # Store and open_store load sqlite-utils: only on first use, so the window can show before
    # the database opens (issue #23, start-up).
    if name in ("Store", "open_store"):
        from k2desk.storage import db

        return getattr(db, name)
    raise AttributeError(f"module 'k2desk.storage' has no attribute {name!r}")
