"""`k2desk prescriber list|show`: the prescribers saved with earlier orders."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json, print_table
from k2desk.services import prescribers as svc
from k2desk.services.context import AppContext
from k2desk.services.prescribers import KnownPrescriber


def prescriber_json(k: KnownPrescriber) -> dict[str, Any]:
    p = k.prescriber
    return {"id": p.id, "name": p.name, "npi": p.npi, "dea": p.dea, "licence": p.licence,
            "phone": p.phone, "fax": p.fax, "address": p.address, "orders": k.orders,
            "last_order_at": k.last_order_at or None}


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    found = svc.find_prescribers(ctx, args.search or "", limit=args.limit)
    if args.json:
        print_json([prescriber_json(k) for k in found])
        return 0
    print_table([(k.prescriber.id, k.prescriber.name, k.prescriber.npi, k.prescriber.phone or "",
                  k.prescriber.fax or "", k.orders, k.last_order_at[:10]) for k in found],
                ("ID", "NAME", "NPI", "PHONE", "FAX", "ORDERS", "LAST ORDER"))
    return 0


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> int:
    k = svc.get_prescriber(ctx, args.prescriber)
    if args.json:
        print_json(prescriber_json(k))
        return 0
    data = prescriber_json(k)
    width = max(len(key) for key in data)
    for key, value in data.items():
        text = "" if value is None else str(value).replace("\n", "\n" + " " * (width + 2))
        sys.stdout.write(f"{key.ljust(width)}  {text}\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("prescriber", help="prescribers saved with earlier orders")
    ps = p.add_subparsers(dest="prescriber_command", metavar="ACTION", required=True)
    ls = ps.add_parser("list", help="known prescribers, the most recently used first")
    ls.add_argument("--search", metavar="TEXT", help="part of the name, or the start of the NPI")
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    sh = ps.add_parser("show", help="one prescriber's details, by id or NPI")
    sh.add_argument("prescriber", metavar="ID_OR_NPI")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(handler=cmd_show)
