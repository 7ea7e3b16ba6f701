"""Issue 20: walking every page at 1024×768, 1280×800 and 1280×720 (a 1920×1080 screen at 1.5×;
.ci/run also walks with QT_SCALE_FACTOR=1.5) finds nothing a keyboard or screen reader user would
trip over: no unnamed control, no table that keeps Tab, no text box that eats
Tab, no cut button text, no sideways scroll bar. The walk is generic (tests/window_walk.py)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPlainTextEdit, QTableView

from k2desk.services import patients
from k2desk.services.patients import PatientInput
from k2desk.ui.main_window import PAGE_KEYS
from window_walk import problems_in, settle_all

pytestmark = pytest.mark.xvfb  # also run on a real X server (real fonts and metrics) by .ci/run


def _patient(ctx) -> int:
    return patients.add_patient(ctx, PatientInput(
        name="Ana Reyes", dob="1956-03-14", phone="(817) 860-6083",
        address="1 Main St\nFort Worth, TX 76107", medications=["warfarin 5 mg"], nkda=True))


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1280, 720)])
def test_every_page_passes_the_walk(window, ctx, size):
    pid = _patient(ctx)
    window.resize(*size)
    found: dict[str, list[str]] = {}
    visits = [(key, {}) for key in PAGE_KEYS] + [
        ("patients", {"patient_id": pid}), ("handout", {"patient_id": pid}), ("orders", {"patient_id": pid})]
    for key, kwargs in visits:
        window.go(key, **kwargs)
        settle_all(window)
        if key == "log":
            window.pages["log"].table.selectRow(0)
            settle_all(window)
        probs = problems_in(window)
        if probs:
            found[f"{key} {kwargs}"] = probs
    dlg = window.show_shortcuts()
    settle_all(window)
    if problems_in(dlg):
        found["shortcuts dialog"] = problems_in(dlg)
    dlg.close()
    assert found == {}, "\n".join(f"{k}: {p}" for k, ps in found.items() for p in ps)


def test_the_walk_finds_what_it_is_meant_to_find(window):
    """The walk is not vacuous: a trap, a Tab-eating box and an unnamed control are reported."""
    page = window.go("patients")
    settle_all(window)
    bad_table = QTableView(page)
    bad_table.setModel(page.model)
    bad_table.show()
    bad_table.setTabKeyNavigation(True)  # after Qt polished it, as a careless page might
    bad_box = QPlainTextEdit(page)
    bad_box.show()
    bad_box.setTabChangesFocus(False)
    settle_all(window)
    found = "\n".join(problems_in(window))
    assert "Tab moves inside instead of leaving: QTableView" in found
    assert "multi-line field eats Tab: QPlainTextEdit" in found
    assert "no accessible name: QTableView" in found and "no accessible name: QPlainTextEdit" in found


def test_the_dialogs_pass_the_walk(window, ctx, qtbot):
    from PySide6.QtWidgets import QDialog

    from k2desk.ui.widgets.confirm import UnsavedDialog, confirm
    from window_walk import problems_in as walk

    pid = _patient(ctx)
    found: dict[str, list[str]] = {}
    page = window.go("patients", patient_id=pid)
    settle_all(window)
    opened: list[QDialog] = [
        confirm(window, "Confirm", "Cancel order 1? This is final.", "Cancel the order", lambda: None,
                danger=True),
        UnsavedDialog("The new patient (Jordan Lee)", window),
        page.form.dob_picker.open_picker(),
    ]
    orders_page = window.go("orders", patient_id=pid)
    settle_all(window)
    opened.append(orders_page.ask_acknowledgement())
    library = window.go("library")
    qtbot.waitUntil(lambda: library.loaded, timeout=10_000)
    library.table.selectRow(0)
    opened.append(library.ask_reason("reject"))
    for dlg in opened:
        dlg.show()
        settle_all(window)
        if walk(dlg):
            found[dlg.windowTitle()] = walk(dlg)
        dlg.reject()
    assert found == {}, "\n".join(f"{k}: {p}" for k, ps in found.items() for p in ps)
