"""`k2desk settings show|set`"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json, print_table
from k2desk.domain.settings import SETTINGS
from k2desk.services import settings as svc
from k2desk.services.context import AppContext


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> int:
    values = svc.get_settings(ctx)
    if args.json:
        print_json({"id": "settings", **values})
        return 0
    print_table([(s.key, values[s.key], s.label) for s in SETTINGS], ("KEY", "VALUE", "LABEL"))
    return 0


def cmd_set(ctx: AppContext, args: argparse.Namespace) -> int:
    values = svc.set_settings(ctx, {args.key: args.value})
    sys.stdout.write(f"{args.key} = {values[args.key]}\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("settings", help="show or change settings")
    ps = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = ps.add_parser("show", help="every setting with its value")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)
    st = ps.add_parser("set", help="set one setting (keys: " +
                       ", ".join(s.key for s in SETTINGS) + ")")
    st.add_argument("key")
    st.add_argument("value")
    st.set_defaults(handler=cmd_set)
