"""Orders from two prescribers, for the known-prescriber tests (CLI and window)."""

from __future__ import annotations

from doc_helpers import add_plain_patient, example_order, setup_pharmacy
from k2desk.services import orders
from k2desk.services.context import AppContext

CHEN = {"name": "Dr. Wei Chen", "npi": "1987654328", "licence": "TX Q55555",
        "address": "9 Elm St\nDallas, TX 75201", "phone": "(214) 555-0123", "fax": ""}


def seed_orders(ctx: AppContext) -> int:
    """Dr. Lopez twice (her phone changed between orders), Dr. Chen once; returns the patient."""
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    first = example_order()
    first["prescriber"]["phone"] = "(817) 555-0199"
    orders.create_order(ctx, pid, first, {})
    chen = example_order()
    chen["prescriber"].update(CHEN)
    orders.create_order(ctx, pid, chen, {})
    orders.create_order(ctx, pid, example_order(), {})  # Lopez again, with her new phone
    return pid
