"""Issue 14 in the window: dose fields say at once whether what was typed is normalised
(".5" saved as "0.5") or refused ("1e999"), the unit list offers "units" and "mcg" only, and a
name the documents cannot print is flagged as it is typed. Driven with the keyboard."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from k2desk.resources import forms_dir
from k2desk.services import orders, patients
from k2desk.services.patients import PatientInput
from k2desk.ui.pages.form_editor import write_input


def _example() -> dict:
    return json.loads((forms_dir() / "examples" / "compound_order_example.json").read_text())


def _fill(page, data) -> None:
    ed = page.editor
    for section, fields in data.items():
        if section in ("form", "ingredients"):
            continue
        for name, value in fields.items():
            write_input(ed.cell(f"{section}.{name}").input, value)
    write_input(ed.cell("ingredients.1.ingredient").input, "MK-7 (menaquinone-7)")


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


def test_dose_fields_say_normalised_or_refused_as_typed(window, qtbot, ctx, settle) -> None:
    pid = patients.add_patient(ctx, PatientInput("Hana Suzuki", "1952-07-14", nkda=True))
    page = window.go("orders", patient_id=pid)
    settle(window)
    _fill(page, _example())
    unit = page.editor.cell("ingredients.1.unit").input
    choices = [unit.itemText(i) for i in range(unit.count())]
    assert "units" in choices and "mcg" in choices
    assert not {"IU", "U", "µg", "μg"} & set(choices)
    unit.setFocus()
    qtbot.keyClicks(unit, "mcg")  # keyboard search in the list
    assert unit.currentText() == "mcg"
    strength = page.editor.cell("ingredients.1.strength")
    _type(qtbot, strength.input, ".5")
    qtbot.waitUntil(lambda: "saved and printed as '0.5'" in strength.message.text(), timeout=5000)
    assert strength.message.isVisible() and "leading zero" in strength.message.text()
    assert not strength.override_button.isVisible()  # a note, nothing to override
    _type(qtbot, strength.input, "1e999")
    qtbot.waitUntil(lambda: "plain digits" in strength.message.text(), timeout=5000)
    assert "refused" in strength.message.text()
    _type(qtbot, strength.input, "90")
    qtbot.waitUntil(lambda: "refused" not in strength.message.text(), timeout=5000)
    _type(qtbot, strength.input, "5000001")
    qtbot.waitUntil(lambda: "above the most this form accepts (5000000 mcg)" in strength.message.text(),
                    timeout=5000)
    _type(qtbot, strength.input, "45.0")
    qtbot.waitUntil(lambda: "saved and printed as '45'" in strength.message.text(), timeout=5000)
    assert "trailing zero" in strength.message.text()
    page.save()
    settle(window)
    [order] = orders.list_orders(ctx)
    assert [(ln.strength, ln.unit) for ln in order.lines] == [("45", "mcg")]


def test_a_name_the_documents_cannot_print_is_flagged_as_it_is_typed(window, qtbot, ctx) -> None:
    page = window.go("patients")
    page.new_item()
    page.form.name.setFocus()
    qtbot.keyClicks(page.form.name, "Anna ")
    page.form.name.insert("\U0001F600")  # an emoji (keyClicks cannot send one)
    msg = page.form.messages["name"]
    qtbot.waitUntil(msg.isVisible, timeout=3000)
    assert msg.text().startswith("Name contains a character the printed documents cannot show: "
                                 "U+1F600 GRINNING FACE")
    # Before a save is tried, fields not yet filled are not nagged about.
    assert not page.form.messages["dob"].isVisible()
    page.form.name.backspace()
    qtbot.waitUntil(lambda: not msg.isVisible(), timeout=3000)
