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
