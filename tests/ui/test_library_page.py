"""Library page: browse by topic and status, details with citation and note, decisions."""

from __future__ import annotations

from k2desk.services import library
from k2desk.ui.models.snippets_model import SnippetsModel


def _ready(qtbot, page):
    qtbot.waitUntil(lambda: page.loaded and page.topic.count() > 1, timeout=30_000)


def test_snippets_model_without_a_view(ctx):
    views = library.list_snippets(ctx, status="vetted")[:2]
    m = SnippetsModel()
    m.set_rows([(v, 5.25) for v in views])
    assert m.rowCount() == 2
    assert m.data(m.index(0, 0)) == views[0].id
    assert m.data(m.index(0, 3)) == "vetted"
    assert m.data(m.index(0, 5)) == "5.2"
    assert m.row_of(views[1].id) == 1


def test_browse_by_topic_and_status_and_read_the_detail(window, qtbot, ctx, settle):
    page = window.go("library")
    _ready(qtbot, page)
    settle(window)
    total = page.model.rowCount()
    assert total == len(library.list_snippets(ctx))
    page.topic.setCurrentIndex(page.topic.findData("bone"))
    settle(window)
    assert 0 < page.model.rowCount() < total
    assert all("bone" in page.model.view(r).snippet.topics for r in range(page.model.rowCount()))
    page.status.setCurrentIndex(page.status.findData("vetted"))
    settle(window)
    v = page.model.view(0)
    page.table.selectRow(0)
    html = page.detail.toHtml()
    assert v.snippet.evidence_label in html
    assert v.citations and v.citations[0].journal.split()[0] in html
    assert "Pharmacist note" in page.detail.toPlainText()


def test_reject_needs_a_reason_and_then_the_snippet_stops_printing(window, qtbot, ctx, settle):
    page = window.go("library")
    _ready(qtbot, page)
    page.status.setCurrentIndex(page.status.findData("vetted"))
    settle(window)
    page.table.selectRow(0)
    sid = page.current.id
    assert not page.decide("reject", "test-rph", "")
    assert "reason" in page.decision_message.text().lower()
    assert page.decide("reject", "test-rph", "Study retracted in 2026")
    settle(window)
    assert library.show(ctx, sid).state.label == "rejected"
    assert sid not in [s.id for s in library.usable_snippets(ctx)]
    page.status.setCurrentIndex(page.status.findData("rejected"))
    settle(window)
    assert page.model.row_of(sid) >= 0


def test_the_interaction_table_sign_off_shows_and_is_recorded_by_keyboard(window, qtbot, ctx,
                                                                         settle):
    # Issue 13: until this pharmacy signs the table off, the Library page says so.
    from PySide6.QtCore import Qt

    from k2desk.services import table_signoff
    from k2desk.ui.widgets.reason_dialog import ReasonDialog

    page = window.go("library")
    _ready(qtbot, page)
    settle(window)
    assert table_signoff.NOT_SIGNED_OFF in page.table_status.text()
    assert page.sign_off_button.isEnabled()
    page.sign_off_button.setFocus()
    qtbot.keyClick(page.sign_off_button, Qt.Key.Key_Space)
    dlg = page.findChild(ReasonDialog)
    # Issue 12's reason dialog has no name field: the signed-in pharmacist signs off (a technician
    # is asked for a pharmacist's name and PIN). It used to raise a TypeError here.
    assert dlg is not None and dlg.isVisible()
    dlg.reason.setFocus()
    qtbot.keyClicks(dlg.reason, "Read every entry against its source")
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Return)
    settle(window)
    status = table_signoff.table_status(ctx)
    assert status.signoff is not None and status.signoff.signed_by == "test-rph"
    assert "signed off by test-rph" in page.table_status.text()
    assert table_signoff.NOT_SIGNED_OFF not in page.table_status.text()
    assert not page.sign_off_button.isEnabled()
