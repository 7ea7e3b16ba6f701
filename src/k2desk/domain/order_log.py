"""The order log as a pharmacy exports it: one entry per compound order with its patient,
prescriber, ingredient lines, status history, interaction acknowledgements and overrides.

Pure data shaping (no I/O): the JSON shape ``order show --json`` prints, the flat columns of
the CSV and spreadsheet exports, and the summary counts. Every value is printed as stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from k2desk.domain.documents import OrderLine, PaperSize, PharmacyProfile
from k2desk.domain.orders import CANCELLED, COMPOUNDED, DISPENSED, SENT, SIGNED
from k2desk.domain.records import StatusChange, StoredOrder


@dataclass(frozen=True, slots=True)
class AckEntry:
    """One interaction acknowledgement linked to the order (contact is blank when not kept)."""

    id: int
    finding: str
    acknowledged_by: str
    reason: str
    at: str
    contact: str = ""


@dataclass(frozen=True, slots=True)
class OrderLogEntry:
    order: StoredOrder
    documents: tuple[int, ...]
    history: tuple[StatusChange, ...]
    acknowledgements: tuple[AckEntry, ...]


# The statuses whose date and operator get their own columns, with the column prefix.
STATUS_COLUMNS = ((SENT, "sent_for_signature"), (SIGNED, "signed_original_received"),
                  (COMPOUNDED, "compounded"), (DISPENSED, "dispensed"), (CANCELLED, "cancelled"))

ORDER_COLUMNS: tuple[str, ...] = (
    "order_id", "document_ids", "created_at", "created_by", "patient_id", "patient_name",
    "patient_dob", "prescriber_name", "prescriber_npi", "prescriber_dea", "prescriber_licence",
    "prescriber_phone", "prescriber_fax", "date_written", "diagnosis", "icd10")
LINE_COLUMNS: tuple[str, ...] = ("line_number", "ingredient", "strength", "unit")
COMPOUND_COLUMNS: tuple[str, ...] = (
    "base", "dosage_form", "quantity", "quantity_unit", "days_supply", "sig", "refills", "daw", "status")
HISTORY_COLUMNS: tuple[str, ...] = (
    "sent_for_signature_at", "sent_for_signature_by",
    "signed_original_received_at", "signed_original_received_by", "signed_original_received_how",
    "compounded_at", "compounded_by", "dispensed_at", "dispensed_by",
    "cancelled_at", "cancelled_by", "cancelled_reason")
REVIEW_COLUMNS: tuple[str, ...] = (
    "interaction_review", "ack_finding", "ack_by", "ack_reason", "ack_at", "ack_contact",
    "override_fields", "override_reasons", "override_by")

# CSV and the "Lines" sheet: one row per ingredient line.
LINE_ROW_COLUMNS = ORDER_COLUMNS + LINE_COLUMNS + COMPOUND_COLUMNS + HISTORY_COLUMNS + REVIEW_COLUMNS
# The "Orders" sheet: one row per order, its lines joined into one cell.
ORDER_ROW_COLUMNS = (ORDER_COLUMNS + ("lines", "ingredients") + COMPOUND_COLUMNS + HISTORY_COLUMNS
                     + REVIEW_COLUMNS)
# Columns holding a UTC timestamp (ISO 8601) or a calendar date, for typed spreadsheet cells.
TIMESTAMP_COLUMNS = frozenset({"created_at", "ack_at"} | {c for c in HISTORY_COLUMNS if c.endswith("_at")})
DATE_COLUMNS = frozenset({"patient_dob", "date_written"})
JOIN = "\n"  # several acknowledgements or overrides share a cell, one per line


def line_text(ingredient: str, strength: str, unit: str) -> str:
    return " ".join(p for p in (ingredient, strength, unit) if p)


def order_json(entry: OrderLogEntry) -> dict[str, Any]:
    """The order as one JSON object: what ``order show --json`` prints and what the JSON export
    holds per order."""
    o = entry.order
    return {
        "id": o.id, "patient_id": o.patient_id, "status": o.status,
        "patient": {"id": o.patient_id, "name": o.values.get("patient.name", ""),
                    "dob": o.values.get("patient.dob", "")},
        "fields": o.values,
        "lines": [{"ingredient": ln.ingredient, "strength": ln.strength, "unit": ln.unit}
                  for ln in o.lines],
        "status_history": [{"status": h.status, "at": h.at, "operator": h.operator, "note": h.note}
                           for h in entry.history],
        "interactions": [{"severity": n.severity, "agent": n.agent, "input": n.medication_as_typed,
                          "certainty": n.certainty, "acknowledged_by": n.acknowledged_by,
                          "ack_reason": n.ack_reason, "ack_at": n.ack_at,
                          "ack_contact": n.ack_contact, "ack_contact_note": n.ack_contact_note}
                         for n in o.interactions],
        "acknowledgements": [{"id": a.id, "finding": a.finding, "acknowledged_by": a.acknowledged_by,
                              "reason": a.reason, "at": a.at, "contact": a.contact}
                             for a in entry.acknowledgements],
        "overrides": [{"field": v.field, "reason": v.reason, "operator": v.operator, "at": v.at}
                      for v in o.overrides],
        "acknowledgement_ids": list(o.acknowledgement_ids), "documents": list(entry.documents),
        "created_at": o.created_at, "created_by": o.created_by, "updated_at": o.updated_at,
    }


def last_change(history: Sequence[StatusChange], status: str) -> StatusChange | None:
    """The latest time the order entered ``status``."""
    for h in reversed(history):
        if h.status == status:
            return h
    return None


def order_cells(entry: OrderLogEntry) -> dict[str, Any]:
    o, v = entry.order, entry.order.values
    cells: dict[str, Any] = {
        "order_id": o.id, "document_ids": " ".join(str(d) for d in entry.documents),
        "created_at": o.created_at, "created_by": o.created_by, "patient_id": o.patient_id,
        "patient_name": v.get("patient.name", ""), "patient_dob": v.get("patient.dob", ""),
        "prescriber_name": v.get("prescriber.name", ""), "prescriber_npi": v.get("prescriber.npi", ""),
        "prescriber_dea": v.get("prescriber.dea", ""), "prescriber_licence": v.get("prescriber.licence", ""),
        "prescriber_phone": v.get("prescriber.phone", ""), "prescriber_fax": v.get("prescriber.fax", ""),
        "date_written": v.get("prescriber.date_written", ""), "diagnosis": v.get("patient.diagnosis", ""),
        "icd10": v.get("patient.icd10", ""),
        "base": v.get("compound.base", ""), "dosage_form": v.get("compound.dosage_form", ""),
        "quantity": v.get("compound.quantity", ""), "quantity_unit": v.get("compound.quantity_unit", ""),
        "days_supply": v.get("compound.days_supply", ""), "sig": v.get("compound.sig", ""),
        "refills": v.get("compound.refills", ""), "daw": v.get("compound.daw", ""), "status": o.status,
        "interaction_review": v.get("pharmacy_use.interaction_review", ""),
    }
    for status, prefix in STATUS_COLUMNS:
        h = last_change(entry.history, status)
        cells[f"{prefix}_at"] = h.at if h else ""
        cells[f"{prefix}_by"] = h.operator if h else ""
        if status == SIGNED:
            cells[f"{prefix}_how"] = h.note if h else ""
        if status == CANCELLED:
            cells[f"{prefix}_reason"] = h.note if h else ""
    acks = entry.acknowledgements
    cells["ack_finding"] = JOIN.join(a.finding for a in acks)
    cells["ack_by"] = JOIN.join(a.acknowledged_by for a in acks)
    cells["ack_reason"] = JOIN.join(a.reason for a in acks)
    cells["ack_at"] = JOIN.join(a.at for a in acks)
    cells["ack_contact"] = JOIN.join(a.contact for a in acks) if any(a.contact for a in acks) else ""
    cells["override_fields"] = JOIN.join(x.field for x in o.overrides)
    cells["override_reasons"] = JOIN.join(x.reason for x in o.overrides)
    cells["override_by"] = JOIN.join(x.operator for x in o.overrides)
    return cells


def line_cells(n: int, line: OrderLine | None) -> dict[str, Any]:
    """The line columns of line ``n`` (blank for an order stored without lines)."""
    return {"line_number": n if line else "", "ingredient": line.ingredient if line else "",
            "strength": line.strength if line else "", "unit": line.unit if line else ""}


def order_row(entry: OrderLogEntry) -> dict[str, Any]:
    """One row per order: the ingredient lines joined, one per line of the cell."""
    row = order_cells(entry)
    row["lines"] = len(entry.order.lines)
    row["ingredients"] = JOIN.join(line_text(ln.ingredient, ln.strength, ln.unit) for ln in entry.order.lines)
    return row


def local_month(timestamp: str) -> str:
    """YYYY-MM of a stored UTC timestamp, in the pharmacy's local time."""
    return dt.datetime.fromisoformat(timestamp).astimezone().strftime("%Y-%m")


def _decimal_text(d: Decimal) -> str:
    return format(d.normalize(), "f")  # 900, not 9E+2


class OrderSummary:
    """Counts a pharmacist asks for, gathered while the orders stream past (memory grows with
    the number of distinct ingredients, months and prescribers, not with the orders)."""

    def __init__(self) -> None:
        self.orders = 0
        self.lines = 0
        self.by_ingredient_month: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.by_prescriber: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.dispensed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.dispensed_orders: Counter[tuple[str, str]] = Counter()
        self.unreadable_quantities = 0

    def add(self, entry: OrderLogEntry) -> None:
        o = entry.order
        self.orders += 1
        self.lines += len(o.lines)
        month = local_month(o.created_at)
        per_ingredient = Counter(ln.ingredient for ln in o.lines)
        for ingredient, n in per_ingredient.items():
            cell = self.by_ingredient_month[(ingredient, month)]
            cell[0] += 1
            cell[1] += n
        p = self.by_prescriber[(o.values.get("prescriber.name", ""), o.values.get("prescriber.npi", ""))]
        p[0] += 1
        p[1] += len(o.lines)
        if o.status == DISPENSED:
            key = (o.values.get("compound.dosage_form", ""), o.values.get("compound.quantity_unit", ""))
            try:
                qty = Decimal(o.values.get("compound.quantity", "").strip())
            except InvalidOperation:
                self.unreadable_quantities += 1
                return
            if not qty.is_finite():
                self.unreadable_quantities += 1
                return
            self.dispensed[key] += qty
            self.dispensed_orders[key] += 1

    def tables(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        """(title, header, rows) for each summary table, rows sorted for reading."""
        ing = [(i, m, c[0], c[1]) for (i, m), c in sorted(self.by_ingredient_month.items(),
                                                         key=lambda kv: (kv[0][1], kv[0][0].casefold()))]
        pre = [(n, npi, c[0], c[1]) for (n, npi), c in sorted(self.by_prescriber.items(),
                                                             key=lambda kv: (-kv[1][0], kv[0][0].casefold()))]
        disp = [(form, unit, self.dispensed_orders[(form, unit)], _decimal_text(q))
                for (form, unit), q in sorted(self.dispensed.items())]
        return [
            ("Orders and lines by ingredient and month", ("ingredient", "month", "orders", "lines"), ing),
            ("Orders and lines by prescriber", ("prescriber", "npi", "orders", "lines"), pre),
            ("Dispensed quantity by dosage form and unit",
             ("dosage_form", "quantity_unit", "dispensed_orders", "total_quantity"), disp),
        ]


# ----------------------------------------------------------------------------- printed report

_REPORT_STEPS = (("draft", "Created"), (SENT, "Sent"), (SIGNED, "Signed original"),
                 (COMPOUNDED, "Compounded"), (DISPENSED, "Dispensed"), (CANCELLED, "Cancelled"))


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One order as the printed order log shows it (text as stored, dates as local days)."""

    order_id: int
    patient_name: str
    patient_dob: str
    prescriber: str
    prescriber_npi: str
    ingredients: tuple[str, ...]
    quantity: str
    status: str
    dates: tuple[str, ...]  # "Sent 2026-11-30", "Signed original 2026-12-01 (fax)", ...


@dataclass(frozen=True, slots=True)
class OrderLogReport:
    """What the printed order log renders: the pharmacy, the selection and its rows."""

    pharmacy: PharmacyProfile
    paper_size: PaperSize
    printed_on: dt.date
    selection: str  # e.g. "Orders created 2026-01-01 to 2026-11-30; status dispensed"
    rows: tuple[ReportRow, ...]


def report_row(entry: OrderLogEntry) -> ReportRow:
    o, v = entry.order, entry.order.values
    dates = []
    for status, label in _REPORT_STEPS:
        h = last_change(entry.history, status)
        if h is None and status == "draft":
            dates.append(f"{label} {local_day(o.created_at)}")
        elif h is not None:
            note = f" ({h.note})" if h.note and status in (SIGNED, CANCELLED) else ""
            dates.append(f"{label} {local_day(h.at)}{note}")
    qty = " ".join(p for p in (v.get("compound.quantity", ""), v.get("compound.quantity_unit", "")) if p)
    form = v.get("compound.dosage_form", "")
    return ReportRow(
        order_id=o.id, patient_name=v.get("patient.name", ""), patient_dob=v.get("patient.dob", ""),
        prescriber=v.get("prescriber.name", ""), prescriber_npi=v.get("prescriber.npi", ""),
        ingredients=tuple(line_text(ln.ingredient, ln.strength, ln.unit) for ln in o.lines),
        quantity=f"{qty} {form}".strip() if form and form not in qty else qty,
        status=o.status, dates=tuple(dates))


def local_day(timestamp: str) -> str:
    """YYYY-MM-DD of a stored UTC timestamp, in the pharmacy's local time."""
    return dt.datetime.fromisoformat(timestamp).astimezone().date().isoformat()
