"""The store's errors, in a module of their own so that naming them (the services' error types,
the window's worker) does not load sqlite-utils before the window shows (issue #23)."""

from __future__ import annotations


class StoreError(Exception):
    """The data directory or database cannot be used; the message says why and what to do."""


class StoreReplaced(StoreError):
    """The database file was replaced or removed after this store opened it: writing to the old
    file would lose the work, so this store writes nothing more."""
