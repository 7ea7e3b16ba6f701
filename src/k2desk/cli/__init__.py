"""The command line: `k2desk [global options] COMMAND ...` (no command opens the window)."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from k2desk import __version__
from k2desk.cli.output import err, print_issues
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound, OperationFailed, StoreError

# Every module of this package except these defines register(subparsers); its handlers take
# (ctx, args) and return an exit code. New command groups are picked up by adding a module.
_NOT_COMMANDS = frozenset({"progress", "output"})


def command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _NOT_COMMANDS)

Handler = Callable[[AppContext, argparse.Namespace], int]

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


class _Parser(argparse.ArgumentParser):
    """argparse that says 'k2desk: ...' and exits 2, like every other refusal."""

    def error(self, message: str) -> None:  # type: ignore[override]  # argparse returns NoReturn
        self.print_usage(sys.stderr)
        err(message)
        raise SystemExit(EXIT_REFUSED)


def _data_dir_argument(text: str) -> str:
    # An empty value (a script's unset variable: --data-dir "$DIR") must not quietly fall back
    # to the default data dir, which holds the pharmacy's real records.
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the data directory is empty; give a folder, or leave --data-dir out to use "
            "$K2DESK_DATA_DIR or the usual data directory")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="k2desk", description=__doc__)
    parser.add_argument("--version", action="version", version=f"k2desk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", type=_data_dir_argument,
                        help="data directory (default: $K2DESK_DATA_DIR, else the user data dir)")
    parser.add_argument("--operator", metavar="NAME",
                        help="who is doing this (default: $K2DESK_OPERATOR, else the login name)")
    # Handled in k2desk.__main__ before this parser runs; declared here so --help lists it.
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation in a temporary data dir and exit 0 (or 1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in command_modules():
        importlib.import_module(f"k2desk.cli.{name}").register(sub)
    return parser


WindowOpener = Callable[[str | None, str | None], int]


def _no_window(data_dir: str | None, operator: str | None) -> int:
    err("no command given; 'k2desk --help' lists the commands.")
    return EXIT_REFUSED


def _housekeeping(ctx: AppContext, command: str) -> None:
    """After a command succeeded: the daily automatic backup and fax-outbox recovery
    (services.startup). After, so a refused command still writes nothing; warnings only."""
    from k2desk.services.startup import SKIP_COMMANDS, on_start  # imported late: keeps --help fast

    if command not in SKIP_COMMANDS:
        for warning in on_start(ctx):
            err(warning)


# Commands anyone may run once operators exist: finding the names, and checking the install.
_ANY_OPERATOR = frozenset({("operator", "list"), ("doctor", None)})
# Commands that must work when the database is damaged (it cannot say who the operators are).
_RECOVERY = frozenset({("backup", "restore"), ("backup", "list")})


def _check_operator(ctx: AppContext, args: argparse.Namespace) -> None:
    """Once operators exist, --operator (or $K2DESK_OPERATOR, or the login) must be one of them.
    Only checked on an existing database: a command that does not need one does not make one."""
    from k2desk.paths import db_path
    from k2desk.services.errors import OperationFailed
    from k2desk.services.operators import require_operator

    action = getattr(args, f"{args.command}_command", None)
    if (args.command, action) in _ANY_OPERATOR or (args.command, None) in _ANY_OPERATOR:
        return
    if not db_path(ctx.data_dir).exists():
        return
    try:
        require_operator(ctx)
    except OperationFailed:  # the store could not be opened
        # A damaged database cannot list its operators: recovering it (restore, the list of
        # backups) must still work, and every other command reports the damage itself.
        if (args.command, action) not in _RECOVERY:
            raise


def _as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _interrupt_on_termination() -> dict[int, Any]:
    """SIGTERM (shutdown, kill) and SIGHUP (the terminal window closed) end a command the way
    Ctrl-C does, so an export in progress removes its temporary files instead of leaving
    patient data behind. Returns the handlers to put back."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        if signal.getsignal(signum) is signal.SIG_IGN:
            # Started under ``nohup`` (or a service manager ignoring it): the person asked for
            # the command to outlive the terminal; a long export or import keeps going.
            continue
        previous[signum] = signal.signal(signum, _as_interrupt)
    return previous


def main(argv: list[str], open_window: WindowOpener = _no_window) -> int:
    """Run one command; with no command, ``open_window(data_dir, operator)`` (the GUI)."""
    # A closed stdout or stderr (``2>&-`` in a cron line) is None in Python: the work is still
    # done, and what would have been said goes nowhere instead of failing the command.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return open_window(args.data_dir, args.operator)
    handler: Handler = args.handler
    previous = _interrupt_on_termination()
    try:
        action = next((v for k, v in vars(args).items() if k.endswith("_command") and v), "")
        who = f"the command 'k2desk {args.command}{' ' + action if action else ''}'"
        with AppContext(args.data_dir, args.operator, who=who) as ctx:
            _check_operator(ctx, args)
            code = handler(ctx, args)
            if code == EXIT_OK:
                _housekeeping(ctx, args.command)
            return code
    except InputRefused as exc:
        print_issues(exc.issues)
        return EXIT_REFUSED
    except NotFound as exc:
        err(str(exc))
        return EXIT_REFUSED
    except (OperationFailed, StoreError) as exc:
        err(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        err("interrupted; nothing further was done.")
        return 130
    except BrokenPipeError:
        # The reader went away (`k2desk log list | head`): stop quietly, as other Unix tools do.
        # Whatever the command stored was committed before printing. Point stdout at devnull so
        # the interpreter's final flush does not raise again (the recipe in Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - last resort: a message, never a traceback
        if os.environ.get("K2DESK_DEBUG"):
            traceback.print_exc()
        err(f"unexpected error ({type(exc).__name__}); nothing more was changed. "
            "Set K2DESK_DEBUG=1 to see details.")
        return EXIT_FAILED
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
