"""Entry point: no arguments opens the window, otherwise the command line."""

from __future__ import annotations

import sys


def _open_window(data_dir: str | None, operator: str | None) -> int:
    # Imported only when the window is wanted, so the CLI never loads Qt.
    from k2desk.ui.app import run_window

    return run_window(data_dir=data_dir, operator=operator)


def _wants_self_test(argv: list[str]) -> bool:
    """True when --self-test comes before any command (global options may precede it)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--self-test":
            return True
        # a global option that takes a value, written as two words, skips its value too
        i += 2 if argv[i] in ("--data-dir", "--operator") else 1
    return False


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl+C while the program is still starting (loading its modules, before a command
        # has its own handler): nothing was done yet, so say so instead of a traceback.
        sys.stderr.write("k2desk: interrupted while starting; nothing was done.\n")
        return 130


def _main(argv: list[str] | None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if _wants_self_test(args):
        # Before the CLI: the self-test ignores --data-dir and K2DESK_DATA_DIR on purpose.
        from k2desk.selftest import run

        return run()
    from k2desk.cli import main as cli_main

    return cli_main(args, open_window=_open_window)


if __name__ == "__main__":
    sys.exit(main())
