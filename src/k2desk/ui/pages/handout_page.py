"""Handout builder: patient, topics, vetted snippets (include, exclude, reorder), a live preview
rendered off the GUI thread, and the interaction banner that blocks Create/Print until a major
finding is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.evidence import Snippet
from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.models import Patient
from k2desk.services import handouts, library, patients, reading_grades
from k2desk.services.changes import Changes
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.ui import findings, keyboard
from k2desk.ui.document_actions import DocumentPrinter
from k2desk.ui.messages import describe
from k2desk.ui.pages.base import PatientDocumentPage, UiEnv
from k2desk.ui.widgets.field_message import FieldMessage
from k2desk.ui.widgets.findings_banner import FindingsBanner
from k2desk.ui.widgets.patient_banner import PatientBanner
from k2desk.ui.widgets.patient_picker import PatientPicker
from k2desk.ui.widgets.pdf_preview import LargePreviewDialog, PdfPreview
from k2desk.ui.widgets.pharmacist import (
    AcknowledgementDialog,
    GivenAcknowledgement,
    open_acknowledgement,
)

PREVIEW_DEBOUNCE_MS = 60  # short: the render itself (~300 ms of reportlab here) is most of the wait
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 1
LEFT_OUT_MARK = "[not in this language] "
BASE_TEXT_ROLE = Qt.ItemDataRole.UserRole + 2  # the item's text before any language mark
# Issue 26: in another language, a snippet whose vetted translation prints is marked too, so the
# list says which snippets the page carries in that language ("[Spanish ✓] ...").
TRANSLATED_MARK = "[{name} ✓] "


@dataclass(frozen=True)
class SnippetRow:
    snippet: Snippet
    grade: float | None  # None until computed (stored grades are read with the library)


def load_snippets(ctx: Any) -> tuple[tuple[str, ...], list[SnippetRow]]:
    """Topics and every printable (vetted, in date) snippet, with its stored reading grade."""
    snippets = library.usable_snippets(ctx)
    known = reading_grades.known_grades(ctx, snippets)
    return library.load(ctx).topics, [SnippetRow(s, known.get(s.id)) for s in snippets]


def _item_text(r: SnippetRow) -> str:
    s = r.snippet
    text = s.text_for("en")
    grade = "…" if r.grade is None else f"{r.grade:.1f}"
    return (f"{s.evidence_label} · reading grade {grade} · {s.id}\n"
            f"{text[:160]}{'…' if len(text) > 160 else ''}")


class SnippetList(QListWidget):
    """Checkable snippets; drag and drop or Alt+Up/Alt+Down to reorder."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("snippet-list")
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)

    def move_current(self, step: int) -> None:
        row = self.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.count():
            return
        item = self.takeItem(row)
        self.insertItem(target, item)
        self.setCurrentRow(target)
        self.model().layoutChanged.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (Qt.Key.Key_Up,
                                                                                   Qt.Key.Key_Down):
            self.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


class HandoutPage(PatientDocumentPage):
    key = "handout"
    title = "Handout"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.picker = PatientPicker(env)
        self.picker.chosen.connect(self.set_patient)
        self.banner = FindingsBanner()
        self.patient_banner = PatientBanner()
        self.ack_button = QPushButton("&Acknowledge interaction… (Ctrl+Shift+K)")
        self.ack_button.setObjectName("acknowledge")
        self.ack_button.clicked.connect(self.ask_acknowledgement)
        self.topics = QListWidget()
        self.topics.setObjectName("topic-list")
        self.topics.setAccessibleName("Topics")
        self.topics.setMaximumHeight(180)
        self.topics.itemChanged.connect(lambda _i: self._topics_changed())
        self.snippets = SnippetList()
        self.snippets.setAccessibleName("Vetted evidence to include")
        self.snippets.itemChanged.connect(lambda _i: self._content_changed())
        self.snippets.model().rowsMoved.connect(lambda *_a: self._content_changed())
        self.snippets.model().layoutChanged.connect(lambda *_a: self._content_changed())
        up = QPushButton("Move up (Alt+Up)")
        up.clicked.connect(lambda: self.snippets.move_current(-1))
        down = QPushButton("Move down (Alt+Down)")
        down.clicked.connect(lambda: self.snippets.move_current(1))
        # Issue 25: the handout's language, the patient's preferred one unless changed here.
        self.language = QComboBox()
        self.language.setObjectName("handout-language")
        self.language.setAccessibleName("Handout language")
        for lang in handouts.languages():
            self.language.addItem(lang.label, lang.code)
        self._language_by_hand = False  # picked in the selector for this handout (kept on reload)
        self.language.currentIndexChanged.connect(lambda _i: self._language_picked())
        self.left_out = QLabel("")
        self.left_out.setObjectName("left-out")
        self.left_out.setWordWrap(True)
        self.left_out.setTextFormat(Qt.TextFormat.PlainText)
        self.left_out.setVisible(False)
        self.message = FieldMessage("handout")
        self.create_button = QPushButton("&Create handout (Ctrl+S)")
        self.create_button.setObjectName("create-handout")
        self.create_button.clicked.connect(self.save)
        self.print_button = QPushButton("Print (Ctrl+P)")
        self.print_button.setObjectName("print-handout")
        self.print_button.clicked.connect(self.print_current)
        self.log_button = QPushButton("Show in l&og")
        self.log_button.clicked.connect(lambda: self.env.go("log", document_id=self.document_id))

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.picker)
        lv.addWidget(self.patient_banner)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.ack_button)
        lv.addLayout(banner_row)
        language_row = QHBoxLayout()
        language_label = QLabel("Handout lang&uage")
        language_label.setBuddy(self.language)
        language_row.addWidget(language_label)
        language_row.addWidget(self.language, 1)
        lv.addLayout(language_row)
        topics_label = QLabel("&Topics")
        topics_label.setBuddy(self.topics)
        lv.addWidget(topics_label)
        lv.addWidget(self.topics)
        snippets_label = QLabel(
            "&Vetted evidence to include (tick to include; drag or Alt+Up/Down to reorder)")
        snippets_label.setBuddy(self.snippets)
        lv.addWidget(snippets_label)
        lv.addWidget(self.snippets, 1)
        moves = QHBoxLayout()
        moves.addWidget(up)
        moves.addWidget(down)
        moves.addStretch(1)
        lv.addLayout(moves)
        lv.addWidget(self.left_out)
        lv.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.log_button)
        buttons.addStretch(1)
        lv.addLayout(buttons)
        self.preview_label = QLabel("Preview (not saved)")
        self.preview_label.setObjectName("preview-label")
        self.preview = PdfPreview(empty_text="Choose a patient and at least one topic to see the handout.")
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.enlarge_button = QPushButton("&Larger preview…")
        self.enlarge_button.setObjectName("enlarge-preview")
        self.enlarge_button.setToolTip("Show the preview in a window of its own, nearly screen-sized")
        self.enlarge_button.clicked.connect(self.open_large_preview)
        top = QHBoxLayout()
        top.addWidget(self.preview_label, 1)
        top.addWidget(self.enlarge_button)
        rv.addLayout(top)
        rv.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(split)

        self.patient: Patient | None = None
        self.rows: list[SnippetRow] = []
        self.ack: GivenAcknowledgement | None = None
        self.document_id: int | None = None
        self._gen = 0
        self._stored_majors: tuple[str, ...] = ()
        self.previews = 0  # previews shown (tests and the benchmark read it)
        self.printer = DocumentPrinter(self, env, lambda: self.document_id)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.render_preview)
        self.loaded = False
        self._ack_note: list[FieldIssue] = []  # why a held acknowledgement was dropped
        keyboard.page_key(self, "Ctrl+Shift+K", self._acknowledge_key)  # Ctrl+K: a text box's own key
        self.reload_library()
        self._update_state()

    # -- library ------------------------------------------------------------------------------
    def _library_loaded(self, result: tuple[tuple[str, ...], list[SnippetRow]]) -> None:
        topics, rows = result
        chosen = set(self.chosen_topics())
        before = [(r.snippet.id, r.snippet.version) for r in self.rows]
        self.rows = rows
        self.topics.blockSignals(True)
        self.topics.clear()
        for t in topics:
            if not any(t in r.snippet.topics for r in rows):
                continue  # nothing vetted to print for this topic
            item = QListWidgetItem(t.replace("-", " "))
            item.setData(Qt.ItemDataRole.UserRole, t)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if t in chosen else Qt.CheckState.Unchecked)
            self.topics.addItem(item)
        self.topics.blockSignals(False)
        rows_h = sum(self.topics.sizeHintForRow(i) for i in range(self.topics.count()))
        self.topics.setMaximumHeight(min(rows_h + 2 * self.topics.frameWidth() + 4, 220))
        if self.loaded and before != [(r.snippet.id, r.snippet.version) for r in rows]:
            # The vetted library changed (a snippet rejected, retired, vetted, imported): what
            # is offered follows it at once; choices of snippets still offered are kept.
            self._topics_changed()
        self.loaded = True

    def reload_library(self) -> None:
        ctx, worker = self.ctx, self.env.worker

        def loaded(result: tuple[tuple[str, ...], list[SnippetRow]]) -> None:
            self._library_loaded(result)
            missing = [r.snippet for r in result[1] if r.grade is None]
            if missing:  # graded once per snippet version, then stored (issue #23)
                worker.run(lambda: reading_grades.compute_grades(missing, {}), graded, uses_store=False)

        def graded(computed: reading_grades.Computed) -> None:
            worker.run(lambda: reading_grades.save_grades(ctx, computed))
            self._grades_arrived({key[0]: grade for key, _sha, grade in computed})

        worker.run(lambda: load_snippets(ctx), loaded)

    def _grades_arrived(self, grades: dict[str, float]) -> None:
        """Fill in reading grades computed after the snippets were listed."""
        self.rows = [SnippetRow(r.snippet, grades.get(r.snippet.id, r.grade)) for r in self.rows]
        for i in range(self.snippets.count()):
            item = self.snippets.item(i)
            r = item.data(SNIPPET_ROLE)
            if r.snippet.id in grades:
                r = SnippetRow(r.snippet, grades[r.snippet.id])
                item.setData(SNIPPET_ROLE, r)
                item.setText(_item_text(r))

    def chosen_topics(self) -> list[str]:
        return [self.topics.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.topics.count())
                if self.topics.item(i).checkState() == Qt.CheckState.Checked]

    def set_topics(self, topics: list[str]) -> None:
        self.topics.blockSignals(True)
        for i in range(self.topics.count()):
            item = self.topics.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in topics
                               else Qt.CheckState.Unchecked)
        self.topics.blockSignals(False)
        self._topics_changed()

    def _topics_changed(self) -> None:
        """List the snippets of the chosen topics (all included), keeping earlier choices."""
        topics = set(self.chosen_topics())
        previous = {self.snippets.item(i).data(SNIPPET_ROLE).snippet.id: self.snippets.item(i).checkState()
                    for i in range(self.snippets.count())}
        order = [self.snippets.item(i).data(SNIPPET_ROLE).snippet.id for i in range(self.snippets.count())]
        wanted = [r for r in self.rows if topics.intersection(r.snippet.topics)]
        wanted.sort(key=lambda r: order.index(r.snippet.id) if r.snippet.id in order else len(order))
        self.snippets.blockSignals(True)
        self.snippets.clear()
        for r in wanted:
            s = r.snippet
            item = QListWidgetItem(_item_text(r))
            item.setData(SNIPPET_ROLE, r)
            item.setToolTip(s.text_for("en"))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(previous.get(s.id, Qt.CheckState.Checked))
            self.snippets.addItem(item)
        self.snippets.blockSignals(False)
        self._content_changed()

    def chosen_snippet_ids(self) -> list[str]:
        return [self.snippets.item(i).data(SNIPPET_ROLE).snippet.id for i in range(self.snippets.count())
                if self.snippets.item(i).checkState() == Qt.CheckState.Checked]

    # -- patient and interactions -------------------------------------------------------------
    def set_patient(self, p: Patient | None) -> None:
        self.patient, self.ack, self.document_id = p, None, None
        self._ack_note = []
        if self.patient_banner.patient is not p:
            self._gen += 1  # a preview on its way for the patient shown before is dropped
            self.preview.clear("Choose at least one topic to see the handout." if p else None)
        self.picker.set_patient(p, emit=False)
        self.patient_banner.show_patient(p)
        self.set_language(p.language if p is not None else "en")
        self.banner.show_findings([], empty_text="Checking interactions…" if p else
                                  "Choose a patient to see interaction checks.")
        self._update_state()
        if p is not None and p.id is not None:
            self.reload_patient()
        self.schedule_preview()

    def chosen_language(self) -> str:
        return str(self.language.currentData() or "en")

    def _language_picked(self) -> None:
        self._language_by_hand = True
        self._content_changed()

    def set_language(self, code: str) -> None:
        """Show ``code`` in the selector (the patient's preferred language when one is chosen)."""
        self._language_by_hand = False
        i = self.language.findData(code)
        if i < 0:  # a language no longer available: shown, and the service says why it is refused
            self.language.addItem(code, code)
            i = self.language.count() - 1
        self.language.blockSignals(True)
        self.language.setCurrentIndex(i)
        self.language.blockSignals(False)

    def show_left_out(self, plan: handouts.LanguagePlan | None) -> None:
        """Which snippets print in the handout's language (a vetted translation made from the
        current English) and which it leaves out, and why (never printed in English)."""
        lines = [] if plan is None else [f"• {x.snippet_id}: {x.reason}" for x in plan.left_out]
        reasons = {} if plan is None else {x.snippet_id: x.reason for x in plan.left_out}
        translated = {} if plan is None or plan.language == "en" else plan.texts
        mark = TRANSLATED_MARK.format(name=plan.name) if plan is not None else ""
        # Mark them in the list too, so the list never suggests a snippet prints when it does not.
        self.snippets.blockSignals(True)
        for i in range(self.snippets.count()):
            item = self.snippets.item(i)
            row: SnippetRow = item.data(SNIPPET_ROLE)
            if item.data(BASE_TEXT_ROLE) is None:
                item.setData(BASE_TEXT_ROLE, item.text())
            text = str(item.data(BASE_TEXT_ROLE))
            why = reasons.get(row.snippet.id)
            if why:
                item.setText(LEFT_OUT_MARK + text)
                item.setToolTip(f"Left out: {why}")
            elif row.snippet.id in translated:
                item.setText(mark + text)
                item.setToolTip(f"Vetted {plan.name if plan else ''} text: "
                                f"{translated[row.snippet.id]}")
            else:
                item.setText(text)
                item.setToolTip(row.snippet.text["en"])
        self.snippets.blockSignals(False)
        if plan is not None and plan.foods_left_out:
            lines.append(f"• {plan.foods_left_out}")
        if plan is None or (not lines and not translated):
            self.left_out.setText("")
            self.left_out.setVisible(False)
            return
        chosen = len(self.chosen_snippet_ids())
        said = [f"Vetted {plan.name} text for {len(translated)} of {chosen} chosen snippets "
                f"(marked {mark.strip()})."]
        if lines:
            said.append(f"Left out of the {plan.name} handout:\n" + "\n".join(lines))
        self.left_out.setText("\n".join(said))
        self.left_out.setVisible(True)

    def reload_patient(self) -> None:
        """Re-read the patient, the VKA flag and the findings in one background call. A held
        acknowledgement survives only when the major findings it was given for are still the
        ones on file: a medication change needs a pharmacist's review again."""
        if self.patient is None or self.patient.id is None:
            return
        pid, ctx = self.patient.id, self.ctx

        def shown(state: tuple[Patient, list[str], list[Any]]) -> None:
            if self.patient is None or self.patient.id != pid:
                return
            p, vka, found = state
            self.patient = p
            if (not self._language_by_hand and self.document_id is None
                    and p.language != self.chosen_language()):
                # The patient's language was changed elsewhere: the default follows it (a
                # language picked here by hand for this handout is kept).
                self.set_language(p.language)
            self.picker.set_patient(p, emit=False)
            self.patient_banner.show_patient(p, vka)
            if self.ack is not None and self.ack.findings != findings.major_texts(found):
                # What the service would refuse at Create (ack_stale), said now and kept in
                # view until a pharmacist acknowledges again.
                self.ack = None
                self._ack_note = [error(
                    "ack_by", "ack_stale", "The medication list changed after the pharmacist "
                    "acknowledged the interaction. A pharmacist must review it again for this "
                    "handout.")]
                self.message.show_issues(self._ack_note)
            if (self.document_id is not None
                    and findings.major_texts(found) != self._stored_majors):
                # The stored handout was made for other major findings (a blood thinner started
                # or stopped since): it is no longer the one to print; a new handout is needed.
                self.document_id = None
                self._gen += 1
                self.preview_label.setText("Preview (not saved)")
                self.env.bridge.tell("The medication list changed after this handout was "
                                     "created: it is not printed; create a new handout.")
            if (self.document_id is None
                    and findings.major_texts(found) != findings.major_texts(self.banner.findings)):
                # The preview on screen was made for other findings (no blood-thinner box, or
                # one no longer due): never leave it beside the new banner, not even briefly.
                self._gen += 1
                self.preview.clear("Updating the preview for the changed medication list…")
            self.banner.show_findings(found, acknowledged=(self.ack.by, self.ack.reason)
                                      if self.ack is not None else False)
            self._update_state()
            self.schedule_preview()

        def failed(exc: ServiceError) -> None:
            if self.patient is not None and self.patient.id == pid:
                self.env.bridge.report(exc)

        self.env.worker.run(lambda: findings.patient_state(ctx, pid), shown, failed)

    def refresh(self, changes: Changes) -> None:
        if changes.library:
            self.reload_library()
        if self.patient is not None and changes.touches_patient(self.patient.id):
            self.reload_patient()

    def blocked(self) -> bool:
        """A major finding not yet acknowledged for this handout blocks Create (the stored
        handout, acknowledged when it was made, may still be printed)."""
        return (findings.needs_acknowledgement(self.banner.findings) and self.ack is None
                and not self.banner.pending_covers("handout") and self.document_id is None)

    def open_large_preview(self) -> LargePreviewDialog | None:
        if not self.preview.pdf_bytes:
            self.env.bridge.tell("There is no preview yet: choose a patient and at least one topic.")
            return None
        dlg = LargePreviewDialog(self.preview.pdf_bytes, self.preview_label.text(), self)
        dlg.open()
        return dlg

    def _acknowledge_key(self) -> None:
        if self.ack_button.isVisible() and self.ack_button.isEnabled():
            self.ask_acknowledgement()

    def ask_acknowledgement_when_current(self) -> None:
        """Open the acknowledgement once the findings just asked for are on screen."""
        self.env.worker.wait()
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()  # deliver the re-read findings first
        if findings.needs_acknowledgement(self.banner.findings) and self.ack is None:
            self.ask_acknowledgement()

    def ask_acknowledgement(self) -> AcknowledgementDialog:
        return open_acknowledgement(self, self.env, self.banner.findings, "handout",
                                    lambda g: self.acknowledge(g.by, g.reason, g.pin))

    def acknowledge(self, by: str, reason: str, pin: str | None = None) -> None:
        if not (by.strip() and reason.strip()):
            return
        self._ack_note = []
        self.ack = GivenAcknowledgement(by.strip(), reason.strip(), pin).held(
            findings.major_texts(self.banner.findings))
        self.banner.show_findings(self.banner.findings, acknowledged=(self.ack.by, self.ack.reason))
        self._update_state()
        self.schedule_preview()

    def drop_acknowledgement(self) -> None:
        """The held acknowledgement no longer fits (another day, a changed medication list):
        forget it and check the patient's medications again."""
        self.ack = None
        self.reload_patient()
        self._update_state()

    # -- preview ------------------------------------------------------------------------------
    def schedule_preview(self) -> None:
        self._preview_timer.start()

    def _content_changed(self) -> None:
        # What is on screen no longer matches the stored handout: Print waits for a new Create.
        self.document_id = None
        if self.ack is None and findings.needs_acknowledgement(self.banner.findings):
            self.banner.show_findings(self.banner.findings)  # the next handout needs its own
        self._update_state()
        self.schedule_preview()

    def render_preview(self) -> None:
        """Render the handout as it stands, off the GUI thread; a newer change wins. While the
        stored handout is shown (after Create, until a change) it stays: what prints is that."""
        if self.document_id is not None:
            return
        if self.patient is None or self.patient.id is None or not self.chosen_snippet_ids():
            self.preview.clear("Choose a patient and at least one topic to see the handout.")
            return
        self._gen += 1
        gen, ctx, pid = self._gen, self.ctx, self.patient.id
        ids = self.chosen_snippet_ids()
        ack = self.ack or GivenAcknowledgement("", "")
        lang = self.chosen_language()

        def shown(result: tuple[bytes, handouts.LanguagePlan]) -> None:
            pdf, plan = result
            if gen == self._gen:
                self.show_left_out(plan)
                self.preview.show_pdf(pdf)
                self.preview_label.setText("Preview (not saved)")
                self.message.show_issues(self._ack_note)
                self.previews += 1

        def failed(exc: ServiceError) -> None:
            if gen != self._gen:
                return
            if isinstance(exc, InputRefused):
                self.show_left_out(None)
                self.message.show_issues(exc.issues)
                self.preview.clear(describe(exc))
            else:
                self.env.bridge.report(exc)

        def work() -> tuple[bytes, handouts.LanguagePlan]:
            pdf = handouts.preview_handout(ctx, pid, (), ids, ack.by or None, ack.reason or None,
                                           ack_pin=ack.pin, ack_for=ack.ack_for(), language=lang)
            return pdf, handouts.handout_plan(ctx, pid, (), ids, language=lang)

        self.env.worker.run(work, shown, failed)

    # -- create and print ---------------------------------------------------------------------
    def save(self) -> None:
        """Create the handout through the service; then show the STORED PDF."""
        if self.patient is None or self.patient.id is None:
            self.env.bridge.tell("Choose a patient first.")
            return
        if self.ack is not None and self.ack.lapsed():
            self.drop_acknowledgement()  # given on an earlier day: a pharmacist reviews again
        if self.blocked():
            self.message.show_issues(self._ack_note)
            self.ask_acknowledgement()
            return
        ctx, pid, ids = self.ctx, self.patient.id, self.chosen_snippet_ids()
        ack = self.ack or GivenAcknowledgement("", "")
        lang = self.chosen_language()

        majors = findings.major_texts(self.banner.findings)

        def created(doc_id: int) -> None:
            self.document_id = doc_id
            self._stored_majors = majors  # what the stored handout was made for
            self.drop_acknowledgement()  # used by this handout: one acknowledgement, one document
            self._preview_timer.stop()
            self._gen += 1  # an older preview must not replace the stored PDF
            from k2desk.services import doc_use

            self.preview.show_pdf(self.env.worker.call(lambda: doc_use.stored_pdf(ctx, doc_id)))
            self.preview_label.setText(f"Stored document {doc_id}")
            self._update_state()
            self.env.bridge.tell(f"Handout saved as document {doc_id}.")

        def failed(exc: ServiceError) -> None:
            if isinstance(exc, InputRefused):
                codes = {i.code for i in exc.issues}
                if "ack_stale" in codes:
                    self.drop_acknowledgement()
                self.message.show_issues(exc.issues)
                if codes & {"interaction_unacknowledged", "ack_stale"}:
                    # The remedy in place: the service found a major interaction the screen
                    # did not know of yet (the list changed meanwhile); ask for the review now,
                    # and keep the reason in view until it is given.
                    self._ack_note = list(exc.issues)
                    self.reload_patient()
                    self.ask_acknowledgement_when_current()
            else:
                self.env.bridge.report(exc)

        self.env.worker.run(lambda: handouts.create_handout(ctx, pid, (), ids, ack.by or None,
                                                            ack.reason or None, ack_pin=ack.pin,
                                                            ack_for=ack.ack_for(), language=lang),
                            created, failed)

    def print_current(self) -> None:
        if self.blocked():
            self.ask_acknowledgement()
            return
        if self.document_id is None:
            self.env.bridge.tell("Create the handout first: only the stored PDF is printed.")
            return
        self.printer.print_document()

    def _update_state(self) -> None:
        blocked = self.blocked()
        self.ack_button.setVisible(findings.needs_acknowledgement(self.banner.findings))
        self.ack_button.setEnabled(self.ack is None)
        # Once stored, Create waits for a change (no accidental duplicate of the same handout).
        self.create_button.setEnabled(self.patient is not None and not blocked and self.document_id is None)
        self.print_button.setEnabled(self.document_id is not None and not blocked)
        self.log_button.setEnabled(self.document_id is not None)

    # -- page hooks ---------------------------------------------------------------------------
    def activated(self, **kwargs: Any) -> None:
        pid = kwargs.get("patient_id")
        if pid is not None and (self.patient is None or self.patient.id != pid):
            try:
                self.set_patient(self.env.worker.call(lambda: patients.get_patient(self.ctx, pid)))
            except ServiceError as exc:
                self.env.bridge.report(exc)

    def new_item(self) -> None:
        self.document_id = None
        self.ack = None
        if self.patient is not None:
            self.set_patient(self.patient)
        self.picker.search.setFocus()

