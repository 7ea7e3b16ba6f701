"""Issue 14 at the command line: error-safe dose notation in `order create` (normalised with a
note on stderr, or refused), and the renderer's font check at `patient add` / `patient import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from doc_helpers import add_plain_patient, example_order, pdf_text, setup_pharmacy, table_counts
from k2desk.cli import main
from k2desk.services import documents as doc_svc
from k2desk.services import orders as order_svc
from k2desk.services.context import AppContext

UNPRINTABLE = "Anna \U0001F600 Berg"  # an emoji: no bundled font has it, and a fax smears colour


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _order_file(tmp: Path, ingredients: list[dict[str, str]], **compound: str) -> Path:
    data: dict[str, Any] = example_order()
    data["ingredients"] = ingredients
    data["compound"].update(compound)
    p = tmp / "order.json"
    p.write_text(json.dumps(data), "utf-8")
    return p


def test_order_notation_is_normalised_with_a_note_and_prints_safely(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    path = _order_file(tmp_path, [
        {"ingredient": "MK-7 (menaquinone-7)", "strength": ".5", "unit": "µg"},
        {"ingredient": "Cholecalciferol", "strength": "1000.0", "unit": "IU"},
        {"ingredient": "Menatetrenone", "strength": "10.50", "unit": "mg"},
    ], quantity="90.0", sig="Take 1 capsule (.5 mcg MK-7, 1000 IU D3) by mouth three times daily.")
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 0, err
    order_id = int(out.strip())
    for expected in ("ingredients.1.strength: normalised:", "'.5' is saved and printed as '0.5'",
                     "ingredients.1.unit: normalised:", "'µg' is saved and printed as 'mcg'",
                     "'IU' is saved and printed as 'units'", "'1000.0' is saved and printed as '1000'",
                     "'10.50' is saved and printed as '10.5'", "compound.quantity: normalised:",
                     "compound.sig: normalised:"):
        assert expected in err, expected
    order = order_svc.get_order(ctx, order_id)
    assert [(ln.strength, ln.unit) for ln in order.lines] == [("0.5", "mcg"), ("1000", "units"),
                                                              ("10.5", "mg")]
    assert order.values["compound.quantity"] == "90"
    assert order.values["compound.sig"] == ("Take 1 capsule (0.5 mcg MK-7, 1000 units D3) by mouth "
                                            "three times daily.")
    [doc] = order_svc.order_documents(ctx, order_id)
    text = pdf_text(doc_svc.get_pdf(ctx, doc.id))
    assert "0.5\nmcg" in text and "1000\nunits" in text and "10.5\nmg" in text
    for unsafe in ("µg", "μg", " IU", ".5 ", "1000.0", "10.50", "90.0"):
        assert unsafe not in text.replace("0.5 ", ""), unsafe


@pytest.mark.parametrize(("strength", "unit", "field", "says"), [
    ("1e999", "mg", "ingredients.1.strength", "plain digits"),
    ("1,000", "mg", "ingredients.1.strength", "no commas"),
    ("5000.5", "mg", "ingredients.1.strength", "above the most this form accepts (5000 mg)"),
    ("101", "%", "ingredients.1.strength", "above the most this form accepts (100 %)"),
    ("15", "cc", "ingredients.1.unit", "one of: mg, mcg, g, units"),
])
def test_unsafe_or_out_of_bounds_numbers_are_refused_and_nothing_is_written(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path, strength: str, unit: str,
        field: str, says: str) -> None:
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    before = table_counts(ctx)
    path = _order_file(tmp_path, [{"ingredient": "MK-4", "strength": strength, "unit": unit}])
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 2 and out == ""
    assert field in err and says in err, err
    assert "Traceback" not in err
    assert table_counts(ctx) == before


def test_days_supply_that_does_not_follow_from_quantity_and_sig_warns(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    path = _order_file(tmp_path, [{"ingredient": "MK-4", "strength": "15", "unit": "mg"}],
                       quantity="270", days_supply="30")
    code, _out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 2
    assert "compound.days_supply" in err and "270 capsules at 3 capsules a day last 90 days" in err
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path),
                         "--override", "compound.days_supply=Prescriber wants a 90-day fill dated monthly")
    assert code == 0, err


def test_an_order_file_may_spell_license_the_us_way(capsys: pytest.CaptureFixture[str], ctx: AppContext,
                                                    tmp_path: Path) -> None:
    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    data = example_order()
    data["prescriber"]["license"] = data["prescriber"].pop("licence")
    path = tmp_path / "us.json"
    path.write_text(json.dumps(data), "utf-8")
    code, out, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 0, err
    order = order_svc.get_order(ctx, int(out))
    assert order.values["prescriber.licence"] == "TX M12345"
    [doc] = order_svc.order_documents(ctx, order.id)
    text = pdf_text(doc_svc.get_pdf(ctx, doc.id))
    assert "State license: TX M12345" in text and "licence" not in text


def test_patient_add_refuses_what_the_documents_cannot_print(capsys: pytest.CaptureFixture[str],
                                                             data_dir: Path) -> None:
    code, out, err = run(capsys, "patient", "add", "--name", UNPRINTABLE, "--dob", "1950-01-01",
                         "--nkda", "--med", "Aspirin \u2764 81 mg")
    assert code == 2 and out == ""
    assert "name: Name contains a character the printed documents cannot show: " \
           "U+1F600 GRINNING FACE" in err
    assert "medications.1: Medication 1 contains a character" in err
    code, out, _ = run(capsys, "patient", "list", "--json")
    assert json.loads(out) == []


def test_patient_import_refuses_unprintable_rows_and_imports_nothing(
        capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("name,dob,nkda,allergies\nAna Souza,1956-03-14,yes,\n"
                   f"{UNPRINTABLE},1950-01-01,no,penicillin \U0001F48A\n", "utf-8")
    code, out, err = run(capsys, "patient", "import", str(csv))
    assert code == 2
    assert "Line 3: Name contains a character the printed documents cannot show: U+1F600" in err
    assert "Line 3: Allergy 1 contains a character" in err
    code, out, _ = run(capsys, "patient", "list", "--json")
    assert json.loads(out) == []
