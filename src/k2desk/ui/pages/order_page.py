"""Order editor: generated from forms/compound_order.toml, checked as you type by the orders
service, drafts saved as you type, overrides with a reason, and the status workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.issues import FieldIssue
from k2desk.domain.models import Patient
from k2desk.domain.orders import CANCELLED, DISPENSED, SIGNED
from k2desk.domain.records import StoredOrder
from k2desk.services import doc_use, order_copy, order_drafts, orders, patients, prescribers
from k2desk.services.changes import Changes
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.services.orders import _FROM_RECORD as FROM_RECORD  # the service's list of record fields
from k2desk.ui import findings, keyboard
from k2desk.ui.document_actions import DocumentPrinter
from k2desk.ui.pages.base import PatientDocumentPage, UiEnv
from k2desk.ui.pages.form_editor import FormEditor
from k2desk.ui.widgets.confirm import confirm
from k2desk.ui.widgets.field_message import FieldMessage
from k2desk.ui.widgets.findings_banner import FindingsBanner
from k2desk.ui.widgets.order_export_dialog import OrderExportDialog
from k2desk.ui.widgets.order_status import STATUS_KEYS, OrderStatusBar
from k2desk.ui.widgets.patient_banner import PatientBanner
from k2desk.ui.widgets.patient_picker import PatientPicker
from k2desk.ui.widgets.pdf_preview import PdfPreview
from k2desk.ui.widgets.pharmacist import (
    AcknowledgementDialog,
    GivenAcknowledgement,
    confirm_pharmacist,
    open_acknowledgement,
)
from k2desk.ui.widgets.prescriber_picker import PrescriberPicker
from k2desk.ui.widgets.reason_dialog import ReasonDialog

CHECK_DEBOUNCE_MS = 300
DRAFT_DEBOUNCE_MS = 400


class OrderPage(PatientDocumentPage):
    key = "orders"
    title = "Orders"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.form_def = orders.order_form()
        self.picker = PatientPicker(env)
        self.picker.chosen.connect(lambda p: self.start(p))
        self.banner = FindingsBanner()
        self.patient_banner = PatientBanner()
        self.saved_orders = QComboBox()
        self.saved_orders.setObjectName("saved-orders")
        self.saved_orders.setAccessibleName("Saved orders for this patient")
        self.saved_orders.activated.connect(self._saved_order_chosen)
        self.prescriber_picker = PrescriberPicker(env)
        self.prescriber_picker.chosen.connect(self.fill_prescriber)
        self.editor = FormEditor(self.form_def, FROM_RECORD)
        self.editor.changed.connect(self._changed)
        self.editor.override_requested.connect(self.ask_override)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        self.other_issues = FieldMessage("order")
        self.draft_label = QLabel("")
        self.draft_label.setObjectName("draft-label")
        self.draft_label.setStyleSheet("color: #555;")
        self.create_button = QPushButton("&Save order and make PDF (Ctrl+S)")
        self.create_button.setObjectName("create-order")
        self.create_button.clicked.connect(self.save)
        self.new_button = QPushButton("Ne&w order")
        self.new_button.clicked.connect(self.new_item)
        self.copy_button = QPushButton("Cop&y as a new order")
        self.copy_button.setObjectName("copy-order")
        self.copy_button.setToolTip("A refill: the same ingredients, compound, sig and prescriber, dated "
                                    "today, as a new draft. Its interaction review is done again.")
        self.copy_button.clicked.connect(self.copy_order)
        self.discard_button = QPushButton("&Discard draft")
        self.discard_button.clicked.connect(self.discard_draft)
        # The order log (every order, not just this patient's); the Log page's Export is for documents.
        # Create waits while a major finding is unacknowledged; the remedy stands beside it.
        self.ack_button = QPushButton("&Acknowledge interaction… (Ctrl+Shift+K)")
        self.ack_button.setObjectName("acknowledge-order")
        self.ack_button.clicked.connect(self._acknowledge_key)
        self.export_button = QPushButton("Export orders…")
        self.export_button.setObjectName("export-order-log")
        self.export_button.clicked.connect(self.open_export)
        self.export_dialog: OrderExportDialog | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.draft_label)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.picker)
        lv.addWidget(self.patient_banner)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.ack_button, 0, Qt.AlignmentFlag.AlignTop)
        lv.addLayout(banner_row)
        lv.addWidget(self.saved_orders)
        lv.addWidget(self.prescriber_picker)
        lv.addWidget(scroll, 1)
        lv.addWidget(self.other_issues)
        lv.addLayout(buttons)

        self.preview = PdfPreview(empty_text="The order PDF appears here once the order is saved.")
        self.status_bar = OrderStatusBar()
        self.status_bar.requested.connect(self.ask_status)
        self.status_buttons = self.status_bar.buttons
        self.print_button = QPushButton("Print (Ctrl+P)")
        self.print_button.clicked.connect(self.print_current)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.status_bar)
        self.history_label = QLabel("")
        self.history_label.setObjectName("status-history")
        self.history_label.setWordWrap(True)
        self.history_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rv.addWidget(self.history_label)
        rv.addWidget(self.preview, 1)
        right_buttons = QHBoxLayout()
        right_buttons.addWidget(self.print_button, 1)
        right_buttons.addWidget(self.export_button)
        rv.addLayout(right_buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(split)

        self.patient: Patient | None = None
        self.draft_id: int | None = None
        self.order: StoredOrder | None = None
        self.document_id: int | None = None
        self.overrides: dict[str, str] = {}
        self.issues: list[FieldIssue] = []
        self.ack: GivenAcknowledgement | None = None
        # A pharmacist's confirmation of this order's overrides (name, PIN; both None when the
        # signed-in operator may override): asked once, at Create, never kept past a lock.
        self.override_auth: tuple[str | None, str | None] | None = None
        self._loading = False
        self._check_gen = 0
        self.printer = DocumentPrinter(self, env, lambda: self.document_id)
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DEBOUNCE_MS)
        self._check_timer.timeout.connect(self.run_check)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DEBOUNCE_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.confirm_dialog: Any = None
        self.reason_dialog: Any = None
        self._undo: tuple[int | None, dict[str, Any], dict[str, str]] | None = None
        for status, keys in STATUS_KEYS.items():
            keyboard.page_key(self, keys, lambda st=status: self.ask_status(st))
        keyboard.page_key(self, "Ctrl+Shift+K", self._acknowledge_key)
        keyboard.page_key(self, "Ctrl+Shift+O", self.override_key)
        keyboard.page_key(self, "Ctrl+Shift+U", self.undo)  # Ctrl+Shift+U stays the text box's own undo
        self._update_state()

    # -- starting an order --------------------------------------------------------------------
    def start(self, patient: Patient | None, draft: order_drafts.OrderDraft | None = None) -> None:
        """Begin an order for ``patient``: its latest draft if there is one, else a blank form."""
        self.flush_draft()
        self.patient, self.order, self.document_id, self.ack = patient, None, None, None
        self.override_auth = None
        self.picker.set_patient(patient, emit=False)
        self.preview.clear("The order PDF appears here once the order is saved.")
        self._loading = True
        try:
            if patient is not None and draft is None:
                drafts = self.env.worker.call(lambda: order_drafts.list_drafts(self.ctx, patient.id))
                draft = drafts[0] if drafts else None
            self.draft_id = draft.id if draft else None
            self.overrides = dict(draft.overrides) if draft else {}
            self.editor.load_json(draft.data if draft else {})
            self.editor.set_editable(patient is not None)
        finally:
            self._loading = False
        self.draft_label.setText(f"Draft {self.draft_id} restored" if draft else "")
        self._fill_saved_orders()
        self._refresh_findings()
        self._update_state()
        if patient is not None:
            self.run_check()

    def _fill_saved_orders(self) -> None:
        self.saved_orders.clear()
        if self.patient is None or self.patient.id is None:
            self.saved_orders.setVisible(False)
            return
        pid = self.patient.id
        saved = self.env.worker.call(lambda: orders.list_orders(self.ctx, patient_id=pid))
        self.saved_orders.addItem(f"New order ({len(saved)} saved for this patient: choose one to open)",
                                  None)
        for o in saved:
            label = f"Order {o.id} · {o.status.replace('-', ' ')} · {o.created_at[:10]}"
            self.saved_orders.addItem(label, o.id)
        self.saved_orders.setVisible(bool(saved))

    def _saved_order_chosen(self, index: int) -> None:
        order_id = self.saved_orders.itemData(index)
        if order_id is None:
            if self.order is not None:
                self.start(self.patient)
            return
        self.open_order(int(order_id))

    def open_order(self, order_id: int) -> None:
        """Show a saved order as stored (read-only), its stored PDF and its status buttons."""
        try:
            order = self.env.worker.call(lambda: orders.get_order(self.ctx, order_id))
            patient = self.env.worker.call(lambda: patients.get_patient(self.ctx, order.patient_id))
            docs = self.env.worker.call(lambda: orders.order_documents(self.ctx, order_id))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self.flush_draft()
        self._check_timer.stop()
        self._draft_timer.stop()
        self.patient, self.order, self.ack, self.draft_id = patient, order, None, None
        self.picker.set_patient(patient, emit=False)
        self._loading = True
        try:
            self.editor.set_lines([{"ingredient": ln.ingredient, "strength": ln.strength, "unit": ln.unit}
                                   for ln in order.lines])
            self.editor.set_record_values(dict(order.values))
            self.editor.set_editable(False)
        finally:
            self._loading = False
        self.overrides = {o.field: o.reason for o in order.overrides}
        self.show_issues([])
        self.document_id = docs[0].id if docs else None
        self.draft_label.setText(f"Order {order.id} as stored")
        self._fill_saved_orders()
        self.saved_orders.setCurrentIndex(max(0, self.saved_orders.findData(order.id)))
        if self.document_id is not None:
            self._show_stored_pdf()
        else:
            self.preview.clear("This order has no stored PDF.")
        self._refresh_findings()
        self._update_state()

    def _refresh_findings(self) -> None:
        """Re-read the patient, the VKA flag and the findings; a held acknowledgement given for
        other major findings than those on file now is dropped (a pharmacist reviews again)."""
        if self.patient is None or self.patient.id is None:
            self.patient_banner.show_patient(None)
            self.banner.show_findings([], empty_text="Choose a patient to see interaction checks.")
            return
        pid, ctx = self.patient.id, self.ctx
        if self.patient_banner.patient is None or self.patient_banner.patient.id != pid:
            self.patient_banner.show_patient(self.patient)

        def shown(state: tuple[Patient, list[str], list[Any]]) -> None:
            if self.patient is None or self.patient.id != pid:
                return
            p, vka, found = state
            self.patient_banner.show_patient(p, vka)
            if self.ack is not None and self.ack.findings != findings.major_texts(found):
                self.ack = None
                self.env.bridge.tell("The medication list changed: the acknowledgement given "
                                     "before no longer applies; a pharmacist must review it again.")
            self.banner.show_findings(found, acknowledged=self.ack)
            self._update_state()

        self.env.worker.run(lambda: findings.patient_state(ctx, pid), shown)

    def refresh(self, changes: Changes) -> None:
        if self.patient is not None and changes.touches_patient(self.patient.id):
            self._refresh_findings()

    def fill_prescriber(self, known: Any) -> None:
        """Fill every prescriber field from a known prescriber; they stay editable and are
        checked (NPI, DEA against the name) like typed ones."""
        if self.order is not None:
            self.env.bridge.tell("This order is saved and cannot change; start a new order to use "
                                 "another prescriber.")
            return
        self.editor.set_record_values(prescribers.order_fields(known.prescriber))
        self._changed()
        self.editor.cell("prescriber.name").input.setFocus()

    def copy_order(self) -> None:
        """Start a new order (a draft) from the saved order shown: lines, compound, sig and
        prescriber, dated today. The interaction review and any acknowledgement or override are
        not copied: the new order gets its own."""
        if self.order is None or self.patient is None or self.patient.id is None:
            self.env.bridge.tell("Open a saved order first; its copy becomes a new draft.")
            return
        ctx, oid, pid = self.ctx, self.order.id, self.patient.id
        try:
            did = self.env.worker.call(lambda: order_copy.copy_to_draft(ctx, oid, pid))
            draft = self.env.worker.call(lambda: order_drafts.get_draft(ctx, did))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self.start(self.patient, draft)
        self.draft_label.setText(f"Copy of order {oid}: draft {did}, dated today")
        self.env.bridge.tell(f"Order {oid} was copied into a new draft dated today. Check it, then save; "
                             "the interaction review is done again for the new order.")
        self.editor.cell("compound.quantity").input.setFocus()

    # -- typing: check and draft --------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading or self.patient is None or self.order is not None:
            return
        self._check_timer.start()
        self._draft_timer.start()
        self.draft_label.setText("Saving draft…")

    def run_check(self) -> None:
        """Ask the orders service for every issue with what is typed; show them by the fields."""
        if self.patient is None or self.patient.id is None:
            return
        self._check_gen += 1
        gen, ctx, pid = self._check_gen, self.ctx, self.patient.id
        data, overrides = self.editor.to_json(), dict(self.overrides)

        def done(result: tuple[dict[str, str], list[Any], list[FieldIssue]]) -> None:
            if gen != self._check_gen:
                return
            values, _lines, issues = result
            self.editor.set_record_values({k: values.get(k, "") for k in FROM_RECORD})
            self.show_issues(issues)

        self.env.worker.run(lambda: orders.check_order(ctx, pid, data, overrides), done)

    def show_issues(self, issues: list[FieldIssue]) -> None:
        self.issues = list(issues)
        rest = self.editor.show_issues(self.issues, self.overrides)
        self.other_issues.show_issues(rest)

    def save_draft(self) -> None:
        """Store what is typed now (called ~0.4 s after the last change, and before leaving)."""
        self._draft_timer.stop()
        if self.patient is None or self.patient.id is None or self.order is not None:
            return
        ctx, pid, did = self.ctx, self.patient.id, self.draft_id
        data, overrides = self.editor.to_json(), dict(self.overrides)

        def saved(new_id: int) -> None:
            if self.order is None and self.patient is not None and self.patient.id == pid:
                self.draft_id = new_id
                self.draft_label.setText(f"Draft {new_id} saved")

        self.env.worker.run(lambda: order_drafts.save_draft(ctx, did, pid, data, overrides), saved)

    def flush_draft(self) -> None:
        if self._draft_timer.isActive():
            self.save_draft()
            self.env.worker.wait()
            QCoreApplication.processEvents()  # deliver the new draft id before going on

    def discard_draft(self) -> None:
        self._draft_timer.stop()
        # Kept in memory until the next change, so "Undo" (Ctrl+Shift+U) can bring it back.
        self._undo = (self.patient.id if self.patient else None, self.editor.to_json(), dict(self.overrides))
        if self.draft_id is not None:
            did = self.draft_id
            try:
                self.env.worker.call(lambda: order_drafts.discard_draft(self.ctx, did))
            except ServiceError as exc:
                self.env.bridge.report(exc)
        self.draft_id = None
        self._blank()
        self.draft_label.setText("Draft discarded: Ctrl+Shift+U brings it back")
        self.env.bridge.tell("The draft was discarded. Press Ctrl+Shift+U to bring it back.")

    def undo(self) -> None:
        """Bring back the draft just discarded, or the ingredient line just removed."""
        if self.editor.undo_remove_line():
            return
        if self._undo is None or self.order is not None or self.patient is None:
            return
        pid, data, overrides = self._undo
        if pid != self.patient.id:
            return
        self._undo = None
        self._loading = True
        try:
            self.overrides = dict(overrides)
            self.editor.load_json(data)
        finally:
            self._loading = False
        self.save_draft()
        self.run_check()
        self.draft_label.setText("Draft brought back")

    def _blank(self) -> None:
        self._loading = True
        self.overrides = {}
        self.editor.load_json({})
        self._loading = False
        self.draft_label.setText("")
        self.run_check()

    # -- overrides and acknowledgement --------------------------------------------------------
    def ask_override(self, key: str) -> None:
        label = self.form_def.field(key).label if self.form_def.has_key(key) else key
        warning = next((i.message for i in self.issues if i.field == key), "")
        dlg = ReasonDialog("Override a warning", f"{label}: {warning}\n\nWhy is it right to go ahead?",
                           parent=self)
        dlg.accepted.connect(lambda: self.grant_override(key, dlg.values()[1]))
        dlg.open()

    def grant_override(self, key: str, reason: str) -> None:
        if not reason.strip():
            return
        self.overrides[key] = reason.strip()
        self.show_issues(self.issues)
        self._changed()

    def _acknowledge_key(self) -> None:
        if findings.needs_acknowledgement(self.banner.findings) and self.ack is None:
            self.ask_acknowledgement()

    def override_key(self) -> None:
        """Ctrl+Shift+O: the warning of the field with the cursor, else the first one shown."""
        buttons = [c for c in self.editor.all_cells() if c.override_button.isVisibleTo(self.editor)]
        focus = self.focusWidget()
        here = [c for c in buttons if focus is not None and c.isAncestorOf(focus)]
        if here or buttons:
            self.ask_override((here or buttons)[0].key)

    def ask_acknowledgement(self) -> AcknowledgementDialog:
        return open_acknowledgement(self, self.env, self.banner.findings, "order", self._given)

    def _given(self, given: GivenAcknowledgement) -> None:
        self.acknowledge(given.by, given.reason, given.pin, given.contact, given.contact_note)

    def acknowledge(self, by: str, reason: str, pin: str | None = None, contact: str = "",
                    contact_note: str = "") -> None:
        self.ack = GivenAcknowledgement(by, reason, pin, contact, contact_note).held(
            findings.major_texts(self.banner.findings))
        self.banner.show_findings(self.banner.findings, acknowledged=(by, reason))  # who and why
        self._update_state()

    def drop_acknowledgement(self) -> None:
        """The held acknowledgement no longer fits (another day, a changed medication list):
        forget it and check the patient's medications again."""
        self.ack = None
        self.banner.show_findings(self.banner.findings)
        self._refresh_findings()
        self._update_state()

    def locked(self) -> None:
        self.override_auth = None
        super().locked()

    # -- saving the order ---------------------------------------------------------------------
    def save(self) -> None:
        """Create the order through the orders service; it renders and stores the PDF."""
        if self.patient is None or self.patient.id is None or self.order is not None:
            return
        if self.ack is not None and self.ack.lapsed():
            self.drop_acknowledgement()  # given on an earlier day: a pharmacist reviews again
        if (findings.needs_acknowledgement(self.banner.findings) and self.ack is None
                and not self.banner.pending_covers("order")):
            self.ask_acknowledgement()
            return
        if self.overrides and self.override_auth is None:
            def confirmed(by: str | None, pin: str | None) -> None:
                self.override_auth = (by, pin)
                self.save()

            confirm_pharmacist(self, self.env, "override a warning", confirmed)
            return
        ctx, pid = self.ctx, self.patient.id
        data, overrides = self.editor.to_json(), dict(self.overrides)
        ack = self.ack or GivenAcknowledgement("", "")
        override_by, override_pin = self.override_auth or (None, None)
        self._draft_timer.stop()
        self.create_button.setEnabled(False)

        def failed(exc: ServiceError) -> None:
            self._update_state()
            if isinstance(exc, InputRefused):
                if any(i.code == "ack_stale" for i in exc.issues):
                    self.drop_acknowledgement()
                self.show_issues(exc.issues)
                self.env.bridge.tell("The order was not saved: see the messages by the fields.")
            else:
                self.env.bridge.report(exc)

        self.env.worker.run(lambda: orders.create_order(
            ctx, pid, data, overrides, ack.by or None, ack.reason or None, ack_contact=ack.contact,
            ack_contact_note=ack.contact_note, ack_pin=ack.pin, ack_for=ack.ack_for(),
            override_by=override_by,
            override_pin=override_pin),
                            self._created, failed)

    def _created(self, ids: tuple[int, int]) -> None:
        order_id, doc_id = ids
        if self.draft_id is not None:
            did = self.draft_id
            self.env.worker.run(lambda: order_drafts.discard_draft(self.ctx, did, "order created"))
            self.draft_id = None
        self.document_id = doc_id
        self.order = self.env.worker.call(lambda: orders.get_order(self.ctx, order_id))
        self.editor.set_editable(False)
        self.draft_label.setText(f"Order {order_id} saved as document {doc_id}")
        self._fill_saved_orders()
        self.saved_orders.setCurrentIndex(max(0, self.saved_orders.findData(order_id)))
        self._show_stored_pdf()
        self.ack = None  # used by this order: one acknowledgement, one document
        self._refresh_findings()  # a pending acknowledgement it used is gone
        self._update_state()
        self.env.bridge.tell(f"Order {order_id} saved; document {doc_id} is in the log.")

    def _show_stored_pdf(self) -> None:
        if self.document_id is not None:
            doc_id = self.document_id
            self.preview.show_pdf(self.env.worker.call(lambda: doc_use.stored_pdf(self.ctx, doc_id)))

    # -- status -------------------------------------------------------------------------------
    def ask_status(self, new: str) -> None:
        button = self.status_bar.buttons.get(new)
        if self.order is None or button is None or not button.isEnabled():
            return  # a key for a step not allowed now does nothing
        if new in (CANCELLED, DISPENSED):
            oid = self.order.id
            name = self.patient.name if self.patient else "this patient"
            if new == CANCELLED:
                text = (f"Cancel order {oid} for {name}? This is final: a cancelled order cannot be "
                        "dispensed or reopened, and the cancellation is recorded in the audit trail.")
                action = "Cancel the order"
            else:
                text = (f"Mark order {oid} for {name} as dispensed? This is final and recorded in the "
                        "audit trail under your name; no further status can follow.")
                action = "Mark dispensed"
            # A final step first says what will happen (#20); a cancellation then asks why (#22).
            then = self._ask_cancel_reason if new == CANCELLED else (lambda: self.change_status(new, ""))
            self.confirm_dialog = confirm(self, "Confirm a final step", text, action, then, danger=True)
            return
        if new == SIGNED:
            dlg = ReasonDialog("Signed original received",
                               "How did the signed original come in (fax from the office, mail, by hand)?",
                               parent=self, field_label="How it came in")
            dlg.accepted.connect(lambda: self.change_status(new, dlg.values()[1]))
            dlg.open()
            return
        self.change_status(new, "")

    def _ask_cancel_reason(self) -> None:
        """After the cancellation was confirmed: why (stored in the status history). Its Cancel
        button leaves the order as it was."""
        dlg = ReasonDialog("Cancel the order", "Why is this order cancelled (for example: the "
                           "prescriber changed the therapy, the patient declined)?", parent=self)
        dlg.setObjectName("cancel-reason")
        dlg.accepted.connect(lambda: self.change_status(CANCELLED, dlg.values()[1]))
        self.reason_dialog = dlg
        dlg.open()

    def change_status(self, new: str, note: str) -> None:
        if self.order is None:
            return
        if new == DISPENSED:
            confirm_pharmacist(self, self.env, "mark an order dispensed",
                               lambda by, pin: self._set_status(new, note, by, pin))
            return
        self._set_status(new, note, None, None)

    def _set_status(self, new: str, note: str, by: str | None, pin: str | None) -> None:
        if self.order is None:
            return
        oid = self.order.id
        try:
            self.order = self.env.worker.call(
                lambda: orders.order_status(self.ctx, oid, new, note, by=by, pin=pin))
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return
        self._fill_saved_orders()  # the saved-order box shows the new status, not "draft"
        self.saved_orders.setCurrentIndex(max(0, self.saved_orders.findData(oid)))
        self._update_state()
        self.env.bridge.tell(f"Order {oid} is now {new.replace('-', ' ')}.")

    def _update_state(self) -> None:
        has_patient = self.patient is not None
        created = self.order is not None
        # A major finding not yet acknowledged for this order: Create waits (Ctrl+S opens the
        # acknowledgement; so does the button beside it).
        blocked = (not created and findings.needs_acknowledgement(self.banner.findings)
                   and self.ack is None and not self.banner.pending_covers("order"))
        self.ack_button.setVisible(has_patient and not created
                                   and findings.needs_acknowledgement(self.banner.findings))
        self.ack_button.setEnabled(self.ack is None)
        self.create_button.setEnabled(has_patient and not created and not blocked)
        self.discard_button.setEnabled(has_patient and not created)
        self.copy_button.setEnabled(created)
        # A saved order never changes: picking a prescriber is for a new order (or a copy).
        self.prescriber_picker.setEnabled(has_patient and not created)
        self.print_button.setEnabled(self.document_id is not None)
        self.status_bar.show_status(self.order.id if self.order else None,
                                    self.order.status if self.order else None)
        self._show_history()

    def _show_history(self) -> None:
        """The order's status history as stored, in local time, newest last."""
        if self.order is None:
            self.history_label.setText("")
            return
        oid = self.order.id
        history = self.env.worker.call(lambda: orders.status_history(self.ctx, oid))
        lines = []
        for h in history:
            when = dt.datetime.fromisoformat(h.at).astimezone().strftime("%Y-%m-%d %H:%M")
            note = f" ({h.note})" if h.note else ""
            lines.append(f"{when}  {h.status.replace('-', ' ')} by {h.operator}{note}")
        self.history_label.setText("Status history:\n" + "\n".join(lines) if lines
                                   else "Status history: (not recorded)")

    def open_export(self) -> None:
        """The order log export, with the same filters as the command line."""
        if self.export_dialog is None:
            self.export_dialog = OrderExportDialog(self.env, parent=self)
        self.export_dialog.open()
        self.export_dialog.activateWindow()
        self.export_dialog.since.setFocus()

    # -- page hooks ---------------------------------------------------------------------------
    def activated(self, **kwargs: Any) -> None:
        if kwargs.get("order_id") is not None:
            self.open_order(int(kwargs["order_id"]))
            return
        pid = kwargs.get("patient_id")
        if pid is not None and (self.patient is None or self.patient.id != pid or self.order is not None):
            try:
                self.start(self.env.worker.call(lambda: patients.get_patient(self.ctx, pid)))
            except ServiceError as exc:
                self.env.bridge.report(exc)
        elif self.patient is not None:
            self._refresh_findings()

    def new_item(self) -> None:
        if self.patient is None:
            self.picker.search.setFocus()
            self.env.bridge.tell("Choose the patient for the new order.")
            return
        if self.order is not None:
            self.start(self.patient)
        else:
            self.picker.search.setFocus()


    def print_current(self) -> None:
        if self.document_id is None:
            self.env.bridge.tell("Save the order first: only the stored PDF is printed.")
            return
        self.printer.print_document()
