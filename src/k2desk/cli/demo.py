"""`k2desk demo`: fill the data dir with realistic demo data."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from k2desk.cli.progress import progress_bar
from k2desk.services import demo
from k2desk.services.context import AppContext


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    started = time.monotonic()

    with progress_bar("Filling demo data", "items") as tick:
        def progress(what: str, done: int, total: int) -> None:
            if tick is not None:  # one bar: the patients first, then the documents
                before = args.patients if what == "documents" else 0
                tick(before + done, args.patients + args.documents)
            elif args.verbose:  # not a terminal: plain lines when asked for
                sys.stderr.write(f"{what}: {done}/{total}\n")
                sys.stderr.flush()

        result = demo.fill_demo(ctx, args.patients, args.documents, seed=args.seed,
                                progress=progress)
    sys.stdout.write(f"demo data: {result.patients} patients, {result.documents} documents "
                     f"({result.real_documents} rendered, the rest copies) in "
                     f"{time.monotonic() - started:.1f} s\n")
    return 0


def _count(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("demo", help="fill the data dir with realistic demo data (patients, handouts, orders)")
    p.add_argument("--patients", type=_count, default=40, help="how many patients (default 40)")
    p.add_argument("--documents", type=_count, default=60,
                   help="how many log documents (default 60; beyond 12 they are bulk copies of real PDFs)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("-v", "--verbose", action="store_true", help="show progress on stderr")
    p.set_defaults(handler=cmd_demo)
