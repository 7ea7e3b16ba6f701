"""Known prescribers: picked by name or NPI to fill an order's prescriber fields.

They are the prescribers saved with earlier orders (``storage.prescribers``); picking one only
fills the order editor, where every field stays editable and is checked as if typed (NPI check
digit, DEA number against the name) before the order is saved.
"""

from __future__ import annotations

from k2desk.domain.models import Prescriber
from k2desk.domain.validation import format_phone
from k2desk.services.context import AppContext
from k2desk.services.errors import NotFound
from k2desk.storage import prescribers as repo
from k2desk.storage.prescribers import KnownPrescriber

__all__ = ["KnownPrescriber", "find_prescribers", "get_prescriber", "order_fields"]


_MAX_ID = 2**63 - 1  # SQLite's largest integer


def find_prescribers(ctx: AppContext, text: str = "", *, limit: int = 50) -> list[KnownPrescriber]:
    """Known prescribers whose name contains ``text`` or whose NPI starts with it, the most
    recently used first (all of them, up to ``limit``, when ``text`` is empty)."""
    return repo.known_prescribers(ctx.store.db, text, limit=limit)


def get_prescriber(ctx: AppContext, ref: str) -> KnownPrescriber:
    """A known prescriber by NPI (10 digits) or by the id ``prescriber list`` shows."""
    ref = ref.strip()
    # str.isdigit() also takes superscripts and other scripts' digits, which int() refuses
    ascii_digits = ref.isascii() and ref.isdigit()
    if len(ref) == 10 and ascii_digits:
        found = repo.find_by_npi(ctx.store.db, ref)
        if found is None:
            raise NotFound(f"No order so far names a prescriber with NPI {ref}.")
        return found
    if not ascii_digits or int(ref) > _MAX_ID:
        raise NotFound(f"'{ref}' is neither a prescriber id nor a 10-digit NPI.")
    got = repo.get_prescriber(ctx.store.db, int(ref))
    if got is None:
        raise NotFound(f"There is no known prescriber with id {ref}.")
    return got


def order_fields(p: Prescriber) -> dict[str, str]:
    """The order form's prescriber fields (keys as the form names them), as a person types them."""
    return {"prescriber.name": p.name, "prescriber.npi": p.npi, "prescriber.dea": p.dea,
            "prescriber.licence": p.licence, "prescriber.phone": format_phone(p.phone),
            "prescriber.fax": format_phone(p.fax), "prescriber.address": p.address}
