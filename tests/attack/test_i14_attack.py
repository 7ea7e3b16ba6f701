"""Attacks on issue 14 (a faxed order is a prescription): long names on every page, dose
notation typed in odd ways, days' supply from awkward sigs, the order editor in the window.
Each test drives the real CLI or the real window; PDFs are read back page by page."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from doc_helpers import example_order, setup_pharmacy
from k2desk.cli import main
from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient

LONG_NAME = "Bartholomew-Maximilian Featherstonehaugh-Cholmondeley Wolfeschlegelsteinhausen"
# Two patients whose names agree for the first 60 characters: a cut name cannot tell them apart.
TWIN_NAME = "Bartholomew-Maximilian Featherstonehaugh-Cholmondeley Wolfeschlegelsteinhausen-Smith"
# A real-world long name (several surnames): 68 characters.
SPANISH_NAME = "María de los Ángeles Fernández-García de la Torre y Rodríguez-Montoya"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def page_texts(pdf: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages]


def footer(text: str) -> str:
    """The page's footer: from its last "Patient:" (the footer's) to the end."""
    return text[text.rindex("Patient:"):]


def order_file(tmp: Path, ingredients: list[dict[str, str]] | None = None, **compound: str) -> Path:
    data: dict[str, Any] = example_order()
    if ingredients is not None:
        data["ingredients"] = ingredients
    data["compound"].update(compound)
    p = tmp / "order.json"
    p.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return p


def long_patient(ctx: AppContext, name: str = LONG_NAME) -> int:
    setup_pharmacy(ctx)
    return add_patient(ctx, PatientInput(
        name=name, dob="1941-12-31", nkda=True,
        address="Apartment 4B, The Very Long Building Name Residences, 98765 Extraordinarily Long "
                "Avenue Name, Unit 12, Rancho Santa Margarita, California 92688-1234"))


# ------------------------------------------------------------------ every page names its patient

def test_long_name_is_printed_whole_on_every_handout_page(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    pid = long_patient(ctx)
    out = tmp_path / "h.pdf"
    code, _o, err = run(capsys, "handout", "create", "--patient", str(pid), "--topic", "bone",
                        "--topic", "what-is-k2", "--topic", "interactions", "--topic", "dosing",
                        "-o", str(out))
    assert code == 0, err
    texts = page_texts(out)
    assert len(texts) >= 3
    for n, t in enumerate(texts, 1):
        foot = footer(t)
        assert LONG_NAME in foot, f"page {n} does not name the patient whole: {foot}"
        assert "December 31, 1941" in foot and f"Page {n} of {len(texts)}" in foot
        assert "D-" in foot and "…" not in foot


def test_long_name_is_printed_whole_on_every_page_of_a_twelve_line_order(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    pid = long_patient(ctx, SPANISH_NAME)
    sig = "\n".join(f"Line {i}: take 1 capsule by mouth once daily with a full glass of water."
                    for i in range(1, 11))
    path = order_file(tmp_path, [{"ingredient": f"Calcium carbonate long-name ingredient {i}",
                                  "strength": str(i), "unit": "mg"} for i in range(1, 13)],
                      sig=sig, quantity="30", days_supply="30")
    out = tmp_path / "o.pdf"
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path),
                        "-o", str(out))
    assert code == 0, err
    texts = page_texts(out)
    assert len(texts) >= 2
    assert any("Prescription continues on page 2" in t for t in texts)
    for n, t in enumerate(texts, 1):
        foot = footer(t)
        assert SPANISH_NAME in foot, f"page {n} does not name the patient whole: {foot}"
        assert "December 31, 1941" in foot and f"Page {n} of {len(texts)}" in foot
        assert "D-" in foot and "…" not in foot


# ------------------------------------------------------------------ days' supply

def test_weekly_sig_days_supply_message_reads_as_a_pharmacist_would_write_it(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    pid = long_patient(ctx)
    path = order_file(tmp_path, quantity="30", days_supply="30",
                      sig="Take 1 capsule by mouth once weekly.")
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code != 0
    assert "compound.days_supply" in err and "last 210 days" in err
    assert "0.142857" not in err  # not a 28-digit decimal
    assert "0.14 capsules a day" in err


def test_half_capsule_in_the_sig_counts_for_the_days_supply(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    pid = long_patient(ctx)
    path = order_file(tmp_path, quantity="30", days_supply="30", sig="Take ½ capsule by mouth once daily.")
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code != 0
    assert "30 capsules at 0.5 capsules a day last 60 days" in err


@pytest.mark.parametrize(("quantity", "days", "sig"), [
    ("180", "30", "Take 1 to 2 capsules by mouth three times daily."),
    ("15", "30", "Take 1 capsule by mouth every other day."),
    ("60", "30", "Take 1 capsule by mouth twice daily."),
    ("60", "30", "Take 1 capsule by mouth every 12 hours."),
])
def test_days_supply_that_follows_from_the_sig_is_accepted(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path,
        quantity: str, days: str, sig: str) -> None:
    pid = long_patient(ctx)
    path = order_file(tmp_path, quantity=quantity, days_supply=days, sig=sig)
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 0, err


@pytest.mark.parametrize(("quantity", "days", "sig", "lasts"), [
    ("270", "90", "Take 1 to 2 capsules by mouth three times daily.", "45"),
    ("30", "30", "Take 1 capsule by mouth every other day.", "60"),
    ("60", "60", "Take 1 capsule by mouth twice daily.", "30"),
])
def test_days_supply_that_does_not_follow_is_warned(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path,
        quantity: str, days: str, sig: str, lasts: str) -> None:
    pid = long_patient(ctx)
    path = order_file(tmp_path, quantity=quantity, days_supply=days, sig=sig)
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code != 0
    assert f"last {lasts} days" in err


# ------------------------------------------------------------------ the window's order editor

@pytest.fixture
def window(qtbot: Any, ctx: AppContext) -> Iterator[Any]:
    from k2desk.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.worker.wait()
    w.close()


@pytest.fixture
def settle(qtbot: Any) -> Callable[[Any], None]:
    def wait(w: Any) -> None:
        qtbot.waitUntil(lambda: not w.worker.busy(), timeout=20_000)

    return wait


def _window_order(window: Any, ctx: AppContext, settle: Any, ingredients: list[dict[str, str]]) -> Any:
    from k2desk.services import order_drafts

    pid = long_patient(ctx, "Hana Suzuki")
    data = example_order()
    data["ingredients"] = ingredients
    order_drafts.save_draft(ctx, None, pid, data, {})
    page = window.go("orders", patient_id=pid)
    settle(window)
    return page


@pytest.mark.parametrize(("typed", "shown"), [("µg", "mcg"), ("μg", "mcg"), ("IU", "units"),
                                              ("iu", "units"), ("U", "units"), ("ug/mL", "mcg/mL")])
def test_a_draft_written_with_an_old_unit_opens_with_the_safe_unit_not_a_blank(
        window: Any, ctx: AppContext, settle: Any, typed: str, shown: str) -> None:
    """Drafts saved before issue 14 (when the list offered µg and IU) or written by hand: the unit
    list no longer has the typed form, and the editor must not silently drop it."""
    page = _window_order(window, ctx, settle, [{"ingredient": "Cholecalciferol", "strength": "1000",
                                                "unit": typed}])
    unit = page.editor.cell("ingredients.1.unit").input
    assert unit.currentText() == shown


@pytest.mark.parametrize(("typed", "says"), [
    ("５", "saved and printed as '5'"),          # full-width digit from an East Asian keyboard
    ("5.", "saved and printed as '5'"),
    ("0.50", "saved and printed as '0.5'"),
    ("½", "not a number"),
    ("-5", "greater than 0"),
    ("0", "greater than 0"),
    ("1e3", "refused"),
    ("5 000", "refused"),
])
def test_strength_typed_in_the_window_is_normalised_or_refused_at_the_field(
        window: Any, qtbot: Any, ctx: AppContext, settle: Any, typed: str, says: str) -> None:
    page = _window_order(window, ctx, settle, [{"ingredient": "Calcium carbonate", "strength": "5",
                                                "unit": "mg"}])
    strength = page.editor.cell("ingredients.1.strength")
    strength.input.setFocus()
    strength.input.selectAll()
    strength.input.insert(typed)
    qtbot.waitUntil(lambda: says in strength.message.text(), timeout=5000)
    assert strength.message.isVisible()


def test_sig_with_iu_and_trailing_zero_in_the_window_is_saved_safe(
        window: Any, qtbot: Any, ctx: AppContext, settle: Any) -> None:
    from k2desk.services import orders

    page = _window_order(window, ctx, settle, [{"ingredient": "Calcium carbonate", "strength": "5",
                                                "unit": "mg"}])
    sig = page.editor.cell("compound.sig")
    sig.input.setPlainText("Take 1.0 capsule (1000 IU D3, .5 μg K2) by mouth three times daily.")
    qtbot.waitUntil(lambda: "normalised" in sig.message.text() or "saved and printed" in sig.message.text(),
                    timeout=5000)
    page.save()
    settle(window)
    [order] = orders.list_orders(ctx)
    assert order.values["compound.sig"] == ("Take 1 capsule (1000 units D3, 0.5 mcg K2) by mouth "
                                            "three times daily.")


# ------------------------------------------------------------------ blank space at page breaks

def _lowest_body_text(page: Any) -> float:
    """The lowest baseline (points from the page bottom) of text above the footer rule."""
    ys: list[float] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if text.strip():
            y = tm[5] * cm[3] + cm[5] if cm[3] else tm[5] + cm[5]
            if y > 1.25 * 72 + 2:  # above the footer rule
                ys.append(y)

    page.extract_text(visitor_text=visit)
    return min(ys)


@pytest.mark.parametrize("size", ["standard", "large"])
def test_handout_pages_before_the_last_are_not_left_a_third_blank(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path, size: str) -> None:
    """Measured before the fix: 'bone' at 14 pt left 36 % of page 2 blank (the food table moved
    whole to page 3); 'what-is-k2 unknowns' at 12 pt left 21 %."""
    pid = long_patient(ctx)
    code, _o, err = run(capsys, "settings", "set", "print.handout_text", size)
    assert code == 0, err
    worst = []
    for topics in (["bone"], ["bone", "what-is-k2"], ["what-is-k2", "unknowns"], ["interactions", "dosing"]):
        out = tmp_path / f"{size}-{'-'.join(topics)}.pdf"
        args = [a for t in topics for a in ("--topic", t)]
        code, _o, err = run(capsys, "handout", "create", "--patient", str(pid), *args, "-o", str(out))
        assert code == 0, err
        reader = PdfReader(io.BytesIO(out.read_bytes()))
        for n, page in enumerate(reader.pages[:-1], 1):
            body_bottom = 1.4 * 72
            body_height = float(page.mediabox.height) - 0.75 * 72 - body_bottom
            blank = (_lowest_body_text(page) - body_bottom) / body_height
            worst.append((blank, topics, n))
    assert max(worst)[0] < 0.2, max(worst)


# ------------------------------------------------------------------ the signed page

LONG_SIG = ("Take 1 capsule by mouth once daily with a meal containing fat.\n"
            "Swallow whole; do not open or crush.\nStore at room temperature, away from light.")


def _long_order(tmp: Path, n: int) -> Path:
    data: dict[str, Any] = example_order()
    data["prescriber"]["name"] = "Dr. Alexandrina Konstantinopoulou-Vanderbilt, MD, PhD, FACP"
    data["prescriber"]["address"] = ("Summit Family and Internal Medicine Associates, 1200 Summit Avenue, "
                                     "Suite 300\nBuilding C, Third Floor\nFort Worth, TX 76102-1234")
    data["patient"]["diagnosis"] = ("Postmenopausal osteoporosis with history of fragility fracture of "
                                    "the left distal radius and vertebral compression")
    data["ingredients"] = [{"ingredient": f"Calcium carbonate long-name excipient ingredient {i}",
                            "strength": f"{i}.5", "unit": "mg"} for i in range(1, n + 1)]
    data["compound"].update(sig=LONG_SIG, quantity="30", days_supply="30")
    p = tmp / "long.json"
    p.write_text(json.dumps(data), "utf-8")
    return p


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("n", [4, 6, 12])
def test_long_names_and_addresses_never_leave_the_signature_on_a_page_without_the_drug(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path, paper: str, n: int) -> None:
    """Measured before the fix (A4, long patient and prescriber details): with 4 or 6 ingredients
    the signature page held the prescriber's address and nothing the prescriber signs for."""
    pid = add_patient(ctx, PatientInput(
        name=SPANISH_NAME, dob="1938-09-30", allergies=["Penicillin (hives and throat swelling, 1998)",
                                                        "Sulfonamide antibiotics (rash)", "Latex"],
        address="Apartment 4B, The Very Long Building Name Residences, 98765 Extraordinarily Long "
                "Avenue Name, Unit 12, Rancho Santa Margarita, California 92688-1234"))
    setup_pharmacy(ctx)
    code, _o, err = run(capsys, "settings", "set", "print.paper_size", paper)
    assert code == 0, err
    out = tmp_path / "o.pdf"
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file",
                        str(_long_order(tmp_path, n)), "-o", str(out))
    assert code == 0, err
    texts = page_texts(out)
    [signed] = [i for i, t in enumerate(texts) if "Prescriber's signature" in t]
    page = texts[signed]
    for expected in ("Quantity: 30", "Refills: 2", "Directions (sig): Take 1 capsule", "away from light",
                     "Dispense as written"):
        assert expected in page, (expected, signed)
    if n <= 6:
        for i in range(1, n + 1):
            assert f"long-name excipient ingredient {i}" in page, (i, signed)
    for t in texts[:signed]:
        assert f"Prescription continues on page {texts.index(t) + 2}" in t and "Prescriber's initials" in t


# ------------------------------------------------------------------ names checked at entry

@pytest.mark.parametrize("name", ["Anna\u200bBerg", "Ann\u00adBerg", "\ufeffAnna Berg", "Anna\u2060Berg"])
def test_a_name_with_an_invisible_character_is_refused_at_patient_add(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, name: str) -> None:
    """Pasted from a web page: the printed handout shows 'AnnaBerg' while search for it fails."""
    code, out, err = run(capsys, "patient", "add", "--name", name, "--dob", "1950-01-01", "--nkda")
    assert code != 0 and out == ""
    assert "name: Name contains an invisible character" in err and "Traceback" not in err
    code, out, _err = run(capsys, "patient", "list")
    assert "Anna" not in out and "Ann" not in out


@pytest.mark.parametrize("name", ["Zoe\u0308 Berg", "Nguyễn Văn An", "Łukasz Żółć", "דוד כהן", "محمد علي",
                                  "李小龍", "O'Brien-Smith", "\u0645\u0647\u200c\u0646\u0627\u0632"])
def test_names_the_fonts_can_print_are_accepted_and_printed(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path, name: str) -> None:
    setup_pharmacy(ctx)
    code, out, err = run(capsys, "patient", "add", "--name", name, "--dob", "1950-01-01", "--nkda")
    assert code == 0, err
    pdf = tmp_path / "h.pdf"
    code, _o, err = run(capsys, "handout", "create", "--patient", out.strip(), "--topic", "bone",
                        "-o", str(pdf))
    assert code == 0, err


def test_an_unprintable_name_is_refused_at_import_with_nothing_written(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("name,dob,nkda\nAna Souza,1956-03-14,yes\nAna 😀 Souza,1950-01-01,yes\n", "utf-8")
    code, _o, err = run(capsys, "patient", "import", str(csv))
    assert code != 0 and "cannot show" in err and "Traceback" not in err
    code, out, _e = run(capsys, "patient", "list")
    assert "Ana Souza" not in out


@pytest.mark.parametrize(("typed", "why"), [
    ("５", "in plain digits 0-9"),        # full-width, from an East Asian input method
    ("٥", "in plain digits 0-9"),         # Arabic-Indic
    ("+5", "without a plus sign"),
    ("0.50", "no trailing zero"),
    (".5", "a leading zero"),
])
def test_the_normalised_note_gives_the_reason_that_applies(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, tmp_path: Path, typed: str, why: str) -> None:
    pid = long_patient(ctx)
    path = order_file(tmp_path, [{"ingredient": "Calcium carbonate", "strength": typed, "unit": "mg"}])
    code, _o, err = run(capsys, "order", "create", "--patient", str(pid), "--file", str(path))
    assert code == 0, err
    [line] = [ln for ln in err.splitlines() if ln.startswith("ingredients.1.strength: normalised:")]
    assert why in line and "written without extra zeros" not in line, line
