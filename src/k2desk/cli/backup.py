"""`k2desk backup create|list|restore`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from k2desk.cli.output import err, print_json, print_table
from k2desk.cli.progress import progress_bar
from k2desk.services import backups as svc
from k2desk.services.context import AppContext


def cmd_create(ctx: AppContext, args: argparse.Namespace) -> int:
    with progress_bar("Backing up", "pages") as tick:
        path = svc.make_backup(ctx, Path(args.output) if args.output else None, progress=tick)
    sys.stdout.write(f"{path}\n")
    return 0


def cmd_list(ctx: AppContext, args: argparse.Namespace) -> int:
    items = svc.backups(ctx)
    if args.json:
        print_json([{"id": b.path.name, "path": str(b.path), "size": b.size, "whole": b.sound,
                     "modified": b.modified.isoformat(timespec="seconds")} for b in items])
    else:
        print_table([(b.modified.isoformat(sep=" ", timespec="seconds"), b.size,
                      "ok" if b.sound else "DAMAGED", b.path)
                     for b in items], ("MODIFIED", "BYTES", "STATE", "FILE"))
    return 0


def cmd_restore(ctx: AppContext, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            err("restore replaces the whole database; add --yes to confirm when not at a terminal.")
            return 2
        answer = input(f"Replace the database in {ctx.data_dir} with {args.file}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            err("restore cancelled; nothing was changed.")
            return 1
    with progress_bar("Copying the backup in", "B", scale=True) as tick:
        kept = svc.restore_backup(ctx, Path(args.file), progress=tick)
    where = f"the replaced database was kept as {kept}" if kept else "there was no database to keep"
    sys.stdout.write(f"restored from {args.file}; {where}\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("backup", help="create, list and restore backups")
    ps = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    c = ps.add_parser("create", help="back up the database now")
    c.add_argument("-o", "--output", metavar="FILE")
    c.set_defaults(handler=cmd_create)
    ls = ps.add_parser("list", help="backups in the data directory, newest first")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    r = ps.add_parser("restore", help="replace the database with a checked backup")
    r.add_argument("file")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(handler=cmd_restore)
