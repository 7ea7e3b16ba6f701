"""Export the order log from the Orders page: the same filters as `k2desk order export`, the
file to write, a progress bar while the service streams it, and "Show in folder" after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.orders import STATUSES
from k2desk.services.errors import InputRefused, ServiceError
from k2desk.ui.widgets.dialogs import settle_size

if TYPE_CHECKING:
    from k2desk.ui.pages.base import UiEnv

FORMATS = (("xlsx", "Excel workbook: Orders, Lines and Summary sheets (.xlsx)"),
           ("csv", "CSV: one row per ingredient line (.csv)"),
           ("json", "JSON: one object per order (.json)"),
           ("pdf", "Printable order log for paper or fax (.pdf)"))
# What each filter is called in the window (the service names fields by their CLI names).
FIELD_LABELS = {"since": "From", "until": "To", "status": "Status", "patient": "Patient",
                "prescriber": "Prescriber", "ingredient": "Ingredient", "format": "File type",
                "output": "File"}

# Opens the folder in the desktop's file manager; a seam the tests replace to see the folder.
open_folder: Callable[[Path], object] = lambda folder: QDesktopServices.openUrl(  # noqa: E731
    QUrl.fromLocalFile(str(folder)))


class OrderExportDialog(QDialog):
    """Filters, file, Export; runs ``export(path, fmt, filters, progress)`` on the worker."""

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from k2desk.services import order_export, order_report

        self.report = order_report

        self.env, self.svc = env, order_export
        self.setWindowTitle("Export the order log")
        self.setObjectName("order-export-dialog")
        form = QFormLayout(self)
        intro = QLabel("Every compound order with its prescriber, ingredients, status dates, "
                       "interaction review and overrides. Leave a filter empty to include all.")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.since = QLineEdit()
        self.since.setPlaceholderText("YYYY-MM-DD (day the order was made)")
        self.until = QLineEdit()
        self.until.setPlaceholderText("YYYY-MM-DD (inclusive)")
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for s in STATUSES:
            self.status.addItem(s.replace("-", " "), s)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("patient number or part of the name")
        self.prescriber = QLineEdit()
        self.prescriber.setPlaceholderText("10-digit NPI or part of the name")
        self.ingredient = QLineEdit()
        self.ingredient.setPlaceholderText("part of an ingredient or the base")
        self.format = QComboBox()
        for key, label in FORMATS:
            self.format.addItem(label, key)
        self.path = QLineEdit(str(Path.home() / "k2desk-orders.xlsx"))
        self.path.setObjectName("export-path")
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        for name, widget in (("since", self.since), ("until", self.until), ("status", self.status),
                             ("patient", self.patient), ("prescriber", self.prescriber),
                             ("ingredient", self.ingredient), ("format", self.format)):
            widget.setObjectName(f"export-{name}")
            widget.setAccessibleName(FIELD_LABELS[name])
            form.addRow(FIELD_LABELS[name], widget)
        self.path.setAccessibleName("File")
        form.addRow("File", file_row)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.message = QLabel("")
        self.message.setObjectName("export-message")
        self.message.setWordWrap(True)
        # Room for a few lines of messages: the dialog's layout does not grow rows by itself.
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 4)
        form.addRow(self.message)
        self.progress = QProgressBar()
        self.progress.setObjectName("export-progress")
        self.progress.hide()
        form.addRow(self.progress)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("export-orders")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.show_folder = QPushButton("Show in folder")
        self.show_folder.setObjectName("show-in-folder")
        self.show_folder.setEnabled(False)
        self.show_folder.clicked.connect(self.open_folder)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.show_folder)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        form.addRow(buttons)
        self.result_path: Path | None = None
        self.running = False
        settle_size(self, 640, 520)

    # -- input --------------------------------------------------------------------------------
    def filters(self) -> Any:
        return self.svc.OrderFilters(
            since=self.since.text().strip() or None, until=self.until.text().strip() or None,
            status=self.status.currentData(), patient=self.patient.text().strip() or None,
            prescriber=self.prescriber.text().strip() or None,
            ingredient=self.ingredient.text().strip() or None)

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(f".{fmt}")))

    def choose_file(self) -> None:
        fmt = self.format.currentData()
        path, _f = QFileDialog.getSaveFileName(self, "Export the order log", self.path.text(),
                                               f"{fmt.upper()} (*.{fmt})")
        if path:
            self.path.setText(path)

    def show_issues(self, issues: list[FieldIssue]) -> None:
        self.message.setText("\n".join(f"{FIELD_LABELS.get(i.field, i.field)}: {i.message}" for i in issues))

    # -- export -------------------------------------------------------------------------------
    def start_export(self) -> None:
        if self.running:
            return
        filters = self.filters()
        issues = self.svc.filter_issues(filters)
        text = self.path.text().strip()
        if not text:
            issues.append(error("output", "required", "Choose the file to write."))
        if issues:
            self.show_issues(issues)
            return
        path, fmt = Path(text).expanduser(), self.format.currentData()
        self.running = True
        self.message.setText("Exporting…")
        self.show_folder.setEnabled(False)
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.show()
        progress, ctx = self.progress, self.env.ctx

        def report(done: int, total: int) -> None:
            # Called on the worker thread: hand the numbers to the GUI thread.
            QTimer.singleShot(0, progress, lambda: progress.setValue(int(100 * done / max(total, 1))))

        def finished(result: Any) -> None:
            self.running = False
            self.progress.setValue(100)
            self.export_button.setEnabled(True)
            self.result_path = result.path
            self.show_folder.setEnabled(True)
            what = "in the printable order log" if result.format == "pdf" else f"({result.rows} rows)"
            self.message.setText(f"{result.orders} orders {what} written to {result.path}.")
            self.env.bridge.tell(f"The order log was exported to {result.path}.")

        def failed(exc: ServiceError) -> None:
            self.running = False
            self.progress.hide()
            self.export_button.setEnabled(True)
            if isinstance(exc, InputRefused):
                self.show_issues(list(exc.issues))
            else:
                self.message.setText(str(exc))
                self.env.bridge.report(exc)

        if fmt == "pdf":  # the printed order log: same selection, a fax-ready table
            self.env.worker.run(lambda: self.report.order_report(ctx, path, filters, progress=report),
                                finished, failed)
            return
        self.env.worker.run(lambda: self.svc.export_orders(ctx, path, fmt, filters, progress=report),
                            finished, failed)

    def open_folder(self) -> None:
        if self.result_path is not None:
            open_folder(self.result_path.parent)
