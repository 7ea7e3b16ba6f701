"""Copy a previous order in the window: a refill starts as a draft dated today, with its own
interaction review; keyboard only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from doc_helpers import add_warfarin_patient, mk7_order, setup_pharmacy
from k2desk.services import order_drafts, orders
from k2desk.ui.pages.form_editor import read_input
from prescriber_data import CHEN, seed_orders


def test_copy_a_saved_order_into_a_new_draft_and_save_it(window, qtbot, ctx, settle):
    pid = seed_orders(ctx)
    chen = next(o for o in orders.list_orders(ctx) if o.values["prescriber.name"] == CHEN["name"])
    page = window.go("orders", order_id=chen.id)
    settle(window)
    assert page.order is not None and page.order.id == chen.id
    assert page.copy_button.isEnabled()
    page.copy_button.setFocus()
    qtbot.keyClick(page.copy_button, Qt.Key.Key_Space)
    settle(window)
    assert page.order is None and page.draft_id is not None  # a new, editable draft
    assert not page.copy_button.isEnabled()
    ed = page.editor
    assert read_input(ed.cell("prescriber.name").input) == "Dr. Wei Chen"
    assert read_input(ed.cell("compound.sig").input) == chen.values["compound.sig"]
    assert read_input(ed.cell("ingredients.1.ingredient").input) == chen.lines[0].ingredient
    written = read_input(ed.cell("prescriber.date_written").input)
    assert written in (dt.date.today().isoformat(), dt.date.today().strftime("%m/%d/%Y"))
    assert ed.cell("compound.quantity").input.isEnabled()
    assert QApplication.focusWidget() is ed.cell("compound.quantity").input
    [draft] = order_drafts.list_drafts(ctx, pid)
    assert draft.data["compound"]["sig"] == chen.values["compound.sig"]
    assert "interaction review is done again" in window.bridge.last_info
    # Ctrl+S saves it as a new order, status draft
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(window)
    qtbot.waitUntil(lambda: page.order is not None, timeout=10_000)
    new = page.order
    assert new.id != chen.id and new.status == "draft" and new.patient_id == pid
    assert new.values["compound.sig"] == chen.values["compound.sig"]
    assert new.values["prescriber.date_written"] == dt.date.today().isoformat()


def test_a_copied_warfarin_order_asks_for_its_own_acknowledgement(window, qtbot, ctx, settle):
    setup_pharmacy(ctx)
    pid = add_warfarin_patient(ctx)
    first, _ = orders.create_order(ctx, pid, mk7_order(), {}, ack_by="test-rph",
                                   ack_reason="INR checked weekly", ack_contact="phone")
    page = window.go("orders", order_id=first)
    settle(window)
    page.copy_button.setFocus()
    qtbot.keyClick(page.copy_button, Qt.Key.Key_Space)
    settle(window)
    assert page.ack is None  # the earlier order's acknowledgement is not carried over
    page.save()
    settle(window)
    assert [o.id for o in orders.list_orders(ctx, patient_id=pid)] == [first]  # nothing saved yet
