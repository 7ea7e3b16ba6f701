"""Known prescribers: the prescriber rows saved with earlier orders, newest details first.

``orders.find_or_add_prescriber`` adds a row whenever an order names a prescriber with details
not seen before (a new phone number makes a new row). A person picks a prescriber, not a row:
rows with the same NPI (or, without an NPI, the same name) are one prescriber, shown with the
details of their most recent order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from k2desk.domain.models import Prescriber


@dataclass(frozen=True, slots=True)
class KnownPrescriber:
    prescriber: Prescriber
    orders: int  # orders naming this prescriber (any of their rows)
    last_order_at: str  # '' when no order names them (rows are only made with orders)


_WHO = "CASE WHEN {t}.npi <> '' THEN 'npi:' || {t}.npi ELSE 'name:' || lower({t}.name) END"
_COLS = "p.id, p.name, p.npi, p.dea, p.licence, p.phone, p.fax, p.address"
# One row per person: the row of their latest order (or latest row), with the order count.
_KNOWN = """
WITH used AS (
    SELECT {cols}, {who} AS who,
           (SELECT max(o.created_at) FROM orders o WHERE o.prescriber_id = p.id) AS last_at,
           (SELECT count(*) FROM orders o WHERE o.prescriber_id = p.id) AS n
    FROM prescribers p
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY who ORDER BY coalesce(last_at, '') DESC, id DESC) AS rk,
           sum(n) OVER (PARTITION BY who) AS total,
           max(coalesce(last_at, '')) OVER (PARTITION BY who) AS latest
    FROM used
)
SELECT id, name, npi, dea, licence, phone, fax, address, total, latest FROM ranked WHERE rk = 1
""".format(cols=_COLS, who=_WHO.format(t="p"))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _known(r: Any) -> KnownPrescriber:
    p = Prescriber(name=str(r[1]), npi=str(r[2]), dea=str(r[3]), licence=str(r[4]), phone=r[5], fax=r[6],
                   address=str(r[7]), id=int(r[0]))
    return KnownPrescriber(p, int(r[8] or 0), str(r[9] or ""))


def known_prescribers(db: Database, text: str = "", *, limit: int = 50) -> list[KnownPrescriber]:
    """Known prescribers whose name contains ``text`` or whose NPI starts with it (all when
    empty), the most recently used first."""
    sql, params = _KNOWN, []
    t = text.strip()
    if t:
        sql += " AND (name LIKE ? ESCAPE '\\' OR npi LIKE ? ESCAPE '\\')"
        params += [_like(t), _like(t)[1:]]
    sql += " ORDER BY latest DESC, name COLLATE NOCASE LIMIT ?"
    return [_known(r) for r in db.execute(sql, [*params, limit]).fetchall()]


def get_prescriber(db: Database, prescriber_id: int) -> KnownPrescriber | None:
    """One prescribers row by id, with the orders that name the same person (any row)."""
    r = db.execute(f"SELECT {_COLS} FROM prescribers p WHERE p.id = ?", [prescriber_id]).fetchone()
    if r is None:
        return None
    n, last = db.execute(
        f"SELECT count(o.id), max(o.created_at) FROM prescribers q JOIN orders o ON o.prescriber_id = q.id"
        f" WHERE {_WHO.format(t='q')} = (SELECT {_WHO.format(t='p')} FROM prescribers p WHERE p.id = ?)",
        [prescriber_id]).fetchone()
    return _known([*r, n, last])


def find_by_npi(db: Database, npi: str) -> KnownPrescriber | None:
    """The known prescriber with this NPI (the details of their latest order)."""
    rows = db.execute(_KNOWN + " AND npi = ?", [npi.strip()]).fetchall()
    return _known(rows[0]) if rows else None
