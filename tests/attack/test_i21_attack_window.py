"""Window attacks on issue 21's scan to find (keyboard only, as a USB scanner types)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from k2desk.services import patients
from k2desk.services.patients import PatientInput
from stored_documents import add_test_patient, store_document


def _scan(qtbot, box, text: str, end=Qt.Key.Key_Return) -> None:
    box.setFocus()
    box.clear()
    qtbot.keyClicks(box, text, delay=1)
    qtbot.keyClick(box, end)


def test_scans_with_leading_zeros_and_lowercase_open_exactly_that_document(window, qtbot, ctx, settle):
    ann = add_test_patient(ctx, "Ann Example")
    bo = patients.add_patient(ctx, PatientInput("Bo Li", "1960-01-01", nkda=True))
    ids = [store_document(ctx, patient_id=ann if i % 2 else bo, title=f"Handout {i}") for i in range(12)]
    page = window.go("log", patient_id=ann)  # narrowed to Ann; the scan names one of Bo's pages
    settle(window)
    target = ids[0]  # Bo's
    _scan(qtbot, page.search, f"d-000{target}")
    settle(window)
    assert page.current is not None and page.current.id == target
    assert page.model.rowCount() == 1 and page.patient_id is None
    _scan(qtbot, page.search, f"D-{ids[11]}", end=Qt.Key.Key_Enter)  # keypad Enter
    settle(window)
    assert page.current is not None and page.current.id == ids[11]


def test_an_unknown_scan_in_the_log_never_leaves_another_document_showing(window, qtbot, ctx, settle):
    ann = add_test_patient(ctx, "Ann Example")
    ids = [store_document(ctx, patient_id=ann, title=f"Handout {i}") for i in range(3)]
    page = window.go("log")
    settle(window)
    _scan(qtbot, page.search, f"D-{ids[1]}")
    settle(window)
    assert page.current is not None and page.current.id == ids[1]
    for text in ("D-999", "D-999999999999"):
        _scan(qtbot, page.search, text)
        settle(window)
        assert "no document" in window.bridge.last_info
        # the page shown must be the scanned one or none: never the document scanned before
        assert page.current is None or page.current.id == int(text[2:]), (text, page.current)
        assert page.model.rowCount() == 0


def test_enter_never_picks_a_prescriber_from_the_previous_search(window, qtbot, ctx, settle):
    """A busy machine: the search for what is typed now has not come back when Enter is pressed;
    Enter must fill the prescriber now typed, never the first row of the earlier search."""
    import time

    from k2desk.ui.pages.form_editor import read_input
    from prescriber_data import seed_orders

    seed_orders(ctx)
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    page = window.go("orders", patient_id=pid)
    settle(window)
    picker = page.prescriber_picker
    box = picker.search
    box.setFocus()
    qtbot.keyClicks(box, "chen")
    qtbot.waitUntil(lambda: picker.results.isVisible() and picker.results.count() == 1, timeout=3000)
    assert "Chen" in picker.results.item(0).text()
    # the background thread is busy (a big search, a fax, a slow disk) for a moment
    window.env.worker.run(lambda: time.sleep(0.8))
    box.selectAll()
    qtbot.keyClicks(box, "lopez")
    qtbot.wait(300)  # the debounce has fired; the search waits behind the busy thread
    qtbot.keyClick(box, Qt.Key.Key_Return)
    settle(window)
    name = read_input(page.editor.cell("prescriber.name").input)
    assert name == "Dr. Maria Lopez", name
