"""Entry point: no arguments opens the window, otherwise the command line."""

from __future__ import annotations

import sys


def _open_window(data_dir: str | None, operator: str | None) -> int:
    # Imported only when the window is wanted, so the CLI never loads Qt.
    from k2desk.ui.app import run_window

    return run_window(data_dir=data_dir, operator=operator)


def main(argv: list[str] | None = None) -> int:
    from k2desk.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv, open_window=_open_window)


if __name__ == "__main__":
    sys.exit(main())
