"""Scan to find: a USB scanner types the QR payload "D-123" and Enter into a search box, fast."""

from __future__ import annotations

from PySide6.QtCore import Qt

from k2desk.services import patients
from k2desk.services.patients import PatientInput
from stored_documents import add_test_patient, store_document


def _scan(qtbot, box, text: str) -> None:
    """What a USB barcode scanner does: keystrokes a millisecond apart, then Enter."""
    box.setFocus()
    box.clear()
    qtbot.keyClicks(box, text, delay=1)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def _docs(ctx, n: int = 12) -> list[int]:
    ann = add_test_patient(ctx, "Ann Example")
    return [store_document(ctx, patient_id=ann, title=f"Vitamin K2 handout {i}") for i in range(n)]


def test_scanning_into_the_log_search_opens_that_document(window, qtbot, ctx, settle):
    ids = _docs(ctx)
    target = ids[0]  # D-1: "1" is also the start of D-10, D-11 and D-12
    page = window.go("log")
    settle(window)
    _scan(qtbot, page.search, f"D-{target}")
    settle(window)
    assert page.current is not None and page.current.id == target
    assert page.model.rowCount() == 1
    assert page.table.hasFocus()  # Enter left the box: arrows and Ctrl+P act on the document
    qtbot.waitUntil(lambda: page.preview.page_count() == 2, timeout=5000)
    # lower case, as some scanners send it; and a bare number typed by hand
    for text in (f"d-{ids[5]}", str(ids[7])):
        _scan(qtbot, page.search, text)
        settle(window)
        assert page.current is not None and page.current.id == int(text.split("-")[-1]), text


def test_a_scan_shows_the_document_whatever_the_log_was_narrowed_to(window, qtbot, ctx, settle):
    ids = _docs(ctx, 3)
    other = patients.add_patient(ctx, PatientInput("Bo Li", "1960-01-01", nkda=True))
    page = window.go("log", patient_id=other)
    settle(window)
    page.date_to.setText("01/01/2001")
    settle(window)
    _scan(qtbot, page.search, f"D-{ids[1]}")
    settle(window)
    assert page.current is not None and page.current.id == ids[1]
    assert page.patient_id is None and page.date_to.text() == ""


def test_scanning_into_the_patient_search_opens_the_document_in_the_log(window, qtbot, ctx, settle):
    ids = _docs(ctx, 3)
    pp = window.go("patients")
    settle(window)
    _scan(qtbot, pp.search, f"D-{ids[2]}")
    settle(window)
    assert window.current_key() == "log"
    log = window.pages["log"]
    assert log.current is not None and log.current.id == ids[2]
    # a number alone in the patient search is a phone number, not a document
    pp = window.go("patients")
    _scan(qtbot, pp.search, str(ids[0]))
    settle(window)
    assert window.current_key() == "patients"


def test_an_unknown_reference_says_so_and_stays(window, qtbot, ctx, settle):
    _docs(ctx, 2)
    pp = window.go("patients")
    settle(window)
    _scan(qtbot, pp.search, "D-999")
    settle(window)
    assert window.current_key() == "patients"
    assert "no document D-999" in window.bridge.last_info
