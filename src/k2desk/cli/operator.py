"""`k2desk operator ...`: who works the counter, their role (pharmacist or technician) and PIN.

The command line has no PIN prompt for pharmacist-only actions: it trusts the OS login, which
the audit trail records beside the operator name. PINs set here confirm actions in the window.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from k2desk.cli.output import print_json, print_table
from k2desk.domain.issues import error
from k2desk.domain.roles import PHARMACIST, ROLES, TECHNICIAN
from k2desk.services import operators as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused


def _read_pin(name: str) -> str:
    """A PIN typed twice at a terminal (not echoed), or the first line of piped input. Never
    a command-line argument: those show in the process list and the shell history."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"PIN for {name} (4-12 digits): ")
        if getpass.getpass("The same PIN again: ") != first:
            raise InputRefused([error("pin", "pin_mismatch",
                                      "The two PINs were not the same; nothing was changed.")])
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def cmd_add(ctx: AppContext, args: argparse.Namespace) -> int:
    pin = _read_pin(args.name) if args.role == PHARMACIST or args.with_pin else ""
    svc.add_operator(ctx, args.name, args.initials or "", pin, args.role)
    sys.stdout.write(f"{args.name.strip()} is a {args.role}.\n")
    return 0


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    ops = svc.list_operators(ctx)
    if args.json:
        print_json([{"name": o.name, "initials": o.initials, "role": o.role, "pin": o.has_pin}
                    for o in ops])
        return 0
    if not ops:
        sys.stdout.write("No operators configured: anyone may do everything (one-person pharmacy).\n")
        return 0
    print_table([(o.name, o.initials, o.role, "set" if o.has_pin else "none") for o in ops],
                ("NAME", "INITIALS", "ROLE", "PIN"))
    return 0


def cmd_set_role(ctx: AppContext, args: argparse.Namespace) -> int:
    op = svc.set_operator_role(ctx, args.name, args.role)
    sys.stdout.write(f"{op.name} is now a {op.role}.\n")
    return 0


def cmd_set_pin(ctx: AppContext, args: argparse.Namespace) -> int:
    pin = "" if args.clear else _read_pin(args.name)
    svc.set_operator_pin(ctx, args.name, pin)
    sys.stdout.write(f"{args.name}'s PIN was {'cleared' if args.clear else 'set'}.\n")
    return 0


def cmd_remove(ctx: AppContext, args: argparse.Namespace) -> int:
    svc.remove_operator(ctx, args.name)
    sys.stdout.write(f"{args.name} is no longer an operator (kept in the audit trail).\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("operator", help="operators: add, list, set-role, set-pin, remove",
                       description="Who works the counter. Once any operator exists, --operator "
                                   "must name one of them, and only a pharmacist may acknowledge "
                                   "an interaction, override a warning, vet a snippet or mark an "
                                   "order dispensed. PINs are read from the terminal (or the "
                                   "first line of standard input), never from arguments.")
    ps = p.add_subparsers(dest="operator_command", metavar="ACTION", required=True)

    add = ps.add_parser("add", help="add an operator (a pharmacist is asked for a PIN)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, default=TECHNICIAN,
                     help="pharmacist or technician (default: technician)")
    add.add_argument("--initials", metavar="XX")
    add.add_argument("--with-pin", action="store_true",
                     help="also ask a technician for a PIN (for signing in to the window)")
    add.set_defaults(handler=cmd_add)

    ls = ps.add_parser("list", help="list operators with their roles")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    sr = ps.add_parser("set-role", help="make an operator a pharmacist or a technician")
    sr.add_argument("name", metavar="NAME")
    sr.add_argument("role", choices=ROLES)
    sr.set_defaults(handler=cmd_set_role)

    sp = ps.add_parser("set-pin", help="set an operator's PIN (read from the terminal or stdin)")
    sp.add_argument("name", metavar="NAME")
    sp.add_argument("--clear", action="store_true", help="remove a technician's PIN")
    sp.set_defaults(handler=cmd_set_pin)

    rm = ps.add_parser("remove", help="remove an operator (kept in the audit trail)")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(handler=cmd_remove)
