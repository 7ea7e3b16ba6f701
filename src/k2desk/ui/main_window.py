"""The main window: side bar, pages, shortcuts, operator in the status bar, idle lock."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from k2desk import __version__
from k2desk.domain.settings import SETTINGS_BY_KEY
from k2desk.services.changes import EVERYTHING, Changes
from k2desk.services.context import AppContext
from k2desk.ui import keyboard
from k2desk.ui.changes import ChangeBridge
from k2desk.ui.fax_watch import FaxFailureWatch
from k2desk.ui.fonts import register_app_fonts
from k2desk.ui.idle import IdleWatcher
from k2desk.ui.messages import MessageBridge
from k2desk.ui.pages.base import Page, UiEnv
from k2desk.ui.pages.lock_screen import LockScreen
from k2desk.ui.widgets.confirm import DISCARD, SAVE, ConfirmDialog, UnsavedDialog, confirm
from k2desk.ui.widgets.dialogs import NoticeDialog, settle_size
from k2desk.ui.window_state import load_geometry, load_last_page, window_settings
from k2desk.ui.worker import Worker

# key, side-bar label, "module:Class" (imported on first visit so the window opens fast)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("patients", "Patients", "k2desk.ui.pages.patients_page:PatientsPage"),
    ("handout", "Handout", "k2desk.ui.pages.handout_page:HandoutPage"),
    ("orders", "Orders", "k2desk.ui.pages.order_page:OrderPage"),
    ("log", "Log", "k2desk.ui.pages.log_page:LogPage"),
    ("library", "Library", "k2desk.ui.pages.library_page:LibraryPage"),
    ("settings", "Settings", "k2desk.ui.pages.settings_page:SettingsPage"),
    ("fax", "Fax outbox", "k2desk.ui.pages.fax_page:FaxOutboxPage"),
)
PAGE_KEYS = [p[0] for p in PAGES]
# Keys that belong to one widget rather than a window action, listed with the actions.
PAGE_KEYS_HELP = (
    ("Handout: move the chosen snippet up / down", "Alt+Up / Alt+Down"),
    ("Handout: include or exclude the chosen snippet", "Space"),
    ("Next / previous field (arrows move inside a list)", "Tab / Shift+Tab"),
    ("Search boxes: open the first match / move into the results", "Enter / Down"),
    ("Handout, Orders: acknowledge the interaction", "Ctrl+Shift+K"),
    ("Orders: override this field's warning", "Ctrl+Shift+O"),
    ("Orders: sent for signature / signed original / compounded", "Alt+1 / Alt+2 / Alt+3"),
    ("Orders: dispensed / cancel order (each asks first)", "Alt+4 / Alt+5"),
    ("Orders: bring back the discarded draft or removed line", "Ctrl+Shift+U"),
    ("Log: reprint the chosen document", "Ctrl+P"),
    ("Labels and buttons: go to the field or press the button", "Alt + underlined letter"),
)


class ShortcutsDialog(QDialog):
    """Help ▸ Shortcuts: every action that has a key, read from the actions themselves."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(a.text().replace("&", ""), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for a in actions if not a.shortcut().isEmpty()] + list(PAGE_KEYS_HELP)
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        for r, (text, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(text))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setWordWrap(True)  # a long description wraps rather than being cut
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        settle_size(self, 500, 520)


class MainWindow(QMainWindow):
    # Emitted once the frame has been painted, just before the first page is built (issue #23).
    first_painted = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        keyboard.install()  # Tab leaves tables and text boxes; every control has a name
        register_app_fonts()  # names in any script show on a machine without those fonts
        self.ctx = ctx
        # In the window, acting as a pharmacist other than the one signed in takes their PIN.
        ctx.trust_login = False
        self.bridge = MessageBridge()
        # The services' change notice, on the GUI thread: every built page refreshes from it.
        self.changes = ChangeBridge(ctx, self)
        self.changes.changed.connect(self.changes_arrived)
        self._activation_timer = QTimer(self, singleShot=True, interval=0)
        self._activation_timer.timeout.connect(self.window_activated)
        self.worker = Worker(self.bridge.report)
        self.env = UiEnv(ctx=ctx, worker=self.worker, bridge=self.bridge, go=self.go,
                         leave_current=self.leave_current)
        self.qsettings = window_settings(ctx.data_dir)
        self.pages: dict[str, Page] = {}
        self.unsaved_dialog: UnsavedDialog | None = None
        self.held_dialog: ConfirmDialog | None = None
        self._drop_held = False  # set once someone chose to quit despite work kept for others
        self.setWindowTitle(f"k2desk {__version__}")  # never a patient's name: it shows when locked

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(150)
        self.sidebar.setStyleSheet("QListWidget { font-size: 12pt; } QListWidget::item { padding: 8px; }")
        self.stack = QStackedWidget()
        self._placeholders: dict[str, QWidget] = {}
        for key, label, _target in PAGES:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
            ph = QWidget()
            self._placeholders[key] = ph
            self.stack.addWidget(ph)
        self.sidebar.currentRowChanged.connect(lambda row: self.go(PAGE_KEYS[row]))

        work = QWidget()
        lay = QHBoxLayout(work)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.sidebar)
        lay.addWidget(self.stack, 1)
        self.lock_screen = LockScreen(lambda: self.ctx, self.worker, self._unlocked)
        self.outer = QStackedWidget()
        self.outer.addWidget(work)
        self.outer.addWidget(self.lock_screen)
        self.setCentralWidget(self.outer)
        # The layout would push a minimum size to the platform window on every change; the
        # offscreen platform warns about that, so the minimum is set once, before showing.
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(760, 520)

        # Long work the window started (opening and checking the database at start-up): what
        # it is and how far it got, beside the operator; the window keeps responding meanwhile.
        self.work_label = QLabel()
        self.work_label.setObjectName("work-label")
        self.work_progress = QProgressBar()
        self.work_progress.setObjectName("work-progress")
        self.work_progress.setAccessibleName("Progress")
        self.work_progress.setMaximumWidth(160)
        self.work_progress.setTextVisible(False)
        for w in (self.work_label, self.work_progress):
            w.hide()
            self.statusBar().addPermanentWidget(w)
        self.operator_label = QLabel()
        self.operator_label.setObjectName("operator-label")
        self.statusBar().addPermanentWidget(self.operator_label)
        self._show_operator()
        self._message_box: NoticeDialog | None = None
        self.bridge.error.connect(self._show_error)
        self.bridge.info.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.bridge.settings_changed.connect(self._settings_changed)

        self.actions_list: list[QAction] = []
        self._build_actions()
        self.fax_watch = FaxFailureWatch(self.env, self)  # a failed fax shows in the status bar

        # The shipped default until the stored setting is read, right after the window shows
        # (reading it opens the database, which the window does not wait for: issue #23).
        self.idle = IdleWatcher(int(SETTINGS_BY_KEY["lock.idle_minutes"].default) * 60_000, self)
        self.idle.idle.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)

        geometry = load_geometry(self.qsettings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 780)
        last = load_last_page(self.qsettings, "patients")
        last = last if last in PAGE_KEYS else "patients"
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(PAGE_KEYS.index(last))
        self.sidebar.blockSignals(False)
        # The page itself is built right after the window is first painted: the frame appears
        # at once and the page fills in on the next turn of the event loop (issue #23).
        self._first_paint_done = False
        self.warmed = threading.Event()  # set once services.warmup has run (bench waits for it)

    # -- start-up -----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._first_paint_done:
            # A platform that never paints a hidden-away window still gets its page.
            QTimer.singleShot(1000, self._after_first_paint)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._first_paint_done:
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Once, when the frame is on screen: say so (run_window then queues opening the
        database and its integrity check, first in the store worker's queue, so no page reads or
        writes before the check), then build the page to show."""
        if self._first_paint_done:
            return
        self._first_paint_done = True
        self.first_painted.emit()
        if not self.pages:
            self.go(self.current_key())
        self._read_idle_setting()
        self.fax_watch.check()  # failures since the last run, then every CHECK_MS
        # The interaction table and the PDF fonts, loaded on a thread of their own: they touch
        # no store, so the store worker stays free for the page's reads.
        threading.Thread(target=self._warm, name="k2desk-warm-up", daemon=True).start()

    def _warm(self) -> None:
        from k2desk.services.warmup import warm_caches

        warm_caches()
        self.warmed.set()

    # -- long work ----------------------------------------------------------------------------
    def begin_work(self, text: str) -> Callable[[int, int | None], None]:
        """Show ``text`` and a progress bar in the status bar until ``end_work``; return the
        ``progress(done, total)`` callback to give the service (any thread may call it; a total
        of None shows a moving bar without a percentage)."""
        self.work_label.setText(text)
        self.work_progress.setRange(0, 0)
        self.work_label.show()
        self.work_progress.show()
        bar = self.work_progress

        def progress(done: int, total: int | None) -> None:
            QTimer.singleShot(0, bar, lambda: self._work_moved(done, total))

        return progress

    def _work_moved(self, done: int, total: int | None) -> None:
        if not self.work_progress.isVisible():
            return  # a report arriving after the work ended
        if total:
            self.work_progress.setRange(0, total)
            self.work_progress.setValue(min(done, total))
        else:
            self.work_progress.setRange(0, 0)

    def end_work(self) -> None:
        self.work_label.hide()
        self.work_progress.hide()

    # -- navigation ---------------------------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page for ``key``, created on first use."""
        if key not in self.pages:
            target = dict((k, t) for k, _l, t in PAGES)[key]
            module_name, cls_name = target.split(":")
            cls = getattr(importlib.import_module(module_name), cls_name)
            page: Page = cls(self.env)
            keyboard.apply_rules(page)
            ph = self._placeholders.pop(key)
            index = self.stack.indexOf(ph)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(ph)
            ph.deleteLater()
            self.pages[key] = page
        return self.pages[key]

    def current_key(self) -> str:
        return PAGE_KEYS[self.sidebar.currentRow()]

    def current_page(self) -> Page:
        return self.page(self.current_key())

    def shown_page(self) -> Page | None:
        """The page on screen (the side bar may already point at the next one)."""
        w = self.stack.currentWidget()
        return w if isinstance(w, Page) else None

    def leave_current(self, then: Callable[[], object]) -> UnsavedDialog | None:
        """Run ``then`` now, or once the person has saved or discarded the shown page's changes."""
        page = self.shown_page()
        what = page.unsaved_work() if page is not None else None
        if page is None or not what:
            then()
            return None
        dlg = UnsavedDialog(what, self)

        def answered() -> None:
            if dlg.answer == SAVE and not page.save_unsaved():
                return  # not saved: the messages show by the fields, and the person stays
            if dlg.answer == DISCARD:
                page.discard_unsaved()
            then()

        dlg.accepted.connect(answered)
        self.unsaved_dialog = dlg
        dlg.open()
        return dlg

    def go(self, key: str, **kwargs: Any) -> Page:
        shown = self.shown_page()
        if shown is not None and shown.key != key and shown.unsaved_work():
            # Leaving a page with unsaved changes asks first; the side bar stays where it was.
            self._select_sidebar(shown.key)
            self.leave_current(lambda: self.go(key, **kwargs))
            return shown
        built = key in self.pages
        page = self.page(key)
        self._select_sidebar(key)
        coming_back = built and self.stack.currentWidget() is not page
        if self.stack.currentWidget() is not page:
            self.statusBar().clearMessage()  # a message about one page means nothing on another
        self.stack.setCurrentWidget(page)
        if coming_back:
            page.refresh(EVERYTHING)  # shown again: re-read rather than trust what it showed
        page.activated(**kwargs)
        self.qsettings.setValue("window/last_page", key)
        return page

    # -- staying current ----------------------------------------------------------------------
    def changes_arrived(self, changes: Changes) -> None:
        """A service committed a write: every built page re-reads what it may have made stale."""
        for page in self.pages.values():
            page.refresh(changes)

    def window_activated(self) -> None:
        """The window came back to the front: the command line or another program may have
        written meanwhile, so the page on screen re-reads everything (the others do when shown)."""
        page = self.shown_page()
        if page is not None and not self.is_locked():
            page.refresh(EVERYTHING)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._activation_timer.start()  # several activations in a row: one re-read
        super().changeEvent(event)

    def _select_sidebar(self, key: str) -> None:
        row = PAGE_KEYS.index(key)
        if self.sidebar.currentRow() != row:
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(row)
            self.sidebar.blockSignals(False)

    # -- actions ------------------------------------------------------------------------------
    def _action(self, text: str, keys: str | QKeySequence.StandardKey, slot: Any, menu: Any) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(keys))
        act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        self.actions_list.append(act)
        return act

    def _build_actions(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self.act_new_patient = self._action("New patient", "Ctrl+N", lambda: self._new("patients"), f)
        self.act_new_handout = self._action("New handout", "Ctrl+H", lambda: self._new("handout"), f)
        self.act_new_order = self._action("New order", "Ctrl+O", lambda: self._new("orders"), f)
        f.addSeparator()
        self.act_save = self._action("Save", "Ctrl+S", lambda: self.current_page().save(), f)
        self.act_print = self._action("Print", "Ctrl+P", lambda: self.current_page().print_current(), f)
        f.addSeparator()
        self.act_lock = self._action("Lock now", "Ctrl+L", self.lock, f)
        self._action("Quit", "Ctrl+Q", self.close, f)
        e = mb.addMenu("&Edit")
        self.act_find = self._action("Find", "Ctrl+F", lambda: self.current_page().focus_search(), e)
        g = mb.addMenu("&Go")
        for i, (key, label, _t) in enumerate(PAGES, 1):
            self._action(f"Go to {label}", f"Ctrl+{i}", lambda _c=False, k=key: self.go(k), g)
        h = mb.addMenu("&Help")
        self.act_shortcuts = self._action("Keyboard shortcuts", "F1", self.show_shortcuts, h)

    def _new(self, key: str) -> None:
        """Ctrl+N / Ctrl+H / Ctrl+O: a new item, for the patient selected now (if any)."""
        shown = self.shown_page()

        def start() -> None:
            # Asked once the unsaved question is answered: a patient just saved by "Save" has an
            # id only now, and the handout or order is for them.
            pid = shown.selected_patient_id() if shown is not None and key != "patients" else None
            page = self.go(key, **({"patient_id": pid} if pid is not None else {}))
            if page.key == key:
                page.new_item()

        self.leave_current(start)

    def show_shortcuts(self) -> ShortcutsDialog:
        dlg = ShortcutsDialog(self.actions_list, self)
        dlg.open()
        dlg.table.resizeRowsToContents()  # now that the columns have their widths
        return dlg

    # -- messages, operator, lock -------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.statusBar().showMessage(text.splitlines()[0], 10000)
        if self._message_box is None:
            self._message_box = NoticeDialog("k2desk", "", self)
        self._message_box.set_text(text)
        self._message_box.open()  # not exec(): never block the event loop

    def _show_operator(self) -> None:
        self.operator_label.setText(f"Operator: {self.ctx.operator}")

    def is_locked(self) -> bool:
        return self.outer.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.is_locked():
            return
        for act in self.actions_list:
            act.setEnabled(False)
        self.menuBar().setEnabled(False)
        for page in self.pages.values():
            page.locked()
        for dlg in self.findChildren(QDialog):  # an open dialog can show a patient's details
            if dlg.isVisible():
                dlg.reject()
        self.lock_screen.prepare(self.ctx.operator)
        self.outer.setCurrentWidget(self.lock_screen)
        self.statusBar().clearMessage()  # a message may name a record
        self.operator_label.setText("Locked")

    def _unlocked(self, operator: str) -> None:
        for act in self.actions_list:
            act.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.outer.setCurrentIndex(0)
        for page in self.pages.values():
            page.unlocked(operator)
        self._show_operator()
        self.idle.touch()

    def set_idle_minutes(self, minutes: int) -> None:
        self.idle.set_timeout(minutes * 60_000)

    def _read_idle_setting(self) -> None:
        from k2desk.services.settings import get_settings

        # In the background: at start-up the integrity check may still hold the store. A
        # timeout set meanwhile (Settings saved) is newer than what this read finds.
        before = self.idle.timeout_ms

        def apply(values: dict[str, object]) -> None:
            if self.idle.timeout_ms == before:
                self.set_idle_minutes(int(values["lock.idle_minutes"]))

        self.worker.run(lambda: get_settings(self.ctx), apply)

    def _settings_changed(self) -> None:
        from k2desk.services.settings import get_settings

        self.set_idle_minutes(int(self.worker.call(lambda: get_settings(self.ctx))["lock.idle_minutes"]))

    # -- shutdown -----------------------------------------------------------------------------
    def _quit_dropping_held(self) -> None:
        self._drop_held = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        shown = self.shown_page()
        if not self.is_locked() and shown is not None and shown.unsaved_work():
            event.ignore()  # ask first; closing again after Save or Discard
            self.leave_current(self.close)
            return
        patients_page = self.pages.get("patients")
        held = patients_page.held_operators() if patients_page is not None else []  # type: ignore[attr-defined]
        if held and not self._drop_held:
            # Another operator's half-typed patient, kept while the window was locked, lives only
            # here: quitting loses it, so say whose it is (never whom it is about) and ask.
            event.ignore()
            if not self.is_locked():
                self.held_dialog = confirm(
                    self, "Unsaved work of another operator",
                    f"{' and '.join(held)} left a patient with unsaved changes when the window "
                    "locked. Quitting now throws those changes away; to keep them, let "
                    f"{held[0]} unlock the window and save first.",
                    "Quit and throw them away", self._quit_dropping_held, danger=True)
            return
        self.qsettings.setValue("window/geometry", self.saveGeometry())
        self.qsettings.setValue("window/last_page", self.current_key())
        self.qsettings.sync()
        orders_page = self.pages.get("orders")
        if orders_page is not None:
            orders_page.flush_draft()  # type: ignore[attr-defined]  # what was typed last is kept
        for page in self.pages.values():
            page.shutdown()
        self.changes.close()
        self.worker.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        super().closeEvent(event)
