"""`k2desk doctor`"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from k2desk.cli.output import print_json
from k2desk.services.context import AppContext
from k2desk.services.doctor import run_doctor
from k2desk.services.errors import OperationFailed
from k2desk.services.table_signoff import table_status


def cmd_doctor(ctx: AppContext, args: argparse.Namespace) -> int:
    checks = run_doctor(ctx)
    if args.json:
        print_json({"id": "doctor", "ok": all(c.ok for c in checks),
                    "checks": [{"name": c.name, "ok": c.ok, "warning": c.warning, "detail": c.detail}
                               for c in checks],
                    "interaction_table": _table_json(ctx)})
    else:
        for c in checks:
            mark = "BAD" if not c.ok else "WARN" if c.warning else "ok "
            sys.stdout.write(f"{mark}  {c.name}: {c.detail}\n")
    return 0 if all(c.ok for c in checks) else 1


def _table_json(ctx: AppContext) -> dict[str, Any] | None:
    try:
        st = table_status(ctx)
    except OperationFailed:
        return None  # the checks above say why
    return {"version": st.version, "sha256": st.sha256, "signed_off": st.signed_off,
            "signed_by": st.signoff.signed_by if st.signoff else None,
            "signed_at": st.signoff.signed_at if st.signoff else None, "status": st.text}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("doctor", help="check that this installation is usable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_doctor)
