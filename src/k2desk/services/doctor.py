"""`k2desk doctor`: is this installation usable?"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass

from k2desk.resources import ResourceError, forms_dir, resources_dir
from k2desk.services.backups import newest_good_backup
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.storage import Store
from k2desk.storage.anchor import chain_head, head_path
from k2desk.storage.backup import backup_time

# Older than this, the newest good backup is worth a warning.
BACKUP_WARN_AGE = dt.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # usable, but something needs attention (does not fail the doctor)


def _backups(ctx: AppContext, *, now: dt.datetime | None = None) -> Check:
    """The newest backup that passes the full check, and whether it is recent enough."""
    newest = newest_good_backup(ctx)
    if newest is None:
        return Check("backups", True, "no good backup yet; make one with 'k2desk backup create'",
                     warning=True)
    taken = backup_time(newest) or dt.datetime.fromtimestamp(newest.stat().st_mtime)
    age = (now or dt.datetime.now()) - taken
    if age > BACKUP_WARN_AGE:
        return Check("backups", True, f"the newest good backup, {newest}, is {age.days} days old; "
                     "make one with 'k2desk backup create'", warning=True)
    return Check("backups", True, f"newest good backup {newest} ({taken:%Y-%m-%d %H:%M})")


def _printers() -> Check:
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return Check("printers", True, "no CUPS client found; printing goes through the window's "
                     "print dialog (or Save as PDF)")
    try:
        out = subprocess.run([lpstat, "-e"], capture_output=True, text=True, timeout=5,
                             check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return Check("printers", True, ", ".join(out) if out else "none installed (Save as PDF works)")


def _keyring() -> Check:
    # A backend that exists but cannot store (keyring's fail.Keyring, a locked collection) is a
    # warning, not "ok" (issue 18): the window then asks for the fax password every session.
    from k2desk.fax.secrets import keyring_can_store

    ok, detail = keyring_can_store()
    if not ok:
        return Check("keyring", True, f"{detail}; the fax password cannot be saved and is asked "
                     "for each session", warning=True)
    return Check("keyring", True, f"{detail} (stores and returns a password)")


def _interaction_table(ctx: AppContext) -> Check:
    # Usable either way (ok): the table is cited and checked at load; the line says whether this
    # pharmacy has signed it off yet, so an unsigned table is never silent.
    from k2desk.services.table_signoff import table_status

    try:
        status = table_status(ctx)
        return Check("interaction table", True, status.text, warning=not status.signed_off)
    except OperationFailed as exc:
        return Check("interaction table", False, str(exc))


def _anchor(store: Store) -> Check:
    """The chain against its head file beside the database and every backup (storage.anchor)."""
    store.check_anchor()
    if store.anchor_problem:
        return Check("audit anchor", False, f"{store.anchor_problem}; restore the newest good "
                     "backup ('k2desk backup restore')")
    if store.head_missing:
        return Check("audit anchor", False,
                     f"the chain's head file {head_path(store.data_dir)} is missing, so nothing "
                     "outside the database vouches for the audit trail. If you know why, run "
                     "'k2desk log reanchor --reason ...' (recorded in the trail)")
    head = chain_head(store.conn)
    return Check("audit anchor", True, f"the trail ({head.events} events) matches its head file "
                 "and every backup")


def run_doctor(ctx: AppContext) -> list[Check]:
    """Every check, in order; the installation is usable when all are ok."""
    from k2desk.storage.db import data_dir_problem

    problem = data_dir_problem(ctx.data_dir)
    if problem:  # nothing else can be checked, and "ok data dir" would be a lie (issue 18)
        return [Check("data dir", False, problem)]
    checks = [Check("data dir", True, str(ctx.data_dir))]
    try:
        store = ctx.store
    except OperationFailed as exc:
        checks.append(Check("database", False, str(exc)))
        checks.append(_backups(ctx))
        return checks
    checks.append(Check("database", True, str(store.path)))
    checks.append(Check("schema", True, ", ".join(store.schema_version()) or "none"))
    integrity = store.integrity()
    checks.append(Check("integrity", integrity == "ok", integrity))
    checks.append(_anchor(store))
    checks.append(_backups(ctx))
    try:
        res = resources_dir()
        forms = forms_dir()
        fonts = sorted(p.name for p in (res / "fonts").glob("*.tt[fc]"))
        checks.append(Check("resources", True, str(res)))
        checks.append(Check("forms", True, str(forms)))
        checks.append(Check("fonts", True, ", ".join(fonts) if fonts else "none bundled yet"))
    except ResourceError as exc:
        checks.append(Check("resources", False, str(exc)))
    checks.append(_interaction_table(ctx))
    checks.append(_keyring())
    checks.append(_printers())
    return checks
