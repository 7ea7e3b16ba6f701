"""`k2desk doctor`"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json
from k2desk.services.context import AppContext
from k2desk.services.doctor import run_doctor


def cmd_doctor(ctx: AppContext, args: argparse.Namespace) -> int:
    checks = run_doctor(ctx)
    if args.json:
        print_json({"id": "doctor", "ok": all(c.ok for c in checks),
                    "checks": [{"name": c.name, "ok": c.ok, "warning": c.warning, "detail": c.detail}
                               for c in checks]})
    else:
        for c in checks:
            mark = "BAD" if not c.ok else "WARN" if c.warning else "ok "
            sys.stdout.write(f"{mark}  {c.name}: {c.detail}\n")
    return 0 if all(c.ok for c in checks) else 1


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("doctor", help="check that this installation is usable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_doctor)
