"""Form definition data: key lookup, per-line keys, print order."""

from __future__ import annotations

import pytest

from k2desk.domain.forms import FieldDef, FieldType, FormDefinition, SectionDef


def _form() -> FormDefinition:
    return FormDefinition(
        id="f", title="F", version=1,
        sections=(
            SectionDef("prescriber", "Prescriber", (
                FieldDef("prescriber.name", "Name", required=True),
                FieldDef("prescriber.npi", "NPI", FieldType.NPI),
            )),
            SectionDef("ingredients", "Ingredients", (
                FieldDef("ingredients.ingredient", "Ingredient"),
                FieldDef("ingredients.strength", "Strength", FieldType.DECIMAL),
            ), repeating=True),
        ),
    )


def test_field_lookup_by_dotted_key_and_per_line_key() -> None:
    form = _form()
    assert form.field("prescriber.npi").type is FieldType.NPI
    assert form.field("ingredients.3.strength").key == "ingredients.strength"
    assert form.field("prescriber.npi").name == "npi"
    with pytest.raises(KeyError):
        form.field("prescriber.dea")
    assert not form.has_key("nope.x")


def test_fields_in_print_order_and_filter_repeating() -> None:
    form = _form()
    assert [f.key for f in form.fields()] == [
        "prescriber.name", "prescriber.npi", "ingredients.ingredient", "ingredients.strength"]
    assert [f.key for f in form.fields(repeating=False)] == ["prescriber.name", "prescriber.npi"]
    rep = form.repeating_section()
    assert rep is not None and rep.key == "ingredients"
