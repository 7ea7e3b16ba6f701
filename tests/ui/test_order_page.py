"""Order editor: generated from the form, inline warnings, override with reason, drafts, status."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from k2desk.resources import forms_dir
from k2desk.services import order_drafts, orders, patients
from k2desk.services.patients import PatientInput
from k2desk.storage import documents as docs
from k2desk.ui.widgets.pharmacist import AcknowledgementDialog
from window_fixtures import fill_order


def _example() -> dict:
    path = forms_dir() / "examples" / "compound_order_example.json"
    return json.loads(path.read_text())


def _patient(ctx, meds=()):
    return patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", medications=list(meds),
                                                  nkda=True))




def test_editor_has_one_widget_per_field_of_the_definition(window, ctx):
    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    form = orders.order_form()
    for fd in form.fields(repeating=False):
        sec = form.section(fd.key.split(".")[0])
        assert (fd.key in page.editor.cells) == (not sec.system)
    assert page.editor.cells["patient.name"].input.isEnabled() is False  # from the patient record
    page.editor.add_line()
    assert len(page.editor.line_cells) == 2
    page.editor.remove_line(0)
    assert len(page.editor.line_cells) == 1


def test_bad_npi_warns_inline_then_override_and_save(window, qtbot, ctx, settle):
    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    data = _example()
    data["prescriber"]["npi"] = "1234567890"  # fails the check digit: a warning, not an error
    fill_order(page, data)
    qtbot.waitUntil(lambda: page.editor.cell("prescriber.npi").override_button.isVisible(), timeout=5000)
    cell = page.editor.cell("prescriber.npi")
    assert "check-digit" in cell.message.text()
    page.save()
    settle(window)
    assert orders.list_orders(ctx) == []  # a warning without an override blocks the save
    assert "override" in cell.message.text().lower()
    page.grant_override("prescriber.npi", "Verified by phone with the prescriber's office")
    assert not cell.override_button.isVisible()
    assert "Verified by phone" in cell.override_note.text()
    page.save()
    settle(window)
    [order] = orders.list_orders(ctx)
    assert [(o.field, o.reason) for o in order.overrides] == [
        ("prescriber.npi", "Verified by phone with the prescriber's office")]
    assert page.document_id is not None
    stored = docs.get_pdf(ctx.store.db, page.document_id)
    assert page.preview.pdf_bytes == stored
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(stored)).pages)
    assert "1234567890" in text and "Hana Suzuki" in text
    assert order_drafts.list_drafts(ctx) == []  # the draft went away with the saved order


def test_drafts_are_saved_as_you_type_and_restored(window, qtbot, ctx, settle):
    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    page.editor.cell("patient.diagnosis").input.setText("Osteopenia")
    qtbot.waitUntil(lambda: len(order_drafts.list_drafts(ctx, pid)) == 1, timeout=5000)
    settle(window)
    [draft] = order_drafts.list_drafts(ctx, pid)
    assert draft.data["patient"]["diagnosis"] == "Osteopenia"
    # a new window (as after a crash) gets the draft back
    page.start(None)
    page.start(patients.get_patient(ctx, pid))
    assert page.editor.cell("patient.diagnosis").input.text() == "Osteopenia"
    assert page.draft_id == draft.id


def test_status_workflow_dispensed_only_after_signed(window, ctx, settle):
    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    fill_order(page, _example())
    page.save()
    settle(window)
    assert page.order is not None and page.order.status == "draft"
    assert not page.status_buttons["dispensed"].isEnabled()
    assert page.status_buttons["sent-for-signature"].isEnabled()
    page.change_status("sent-for-signature", "")
    assert not page.status_buttons["dispensed"].isEnabled()
    page.change_status("signed-original-received", "fax from the prescriber's office")
    page.change_status("compounded", "")
    assert page.status_buttons["dispensed"].isEnabled()
    page.change_status("dispensed", "")
    assert orders.get_order(ctx, page.order.id).status == "dispensed"
    assert not any(b.isEnabled() for b in page.status_buttons.values())


def test_major_interaction_needs_acknowledgement_before_the_order(window, ctx, settle):
    pid = _patient(ctx, meds=["warfarin 5 mg daily"])
    page = window.go("orders", patient_id=pid)
    settle(window)
    assert page.banner.has_major()
    fill_order(page, _example())
    page.save()
    dlg = page.findChild(AcknowledgementDialog)  # no name pre-filled, contact asked for
    assert dlg is not None and dlg.isVisible() and dlg.name() == ""
    dlg.close()
    assert orders.list_orders(ctx) == []
    page.acknowledge("test-rph", "INR monitored; prescriber aware", None, "phone", "Dr Lopez")
    # Issue 13: the example's MK-4 line is contraindicated in the labeling with warfarin; the
    # order waits for an override naming who approved it and how they were reached.
    page.save()
    settle(window)
    assert orders.list_orders(ctx) == []
    assert any(i.code == "contraindicated" for i in page.issues)
    page.grant_override("ingredients.1.ingredient", "approved by Dr. Maria Lopez, reached by phone")
    page.save()
    settle(window)
    [order] = orders.list_orders(ctx)
    assert order.interactions[0].acknowledged_by == "test-rph"
    assert order.interactions[0].ack_contact == "phone"
    assert "approved by Dr. Maria Lopez" in order.values["pharmacy_use.contraindication"]


def test_a_saved_order_reopens_from_the_log_and_moves_on(window, qtbot, ctx, settle):
    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    fill_order(page, _example())
    page.save()
    settle(window)
    order_id, doc_id = page.order.id, page.document_id
    page.start(None)  # the person moves on to something else
    log = window.go("log")
    assert log.select_document(doc_id)
    settle(window)
    assert log.open_order_button.isEnabled()
    log.open_order_button.click()
    assert window.current_key() == "orders"
    settle(window)
    assert page.order.id == order_id and page.document_id == doc_id
    assert page.editor.cell("prescriber.npi").input.text() == "1234567893"
    assert not page.editor.cell("prescriber.npi").input.isEnabled()  # a stored order is not edited
    assert page.preview.pdf_bytes == docs.get_pdf(ctx.store.db, doc_id)
    page.change_status("sent-for-signature", "")
    assert orders.get_order(ctx, order_id).status == "sent-for-signature"
    assert page.saved_orders.currentData() == order_id


def test_a_saved_order_prints_its_stored_bytes_or_saves_them_when_no_printer(
        window, ctx, settle, monkeypatch, tmp_path):
    from k2desk.ui import printing

    pid = _patient(ctx)
    page = window.go("orders", patient_id=pid)
    settle(window)
    page.print_current()  # nothing saved yet: only a stored PDF is ever printed
    assert "Save the order first" in window.bridge.last_info
    fill_order(page, _example())
    page.save()
    settle(window)
    assert page.document_id is not None
    stored = docs.get_pdf(ctx.store.db, page.document_id)
    monkeypatch.setattr(printing, "printers_available", lambda: False)
    page.print_current()
    notice = page.printer.flow.dialog
    assert notice.objectName() == "no-printer" and notice.isVisible()
    out = page.printer.flow.save_to(tmp_path / "order-copy.pdf")
    notice.close()
    settle(window)
    assert out.read_bytes() == stored  # byte for byte the stored order
