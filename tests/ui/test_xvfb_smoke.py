"""The window's smoke workflow on a real X server: `.ci/run` runs these under `xvfb-run` with
QT_QPA_PLATFORM=xcb (and K2DESK_EXPECT_PLATFORM=xcb, so a silent fallback to offscreen fails);
the ordinary run takes them offscreen like every other window test."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from k2desk.services import patients
from k2desk.ui.main_window import PAGE_KEYS

pytestmark = pytest.mark.xvfb


def test_platform_is_the_one_asked_for(qapp):
    expected = os.environ.get("K2DESK_EXPECT_PLATFORM")
    if expected:
        assert QGuiApplication.platformName() == expected
    else:
        assert QGuiApplication.platformName() == os.environ.get("QT_QPA_PLATFORM", "offscreen")


def test_self_test_window_step(ctx, qapp):
    from k2desk.ui.smoke import show_main_window

    assert show_main_window(ctx) == f"{len(PAGE_KEYS)} pages"


def test_keyboard_workflow_add_a_patient_and_visit_every_page(window, qtbot, ctx, settle):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    page = window.shown_page()
    assert page is not None and page.key == "patients"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.form.name, timeout=5000)
    qtbot.keyClicks(page.form.name, "Jordan Lee")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.form.dob
    qtbot.keyClicks(page.form.dob, "03/14/1956")
    page.form.nkda.setChecked(True)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(window)
    [stored] = patients.list_patients(ctx)
    assert stored.name == "Jordan Lee" and stored.dob.isoformat() == "1956-03-14"
    for i, key in enumerate(PAGE_KEYS, 1):
        qtbot.keyClick(QApplication.focusWidget() or window, getattr(Qt.Key, f"Key_{i}"),
                       Qt.KeyboardModifier.ControlModifier)
        settle(window)
        assert window.shown_page().key == key
