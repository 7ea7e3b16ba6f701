"""Library: browse evidence snippets by topic and status, read the citation and the pharmacist
note, vet, reject or retire (with a reason), and see what is due for review."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from k2desk.domain.evidence import MAX_READING_GRADE
from k2desk.services import library, reading_grades, table_signoff
from k2desk.services.changes import Changes
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.services.library import STATUS_FILTERS, SnippetView
from k2desk.ui.columns import fit_columns
from k2desk.ui.messages import describe
from k2desk.ui.models.snippets_model import SnippetsModel
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.widgets.confirm import ConfirmDialog, confirm, style_danger
from k2desk.ui.widgets.pharmacist import confirm_pharmacist
from k2desk.ui.widgets.reason_dialog import ReasonDialog
from k2desk.ui.widgets.selection import on_row_selected

DUE = "__due__"


def load_views(ctx: Any, topic: str | None, status: str | None) -> list[SnippetView]:
    views = library.due_for_review(ctx) if status == DUE else library.list_snippets(ctx, topic, status)
    if status == DUE and topic:
        views = [v for v in views if topic in v.snippet.topics]
    return views


def load_graded(ctx: Any, topic: str | None,
                status: str | None) -> tuple[list[SnippetView], dict[str, float]]:
    """The snippets to list and their stored reading grades (one background read)."""
    views = load_views(ctx, topic, status)
    return views, reading_grades.known_grades(ctx, [v.snippet for v in views])


class LibraryPage(Page):
    key = "library"
    title = "Library"

    def __init__(self, env: UiEnv) -> None:
        super().__init__(env)
        self.topic = QComboBox()
        self.topic.setObjectName("library-topic")
        self.topic.addItem("All topics", None)
        self.status = QComboBox()
        self.status.setObjectName("library-status")
        self.status.addItem("Any status", None)
        for s in STATUS_FILTERS:
            self.status.addItem(s, s)
        self.status.addItem("Due for review (30 days)", DUE)
        self.count_label = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Topic"))
        top.addWidget(self.topic)
        top.addWidget(QLabel("Status"))
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.model = SnippetsModel()
        self.table = QTableView()
        self.table.setObjectName("snippets-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Evidence snippets")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Snippet, Topics, Evidence, Status, Review due, Grade: the Evidence column never shrinks
        # to "…" alone (full text in its tool tip).
        fit_columns(self.table, (20, 10, 22, 8, 10, 5), (150, 80, 150, 60, 84, 44), drop_order=(5, 1))
        self.table.verticalHeader().setDefaultSectionSize(24)
        on_row_selected(self.table, self._row_chosen)

        self.detail = QTextBrowser()
        self.detail.setObjectName("snippet-detail")
        self.detail.setAccessibleName("Snippet details")
        self.detail.setOpenExternalLinks(False)
        self.confirm_dialog: ConfirmDialog | None = None
        self.vet_button = QPushButton("&Vet…")
        self.vet_button.setObjectName("vet")
        self.vet_button.clicked.connect(self.ask_vet)
        self.reject_button = QPushButton("Re&ject…")
        self.reject_button.clicked.connect(lambda: self.ask_reason("reject"))
        self.retire_button = QPushButton("Re&tire…")
        self.retire_button.clicked.connect(lambda: self.ask_reason("retire"))
        # Issue 25: translations are vetted on their own, one language at a time.
        self.translation_language = QComboBox()
        self.translation_language.setObjectName("translation-language")
        self.translation_language.setAccessibleName("Translation language")
        self.vet_translation_button = QPushButton("Vet tra&nslation…")
        self.vet_translation_button.setObjectName("vet-translation")
        self.vet_translation_button.clicked.connect(self.ask_vet_translation)
        self.translation_language.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.translations: list[library.TranslationView] = []
        self.decision_message = QLabel("")
        self.decision_message.setWordWrap(True)
        self.decision_message.setStyleSheet("color: #b00020;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.vet_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.retire_button)
        buttons.addStretch(1)
        buttons.addWidget(self.translation_language)
        buttons.addWidget(self.vet_translation_button)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.detail, 1)
        rv.addWidget(self.decision_message)
        rv.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 3)
        # The interaction table's sign-off by this pharmacy (issue 13): said until it is done.
        self.table_status = QLabel("")
        self.table_status.setObjectName("interaction-table-status")
        self.table_status.setWordWrap(True)
        self.sign_off_button = QPushButton("Sign off interaction table…")
        self.sign_off_button.setObjectName("sign-off-table")
        self.sign_off_button.clicked.connect(self.ask_sign_off)
        signoff_row = QHBoxLayout()
        signoff_row.addWidget(self.table_status, 1)
        signoff_row.addWidget(self.sign_off_button)
        lay = QVBoxLayout(self)
        lay.addLayout(signoff_row)
        lay.addLayout(top)
        lay.addWidget(split, 1)

        self.current: SnippetView | None = None
        self.loaded = False
        self._gen = 0
        self.topic.currentIndexChanged.connect(lambda _i: self.reload())
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        ctx = env.ctx
        env.worker.run(lambda: library.load(ctx).topics, self._topics_loaded)
        self._update_buttons()

    def _topics_loaded(self, topics: tuple[str, ...]) -> None:
        self.topic.blockSignals(True)
        for t in topics:
            self.topic.addItem(t.replace("-", " "), t)
        self.topic.blockSignals(False)
        self.reload()

    def _table_status_shown(self, status: table_signoff.TableStatus) -> None:
        self.table_status.setText(f"<b>Interaction table:</b> {html.escape(status.text)}")
        self.table_status.setStyleSheet("" if status.signed_off else "color: #b00020;")
        self.sign_off_button.setEnabled(not status.signed_off)

    def ask_sign_off(self) -> ReasonDialog:
        dlg = ReasonDialog("Sign off the interaction table",
                           "Sign off the interaction table for this pharmacy: you have read its "
                           "entries and their sources. Say what you checked.", parent=self)
        # A technician signed in: a pharmacist confirms with name and PIN for this one action.
        dlg.accepted.connect(lambda: confirm_pharmacist(
            self, self.env, "sign off the interaction table",
            lambda by, pin: self.sign_off(by or self.ctx.operator, dlg.values()[1], pin)))
        dlg.open()
        return dlg

    def sign_off(self, by: str, note: str, pin: str | None = None) -> bool:
        """Record the sign-off through the service; problems show under the text."""
        ctx = self.ctx
        try:
            status = self.env.worker.call(lambda: table_signoff.sign_off_table(ctx, by, note, pin))
        except InputRefused as exc:
            self.decision_message.setText(describe(exc))
            return False
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        self._table_status_shown(status)
        self.env.bridge.tell(status.text[:1].upper() + status.text[1:] + ".")
        return True

    def reload(self, keep: str | None = None) -> None:
        ctx0 = self.ctx
        self.env.worker.run(lambda: table_signoff.table_status(ctx0), self._table_status_shown)
        self._gen += 1
        gen, ctx = self._gen, self.ctx
        topic, status = self.topic.currentData(), self.status.currentData()

        def shown(result: tuple[list[SnippetView], dict[str, float]]) -> None:
            if gen != self._gen:
                return
            views, known = result
            # The snippet chosen now (perhaps from the rows shown while these were read) stays
            # chosen if it is still listed.
            want = keep or (self.current.id if self.current else None)
            # Rows at once; a grade not stored yet shows "…" until it is computed, below.
            self.model.set_rows([(v, known.get(v.id)) for v in views])
            self.count_label.setText(f"{len(views)} snippet(s)")
            self.loaded = True
            row = self.model.row_of(want) if want else -1
            if row >= 0:
                self.table.selectRow(row)
            else:
                self.current = None
                self.detail.clear()
                self._update_buttons()
            missing = [v.snippet for v in views if v.id not in known]
            if missing:
                self.env.worker.run(lambda: reading_grades.compute_grades(missing, {}), graded,
                                    uses_store=False)

        def graded(computed: reading_grades.Computed) -> None:
            self.env.worker.run(lambda: reading_grades.save_grades(ctx, computed))
            if gen == self._gen:
                self.model.set_grades({key[0]: grade for key, _sha, grade in computed})

        self.env.worker.run(lambda: load_graded(ctx, topic, status), shown)

    def _row_chosen(self, row: int) -> None:
        if row < 0:  # no row shown selected: Vet, Reject and Retire must not act on one
            self.current = None
            self.detail.clear()
            self._update_buttons()
            return
        self.show_snippet(self.model.view(row))

    def select(self, snippet_id: str) -> bool:
        row = self.model.row_of(snippet_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def show_snippet(self, v: SnippetView) -> None:
        self.current = v
        s = v.snippet
        ctx, sid = self.ctx, s.id
        try:
            self.translations = self.env.worker.call(lambda: library.snippet_translations(ctx, sid))
        except ServiceError as exc:
            self.translations = []
            self.env.bridge.report(exc)
        chosen = self.translation_language.currentData()
        self.translation_language.blockSignals(True)
        self.translation_language.clear()
        for t in self.translations:
            self.translation_language.addItem(t.language_name, t.language)
        if chosen is not None and self.translation_language.findData(chosen) >= 0:
            self.translation_language.setCurrentIndex(self.translation_language.findData(chosen))
        self.translation_language.blockSignals(False)
        # The stored grade (issue #23): grading here would load the pronouncing dictionary on
        # the GUI thread. Until the background grading has stored it, say so.
        grade = self.model.grade_of(s.id)
        english_level = ("<b>Reading level:</b> Flesch-Kincaid grade being computed…"
                         if grade is None else
                         f"<b>Reading level:</b> Flesch-Kincaid grade {grade:.1f}"
                         + ("" if grade <= MAX_READING_GRADE else " (above the bar: simplify)"))
        cites = "".join(f"<li>{html.escape(c.formatted())}</li>" for c in v.citations)
        note = html.escape(s.pharmacist_note) if s.pharmacist_note else "<i>none</i>"
        due = v.state.review_due.isoformat() if v.state.review_due else "not set"
        self.detail.setHtml(
            f"<h3>{html.escape(s.id)} <small>(version {s.version})</small></h3>"
            f"<p><b>{html.escape(s.evidence_label)}</b> · {html.escape(s.section.question)}</p>"
            f"<p>{html.escape(s.text['en'])}<br>{english_level}</p>"
            f"<p><b>Status:</b> {html.escape(v.state.label)} — {html.escape(v.why)}<br>"
            f"<b>Review due:</b> {due}</p>"
            f"<p><b>Pharmacist note:</b> {note}</p>"
            f"<p><b>Sources</b></p><ol>{cites or '<li><i>no citation</i></li>'}</ol>"
            + self._translations_html())
        self.decision_message.clear()
        self._update_buttons()

    def _translations_html(self) -> str:
        """Each translation: prints or not and why, its reading level, its text."""
        if not self.translations:
            return ""
        parts = ["<p><b>Translations</b></p>"]
        for t in self.translations:
            state = "prints" if t.printable else "does not print"
            line = f"<p><b>{html.escape(t.language_name)}</b>: {state} — {html.escape(t.why)}"
            level = t.reading_level
            if level is not None:
                name, score, passes = level
                if score is None:
                    line += f"<br><b>Reading level:</b> {html.escape(name)}"
                else:
                    line += (f"<br><b>Reading level:</b> {html.escape(name)} {score:.1f}"
                             + ("" if passes else " (below the bar: simplify)"))
            if t.translation is not None:
                line += f"<br>{html.escape(t.translation.text)}"
            parts.append(line + "</p>")
        return "".join(parts)

    def ask_vet_translation(self) -> ConfirmDialog | None:
        """Vet the selected snippet's translation into the chosen language, after a confirm."""
        code = self.translation_language.currentData()
        if self.current is None or code is None:
            return None
        name = self.translation_language.currentText()
        sid = self.current.id
        self.confirm_dialog = confirm(
            self, "Vet this translation?",
            f"Vet the {name} translation of '{sid}'? From now on it prints on {name} handouts, "
            "and the decision is recorded in the audit trail.",
            "Vet and allow printing",
            lambda: confirm_pharmacist(
                self, self.env, "vet a translation",
                lambda by, pin: self.vet_translation(code, by or self.ctx.operator, pin)),
            danger=True)
        return self.confirm_dialog

    def vet_translation(self, language: str, by: str, pin: str | None = None) -> bool:
        if self.current is None:
            return False
        sid, ctx = self.current.id, self.ctx
        return self._record(sid, lambda: library.vet_translation(ctx, sid, language, by, pin=pin),
                            f"Snippet {sid}: {language} translation vetted.")

    def _record(self, sid: str, call: Callable[[], object], done: str) -> bool:
        """Run one library decision; a refusal shows under the text, success says ``done``."""
        try:
            self.env.worker.call(call)
        except InputRefused as exc:
            self.decision_message.setText(describe(exc))
            return False
        except ServiceError as exc:
            self.env.bridge.report(exc)
            return False
        self.env.bridge.tell(done)
        self.reload(keep=sid)
        return True

    def _update_buttons(self) -> None:
        label = self.current.state.label if self.current else None
        self.vet_button.setEnabled(label is not None and label != "vetted")
        self.reject_button.setEnabled(label is not None and label != "rejected")
        self.retire_button.setEnabled(label is not None and label != "retired")
        t = next((t for t in self.translations
                  if t.language == self.translation_language.currentData()), None)
        self.vet_translation_button.setEnabled(
            self.current is not None and t is not None and t.translation is not None
            and not t.printable and t.state.problem is not None and t.state.problem.value != "stale")
        self.translation_language.setVisible(bool(self.translations))
        self.vet_translation_button.setVisible(bool(self.translations))

    # -- decisions ----------------------------------------------------------------------------
    def ask_vet(self) -> ConfirmDialog | None:
        """Vetting makes a snippet print on handouts: say so, with its note, and ask first."""
        if self.current is None:
            return None
        s = self.current.snippet
        note = f"\n\nIts pharmacist note says: \u201c{s.pharmacist_note}\u201d" if s.pharmacist_note else ""
        # Confirm what will happen first; then, with a technician signed in, a pharmacist's PIN.
        self.confirm_dialog = confirm(
            self, "Vet this snippet?",
            f"Vet '{s.id}' (version {s.version})? From now on it prints on patients' handouts, "
            f"and the decision is recorded in the audit trail.{note}",
            "Vet and allow printing",
            lambda: confirm_pharmacist(self, self.env, "vet a snippet",
                                       lambda by, pin: self.decide("vet", by or self.ctx.operator, "", pin)),
            danger=True)
        return self.confirm_dialog

    def ask_reason(self, action: str) -> ReasonDialog | None:
        if self.current is None:
            return None
        verb = "Reject" if action == "reject" else "Retire"
        dlg = ReasonDialog(f"{verb} snippet", f"{verb} '{self.current.id}': it will no longer print. "
                           "Say why (kept with the decision).", parent=self, enter_confirms=False)
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"{verb} snippet")  # says what it does, and looks unlike "Cancel"
        style_danger(ok)
        dlg.accepted.connect(lambda: confirm_pharmacist(
            self, self.env, f"{action} a snippet",
            lambda by, pin: self.decide(action, by or self.ctx.operator, dlg.values()[1], pin)))
        dlg.open()
        return dlg

    def decide(self, action: str, by: str, reason: str, pin: str | None = None) -> bool:
        """Record a decision through the library service; problems show under the text."""
        if self.current is None:
            return False
        sid, ctx = self.current.id, self.ctx
        calls: dict[str, Callable[[], object]] = {
            "vet": lambda: library.vet(ctx, sid, by, pin=pin),
            "reject": lambda: library.reject(ctx, sid, by, reason, pin=pin),
        }
        call = calls.get(action, lambda: library.retire(ctx, sid, by, reason, pin=pin))
        return self._record(sid, call, f"Snippet {sid}: {action} recorded.")

    def refresh(self, changes: Changes) -> None:
        # A decision or import elsewhere (the command line, the handout page's table sign-off).
        if changes.library and self.loaded:
            self.reload()

    def activated(self, **kwargs: Any) -> None:
        if self.loaded:
            self.reload()
