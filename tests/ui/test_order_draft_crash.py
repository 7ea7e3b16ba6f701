"""A crash while typing an order loses at most the field being typed (a real SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from k2desk.services import order_drafts, patients
from k2desk.services.patients import PatientInput

CHILD = r"""
import os, signal, sys, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from k2desk.services.context import AppContext
from k2desk.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
ctx = AppContext(sys.argv[1], "test-rph")
w = MainWindow(ctx)
w.show()
page = w.go("orders", patient_id=int(sys.argv[2]))

def spin(until, limit=20.0):
    end = time.monotonic() + limit
    while time.monotonic() < end and not until():
        QCoreApplication.processEvents()
        time.sleep(0.01)

spin(lambda: not w.worker.busy())
page.editor.cell("patient.diagnosis").input.setText("Osteoporosis, postmenopausal")
spin(lambda: page.draft_label.text().startswith("Draft") and "saved" in page.draft_label.text())
page.editor.cell("prescriber.name").input.setText("Dr. Half Typed")  # the field being typed
print("typed", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # power cut: no close, no flush
"""


def test_sigkill_while_typing_keeps_everything_but_the_last_field(ctx, data_dir):
    pid = patients.add_patient(ctx, PatientInput("Walter Brandt", "1948-11-02", nkda=True))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), str(pid)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "typed" in done.stdout
    [draft] = order_drafts.list_drafts(ctx, pid)
    assert draft.data["patient"]["diagnosis"] == "Osteoporosis, postmenopausal"
    assert draft.data["prescriber"]["name"] == ""  # only the field being typed is lost
