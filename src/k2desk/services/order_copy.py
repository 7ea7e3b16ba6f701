"""Copy a previous order: a refill of the same compound starts from an earlier order.

What is copied: the ingredient lines, the compound (base, form, quantity, sig, refills...), the
diagnosis and the prescriber's details. What is new: the date written (today), the status
(draft) and the patient details (always from the patient record). What is never copied: the
interaction review and its acknowledgement, and any override of a warning. A new order gets
its own review against the patient's medications as they are now, and a pharmacist decides
again (issue #12): an acknowledgement given for one order never covers another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from k2desk.domain.forms import FieldType
from k2desk.domain.issues import error
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.orders import FROM_RECORD, get_order, order_form

DATE_WRITTEN = "prescriber.date_written"


def order_json_from(ctx: AppContext, order_id: int, *, patient_id: int | None = None,
                    today: dt.date | None = None, field: str = "patient") -> tuple[int, dict[str, Any]]:
    """(patient id, the order-file object of a new order copied from ``order_id``).

    The object is what ``orders.create_order`` and the order editor read; it holds nothing the
    pharmacy fills in (system sections), nothing from the patient record and no review. With
    ``patient_id``, an order of another patient is refused (InputRefused on ``field``)."""
    old = get_order(ctx, order_id)
    if patient_id is not None and patient_id != old.patient_id:
        raise InputRefused([error(field, "other-patient",
                                  f"Order {order_id} is for another patient (#{old.patient_id}), not "
                                  f"#{patient_id}; copy one of this patient's own orders.")])
    form = order_form()
    data: dict[str, Any] = {"form": form.id}
    for section in form.sections:
        if section.system:
            continue
        if section.repeating:
            data[section.key] = [{"ingredient": ln.ingredient, "strength": ln.strength, "unit": ln.unit}
                                 for ln in old.lines]
            continue
        values: dict[str, Any] = {}
        for fd in section.fields:
            if fd.key in FROM_RECORD or fd.key not in old.values:
                continue
            v = old.values[fd.key]
            values[fd.name] = (v == "yes") if fd.type is FieldType.BOOL else v
        if section.key == DATE_WRITTEN.split(".")[0]:
            values[DATE_WRITTEN.split(".")[1]] = (today or dt.date.today()).isoformat()
        if values:
            data[section.key] = values
    return old.patient_id, data


def copy_to_draft(ctx: AppContext, order_id: int, patient_id: int) -> int:
    """Start a new order from ``order_id`` (an order of ``patient_id``) as a draft to review in
    the order editor; return the draft id. Nothing is checked or printed until it is saved."""
    from k2desk.services import order_drafts

    pid, data = order_json_from(ctx, order_id, patient_id=patient_id)
    return order_drafts.save_draft(ctx, None, pid, data, {})
