"""Window fixtures shared by tests/ui and tests/attack: a main window on the test's own data dir
(never the real home), and a way to wait for its background calls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from k2desk.services.context import AppContext


@pytest.fixture
def window(qtbot, ctx: AppContext) -> Iterator[object]:
    from k2desk.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.first_painted, timeout=20_000):  # the first page fills in after the frame
        w.show()
    qtbot.waitExposed(w)
    yield w
    w.worker.wait()
    w.close()
    # Even when close was refused (unsaved work asks first), nothing may run on the store after
    # this test's context closes it: a query on a closed connection can crash the process.
    w.worker.shutdown()


@pytest.fixture
def settle(qtbot):
    """settle(w): let w's background calls finish and their results reach the GUI thread."""

    def wait(w) -> None:
        qtbot.waitUntil(lambda: not w.worker.busy(), timeout=20_000)

    return wait


def fill_order(page, data) -> None:
    """Type an order file's values into the Orders page's generated widgets, field by field."""
    from k2desk.ui.pages.form_editor import write_input

    ed = page.editor
    for section, fields in data.items():
        if section == "form":
            continue
        if section == "ingredients":
            for n, line in enumerate(fields, 1):
                if n > len(ed.line_cells):
                    ed.add_line()
                for name, value in line.items():
                    write_input(ed.cell(f"ingredients.{n}.{name}").input, value)
            continue
        for name, value in fields.items():
            cell = ed.cell(f"{section}.{name}")
            if cell.input.isEnabled():  # not what the editor fills in from the patient's record
                write_input(cell.input, value)
