"""Starting the window, with a clear message where there is no display."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


def display_problem() -> str | None:
    """Why Qt cannot open a window here, or None when it can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "no display is available (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window "
            "cannot open. Run k2desk from the desktop session, or use the command line: "
            "'k2desk --help' lists the commands."
        )
    return None


def run_window(data_dir: str | None = None, operator: str | None = None) -> int:
    problem = display_problem()
    if problem:
        sys.stderr.write(f"k2desk: {problem}\n")
        return 1
    from PySide6.QtWidgets import QApplication

    from k2desk.services.context import AppContext
    from k2desk.services.errors import ServiceError
    from k2desk.ui.icons import app_icon
    from k2desk.ui.main_window import MainWindow
    from k2desk.ui.messages import describe

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("k2desk")
    app.setWindowIcon(app_icon())  # type: ignore[union-attr]  # instance() may be QCoreApplication
    try:
        # The store is not opened here: the window shows first, then the database opens (with
        # its migrations and the integrity check, seconds on a large log) in the background,
        # before any other store work (issue #23, start-up).
        ctx = AppContext(data_dir, operator, defer_integrity_check=True, who="the k2desk window")
    except ServiceError as exc:
        sys.stderr.write(f"k2desk: {describe(exc)}\n")
        return 1
    from PySide6.QtWidgets import QMessageBox

    window = MainWindow(ctx)
    window.show()

    def housekeeping(progress: Callable[[int, int | None], None]) -> list[str]:
        from k2desk.services.startup import on_start, open_and_verify

        # First in the worker's single-thread queue, holding the store lock: the file opens
        # (a file that is not a database is a message, below) and nothing is written before the
        # integrity check has passed.
        open_and_verify(ctx, progress=progress)
        return on_start(ctx)  # daily automatic backup, fax outbox recovery; never fails

    def start() -> None:
        # Seconds on a large log: the status bar says so, with a moving bar.
        progress = window.begin_work("Opening and checking the database…")
        window.worker.run(lambda: housekeeping(progress), report, unusable)
        # Then the interaction table, before the first page's reads and without the store lock:
        # a patient list or findings read needs it, and loading it (seconds) inside such a read
        # held the store lock, so every quick read on the GUI thread (opening Settings) froze the
        # window meanwhile.
        window.worker.run(load_interaction_table, None, ignore, uses_store=False)

    def load_interaction_table() -> None:
        from k2desk.services import interactions

        interactions.table()  # shared, loaded once: the warm-up thread waits for this one

    def report(warnings: list[str]) -> None:
        window.end_work()
        # The database is usable: grade what the library pages will show (pages grade anything
        # still missing themselves).
        grade_library()
        for warning in warnings:
            sys.stderr.write(f"k2desk: {warning}\n")
            window.statusBar().showMessage(warning, 20_000)

    def unusable(exc: ServiceError) -> None:
        window.end_work()
        sys.stderr.write(f"k2desk: {describe(exc)}\n")
        QMessageBox.critical(window, "k2desk cannot use this database", describe(exc))
        app.exit(1)

    def grade_library() -> None:
        # Once per snippet version: the Library and Handout pages read them. Grading loads a
        # pronouncing dictionary (seconds on a busy machine): it runs without the store lock, so
        # a page's quick read on the GUI thread does not wait for it; reading and storing hold it.
        from k2desk.services import library, reading_grades

        def known() -> tuple[list[object], dict[str, float]]:
            snippets = list(library.load(ctx).snippets.values())
            return snippets, reading_grades.known_grades(ctx, snippets)

        def compute(found: tuple[list[Any], dict[str, float]]) -> None:
            snippets, have = found
            if len(have) < len(snippets):
                window.worker.run(lambda: reading_grades.compute_grades(snippets, have), save,
                                  ignore, uses_store=False)

        def save(computed: reading_grades.Computed) -> None:
            window.worker.run(lambda: reading_grades.save_grades(ctx, computed), None, ignore)

        window.worker.run(known, compute, ignore)

    def ignore(_exc: ServiceError) -> None:
        pass  # the pages grade anything still missing themselves, and report a problem there

    # Once the frame is painted (started earlier, the database work would compete with drawing
    # the window), and before the first page asks for anything.
    window.first_painted.connect(start)
    code = app.exec()
    window.worker.shutdown()  # nothing still running on the store once it closes
    ctx.close()
    return int(code)
