"""Every SQL statement k2desk runs lives in this package."""

from k2desk.storage.db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
