"""Settings page built from the schema; operators; fax password to the keyring only."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QSpinBox

from k2desk.domain.settings import SETTINGS
from k2desk.services import operators
from k2desk.services.settings import get_settings, set_settings


def test_one_editor_per_declared_setting_by_kind(window):
    page = window.go("settings")
    assert set(page.editors) == {s.key for s in SETTINGS}
    assert isinstance(page.editors["print.paper_size"].widget, QComboBox)
    assert isinstance(page.editors["lock.idle_minutes"].widget, QSpinBox)
    assert page.editors["lock.idle_minutes"].widget.value() == 10


def test_save_stores_checked_values_and_shows_errors_inline(window, ctx):
    set_settings(ctx, {"pharmacy.name": "Old Name"})
    page = window.go("settings")
    eds = page.editors
    eds["pharmacy.name"].widget.setText("Hill Country Compounding")
    eds["pharmacy.npi"].widget.setText("1234567890")  # fails the check digit
    page.save()
    assert "check" in eds["pharmacy.npi"].message.text().lower()
    assert eds["pharmacy.npi"].message.isVisible()
    assert get_settings(ctx)["pharmacy.name"] == "Old Name"  # all or nothing
    eds["pharmacy.npi"].widget.setText("1234567893")
    eds["pharmacy.phone"].widget.setText("817 860 6083")
    eds["lock.idle_minutes"].widget.setValue(3)
    page.save()
    stored = get_settings(ctx)
    assert stored["pharmacy.name"] == "Hill Country Compounding"
    assert stored["pharmacy.npi"] == "1234567893"
    assert stored["pharmacy.phone"] == "+18178606083"
    assert eds["pharmacy.phone"].widget.text() == "(817) 860-6083"
    assert window.idle.timeout_ms == 3 * 60_000  # the lock follows the new setting at once


def test_fax_password_goes_to_the_keyring_never_the_database(window, ctx, memory_keyring, data_dir):
    set_settings(ctx, {"fax.username": "counter1"})
    page = window.go("settings")
    page.fax_password.setText("s3cret-Gateway!")
    page.store_password()
    assert page.fax_password.text() == ""
    assert "s3cret-Gateway!" in memory_keyring.store.values()
    raw = (data_dir / "k2desk.sqlite3").read_bytes()
    assert b"s3cret-Gateway!" not in raw


def test_operators_added_with_pin_and_inline_pin_error(window, ctx):
    page = window.go("settings")
    box = page.operators_box
    box.name.setText("Ana Ruiz")
    box.initials.setText("ar")
    box.pin.setText("12")
    box.add()
    assert "4 to 12 digits" in box.messages["pin"].text()
    assert operators.list_operators(ctx) == []
    box.pin.setText("2468")
    box.add()
    [op] = operators.list_operators(ctx)
    assert (op.name, op.initials, op.has_pin) == ("Ana Ruiz", "AR", True)
    assert box.table.item(0, 2).text() == "set"
