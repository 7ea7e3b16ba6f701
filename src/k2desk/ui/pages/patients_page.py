"""Patients: search as you type, add and edit, interaction findings always in view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.models import Patient
from k2desk.services import interactions, patients
from k2desk.services.changes import Changes
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.services.patients import PatientInput
from k2desk.ui import findings, keyboard, scan
from k2desk.ui.columns import fit_columns
from k2desk.ui.models.patients_model import PatientsModel
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.pages.patient_form import PatientForm
from k2desk.ui.widgets.dialogs import NoticeDialog
from k2desk.ui.widgets.findings_banner import FindingsBanner
from k2desk.ui.widgets.patient_banner import PatientBanner
from k2desk.ui.widgets.selection import on_row_selected

SEARCH_DEBOUNCE_MS = 150


class PatientsPage(Page):
    key = "patients"
    title = "Patients"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.duplicate_dialog: NoticeDialog | None = None
        self.search = QLineEdit()
        self.search.setObjectName("patient-search")
        self.search.setPlaceholderText("Find a patient by name or phone (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.model = PatientsModel()
        self.table = QTableView()
        self.table.setObjectName("patients-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Patients found")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Name, Date of birth, Phone, Allergies: a phone number is never cut; when narrow the
        # Allergies column goes first (the form shows them), then the date of birth.
        fit_columns(self.table, (30, 18, 22, 15), (90, 78, 106, 60), drop_order=(3, 1))
        on_row_selected(self.table, self._row_chosen)
        new_button = QPushButton("Ne&w patient")
        new_button.clicked.connect(self.new_item)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.search)
        lv.addWidget(self.table, 1)
        lv.addWidget(new_button)

        self.banner = FindingsBanner()
        self.patient_banner = PatientBanner()
        self.form = PatientForm()
        self.form.medications_changed.connect(self._medications_typed)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.form_scroll = scroll
        self.save_button = QPushButton("&Save patient")
        self.save_button.setObjectName("save-patient")
        self.save_button.clicked.connect(self.save)
        self.handout_button = QPushButton("Handout for this patient…")
        self.handout_button.clicked.connect(lambda: self._open_with("handout"))
        self.order_button = QPushButton("Order for this patient…")
        self.order_button.clicked.connect(lambda: self._open_with("orders"))
        self.documents_button = QPushButton("Documents…")
        self.documents_button.setToolTip("This patient's handouts and orders in the log")
        self.documents_button.clicked.connect(lambda: self._open_with("log"))
        # Save on its own row: the row of four was wider than the form at 1024×768 and squeezed
        # the patient list until phone numbers were cut.
        buttons = QVBoxLayout()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        open_row = QHBoxLayout()
        open_row.addWidget(self.handout_button)
        open_row.addWidget(self.order_button)
        open_row.addWidget(self.documents_button)
        open_row.addStretch(1)
        buttons.addLayout(save_row)
        buttons.addLayout(open_row)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.addWidget(self.patient_banner)
        rv.addWidget(self.banner)
        rv.addWidget(scroll, 1)
        rv.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 600])  # 2:3 from the start: the list keeps room for name, birth date, phone
        lay = QVBoxLayout(self)
        lay.addWidget(split)

        self._generation = 0
        self._searching: str | None = None  # the text of the search in flight
        self._held: dict[str, tuple[int | None, PatientInput]] = {}  # operator -> typed, while locked
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        keyboard.link_search(self.search, self.table, self.open_first_match)
        scan.install(self.search, env)  # a scanned "D-123" opens that document in the Log
        self._update_buttons()
        self.run_search()

    def open_first_match(self) -> None:
        """Enter in the search box: search now and show the first patient found."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.run_search()
        self.env.worker.wait()
        QCoreApplication.processEvents()  # deliver the answer
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    # -- search -------------------------------------------------------------------------------
    def run_search(self) -> None:
        """Search now (the debounce timer calls this ~150 ms after the last key)."""
        self._generation += 1
        gen, text, ctx = self._generation, self.search.text(), self.ctx
        self._searching = text

        def work() -> tuple[list[Patient], dict[int, list[str]]]:
            if text.strip():
                rows = patients.search_patients(ctx, text, limit=200)
            else:
                rows = patients.list_patients(ctx, limit=200)
            return rows, {p.id: interactions.vka_agents([m.text for m in p.current_medications])
                          for p in rows if p.id is not None}

        def done(result: tuple[list[Patient], dict[int, list[str]]]) -> None:
            if gen == self._generation:  # a newer search has started: drop this answer
                self._searching = None
                self._show_results(*result)

        self.env.worker.run(work, done)

    def _show_results(self, rows: list[Patient], vka: dict[int, list[str]] | None = None) -> None:
        keep = self.form.patient_id
        self.model.set_patients(rows, vka)
        if keep is not None:
            self.select_patient(keep)

    def select_patient(self, patient_id: int) -> bool:
        row = self.model.row_of(patient_id)
        if row < 0:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def _row_chosen(self, row: int) -> None:
        if row < 0:
            return
        p = self.model.patient(row)
        if p.id == self.form.patient_id:
            return
        if self.unsaved_work():
            # Ask before the typed changes are lost; the selection goes back meanwhile.
            self._reselect_form_patient()
            self.env.leave_current(lambda: self._show_chosen(p.id))
            return
        self.show_patient(p)

    def _show_chosen(self, patient_id: int | None) -> None:
        row = self.model.row_of(patient_id) if patient_id is not None else -1
        if row >= 0:
            self.show_patient(self.model.patient(row))
            self.select_patient(patient_id)  # type: ignore[arg-type]  # row >= 0 means not None

    def _reselect_form_patient(self) -> None:
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        row = self.model.row_of(self.form.patient_id) if self.form.patient_id is not None else -1
        if row >= 0:
            sm.setCurrentIndex(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                               | QItemSelectionModel.SelectionFlag.Rows)
        else:
            sm.clearSelection()
            sm.setCurrentIndex(self.model.index(-1, -1), QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.blockSignals(False)
        self.table.viewport().update()

    # -- one patient --------------------------------------------------------------------------
    def show_patient(self, p: Patient | None) -> None:
        self.form.load(p)
        self._update_buttons()
        self.refresh_findings()

    def refresh_findings(self, *, reload_form: bool = False) -> None:
        """Re-read the stored patient's banner and findings (and, with ``reload_form``, the
        form itself when nothing is typed in it: a change made elsewhere shows at once)."""
        pid, ctx = self.form.patient_id, self.ctx
        if pid is None:
            self.patient_banner.show_patient(None)
            self._medications_typed()
            return

        def done(state: tuple[Patient, list[str], list[Any]]) -> None:
            if pid != self.form.patient_id:
                return
            p, vka, found = state
            if reload_form and not self.form.is_dirty():
                self.form.load(p)
            self.patient_banner.show_patient(p, vka)
            if not self.form.is_dirty():
                self.banner.show_findings(found)
            elif self.form.merge_stored(p):
                self._changed_elsewhere()

        def failed(exc: ServiceError) -> None:
            if pid == self.form.patient_id:
                self.env.bridge.report(exc)

        self.env.worker.run(lambda: findings.patient_state(ctx, pid), done, failed)

    def refresh(self, changes: Changes) -> None:
        # The list and its VKA icons; a search for the same text already on its way reads the
        # same rows, and starting another would drop the answer Enter is waiting for.
        if (changes.patient or changes.medications or changes.acknowledgement) \
                and self._searching != self.search.text():
            self.run_search()
        if self.form.patient_id is not None and changes.touches_patient(self.form.patient_id):
            self.refresh_findings(reload_form=True)

    def _changed_elsewhere(self) -> None:
        """The form now holds the stored lists merged with what was typed: show their findings
        and say why, in a pharmacist's words (nothing is saved until Save is pressed again)."""
        meds = self.form.medications.values()
        self.banner.show_findings(findings.check_medications(meds) if meds else [])
        self.env.bridge.tell(
            "This patient's medication or allergy list was changed elsewhere (the command line "
            "or another k2desk) while the form was open. The form now shows both changes: check "
            "them, then save again.")

    def _medications_typed(self) -> None:
        # For a patient not yet saved, check what is typed so the warning shows before saving.
        meds = self.form.medications.values()
        if self.form.patient_id is not None and not meds:
            return
        found = findings.check_medications(meds) if meds else []
        self.banner.show_findings(found, empty_text="No interaction found with the listed medications.")

    def _update_buttons(self) -> None:
        saved = self.form.patient_id is not None
        self.handout_button.setEnabled(saved)
        self.order_button.setEnabled(saved)
        self.documents_button.setEnabled(saved)

    def _open_with(self, page: str) -> None:
        if self.form.patient_id is not None:
            self.env.go(page, patient_id=self.form.patient_id)

    # -- page hooks ---------------------------------------------------------------------------
    def activated(self, **kwargs: Any) -> None:
        self.run_search()  # patients may have been added elsewhere (import, another window)
        pid = kwargs.get("patient_id")
        if pid is not None:
            try:
                self.show_patient(self.env.worker.call(lambda: patients.get_patient(self.ctx, pid)))
            except ServiceError as exc:
                self.env.bridge.report(exc)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def new_item(self) -> None:
        self.env.leave_current(self._new_patient)

    def _new_patient(self) -> None:
        self._reselect_form_patient()
        self.table.clearSelection()
        self.show_patient(None)
        self.form.name.setFocus()

    # -- unsaved changes ----------------------------------------------------------------------
    def selected_patient_id(self) -> int | None:
        return self.form.patient_id

    def unsaved_work(self) -> str | None:
        if not self.form.is_dirty():
            return None
        name = self.form.name.text().strip() or "without a name yet"
        pid = self.form.patient_id
        what = f"Patient #{pid} ({name})" if pid else f"The new patient ({name})"
        vka = [f for f in findings.check_medications(self.form.medications.values())
               if str(getattr(f, "severity", "")) == "major"]
        if vka:
            what += ", with " + ", ".join(sorted({str(f.input) for f in vka})) + " typed,"
        return what

    def discard_unsaved(self) -> None:
        self.show_patient(None if self.form.patient_id is None else self._stored(self.form.patient_id))

    def _stored(self, pid: int) -> Patient | None:
        try:
            stored: Patient = self.env.worker.call(lambda: patients.get_patient(self.ctx, pid))
            return stored
        except ServiceError:
            return None

    # -- the idle lock --------------------------------------------------------------------------
    def locked(self) -> None:
        """A half-typed form is taken off the screen while locked and kept for its operator."""
        if self.form.is_dirty():
            self._held[self.ctx.operator] = (self.form.patient_id, self.form.read())
            self.show_patient(None)

    def held_operators(self) -> list[str]:
        """Operators whose half-typed patient is kept off screen until they unlock."""
        return sorted(self._held)

    def unlocked(self, operator: str) -> None:
        held = self._held.pop(operator, None)
        if held is None:
            return
        pid, data = held
        self.show_patient(self._stored(pid) if pid is not None else None)
        self.form.fill(data)
        self._medications_typed()
        self.env.bridge.tell("Your unsaved changes to the patient were kept while the window was locked.")

    def save_unsaved(self) -> bool:
        return self.save()

    def save(self) -> bool:
        """Store the form through the patients service; field issues show under the fields."""
        if self.form.show_check():
            self.env.bridge.tell("The patient was not saved: please correct the fields marked in red.")
            self._show_first_problem()
            return False
        return self._store(allow_duplicate=False)

    def _store(self, *, allow_duplicate: bool) -> bool:
        data, pid, ctx = self.form.read(), self.form.patient_id, self.ctx
        try:
            if pid is None:
                pid = self.env.worker.call(lambda: patients.add_patient(
                    ctx, data, allow_duplicate=allow_duplicate))
            else:
                stored_now = self.env.worker.call(lambda: patients.get_patient(ctx, pid))
                if self.form.merge_stored(stored_now):
                    self.patient_banner.show_patient(
                        stored_now, self.env.worker.call(lambda: findings.patient_state(ctx, pid))[1])
                    self._changed_elsewhere()
                    return False
                self.env.worker.call(lambda: patients.update_patient(ctx, pid, data))
        except InputRefused as exc:
            if exc.issues and all(i.code == "duplicate_patient" for i in exc.issues):
                self._ask_duplicate(exc.issues[0].message)
                return False
            self.form.show_issues(exc.issues)
            self._show_first_problem()
            return False
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        stored = self.env.worker.call(lambda: patients.get_patient(ctx, pid))
        self.show_patient(stored)
        self.env.bridge.tell(f"Patient #{pid} saved.")
        self.run_search()
        return True

    def _ask_duplicate(self, message: str) -> None:
        """Same name and date of birth as a stored patient: ask before saving a second record
        (issue 18). Cancel is the default, so Enter never makes a duplicate by accident."""
        dlg = NoticeDialog("Same patient already recorded?", message, self)
        dlg.setObjectName("duplicate-patient")
        dlg.buttons.clear()
        save = dlg.buttons.addButton("Save anyway", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = dlg.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        save.setObjectName("duplicate-save-anyway")
        save.setAutoDefault(False)
        cancel.setObjectName("duplicate-cancel")
        cancel.setDefault(True)
        dlg.accepted.connect(lambda: self._store(allow_duplicate=True))
        dlg.rejected.connect(lambda: self.env.bridge.tell(
            "The patient was not saved: a patient with the same name and date of birth is "
            "already recorded."))
        dlg.rejected.connect(self.form.name.setFocus)
        if self.duplicate_dialog is not None:  # the one asked before, answered by now
            self.duplicate_dialog.deleteLater()
        self.duplicate_dialog = dlg
        dlg.open()
        dlg.activateWindow()
        cancel.setFocus()

    def _show_first_problem(self) -> None:
        """Scroll to the first field marked in red and put the cursor there."""
        for key, msg in self.form.messages.items():
            if msg.isVisibleTo(self.form):
                target = self.form.input_for(key)
                self.form_scroll.ensureWidgetVisible(target)
                target.setFocus()
                return
