import csv
import json

import pytest

from k2desk.services import patients
from k2desk.services.errors import InputRefused


def write_csv(path, rows, header=("name", "dob", "phone", "medications", "allergies", "nkda")):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_import_stores_every_row_with_medications_and_allergies(ctx, tmp_path):
    f = write_csv(tmp_path / "p.csv", [
        ("Nguyễn Văn An", "1950-02-03", "817-860-6083", "Coumadin 5 mg; metformin", "", "yes"),
        ("=cmd|' /C calc'!A0", "1961-07-08", "", "", "penicillin;sulfa", "no"),
    ])
    ids = patients.import_patients_csv(ctx, f)
    first, second = (patients.get_patient(ctx, i) for i in ids)
    assert first.name == "Nguyễn Văn An" and first.nkda and first.phone == "+18178606083"
    assert [m.text for m in first.medications] == ["Coumadin 5 mg", "metformin"]
    assert second.name == "=cmd|' /C calc'!A0" and second.allergies == ("penicillin", "sulfa")
    events = ctx.store.conn.execute(
        "SELECT action, details FROM audit_events WHERE action='import'").fetchall()
    # One event for the whole import; it also seals the 2 patients, 2+0 medications and 0+2
    # allergies it wrote (issue 17).
    [(action, details)] = events
    assert action == "import" and json.loads(details)["count"] == 2
    assert json.loads(details)["sealed"]["rows"] == 6


def test_one_bad_row_refuses_the_whole_file_naming_row_and_field(ctx, tmp_path):
    f = write_csv(tmp_path / "p.csv", [
        ("Good Person", "1950-02-03", "", "", "", "yes"),
        ("Bad Date", "1950-02-30", "", "", "", "yes"),
        ("No Allergy Answer", "1950-02-03", "", "", "", "no"),
        ("Weird", "1950-02-03", "", "", "", "maybe"),
    ])
    with pytest.raises(InputRefused) as exc:
        patients.import_patients_csv(ctx, f)
    assert [i.field for i in exc.value.issues] == ["line 3.dob", "line 4.allergies", "line 5.nkda"]
    assert patients.list_patients(ctx) == []


def test_a_file_with_the_wrong_columns_is_refused(ctx, tmp_path):
    f = write_csv(tmp_path / "p.csv", [("x", "y")], header=("fullname", "birthday"))
    with pytest.raises(InputRefused) as exc:
        patients.import_patients_csv(ctx, f)
    assert "missing: name, dob" in exc.value.issues[0].message
    assert "not known: fullname, birthday" in exc.value.issues[0].message


def test_a_file_that_is_not_utf8_text_is_refused(ctx, tmp_path):
    f = tmp_path / "p.csv"
    f.write_bytes(b"name,dob\n\xff\xfe\xfa,1950-01-01\n")
    with pytest.raises(InputRefused) as exc:
        patients.import_patients_csv(ctx, f)
    assert exc.value.issues[0].field == "file"


def test_us_dates_are_read_month_first_and_stored_iso(ctx, tmp_path):
    f = write_csv(tmp_path / "p.csv", [
        ("Ana Reyes", "03/14/1956", "", "", "", "yes"),
        ("Bo Lindqvist", "1961-07-08", "", "", "", "yes"),
    ])
    first, second = (patients.get_patient(ctx, i) for i in patients.import_patients_csv(ctx, f))
    assert first.dob.isoformat() == "1956-03-14" and second.dob.isoformat() == "1961-07-08"
    stored = ctx.store.conn.execute("SELECT dob FROM patients ORDER BY id").fetchall()
    assert [r[0] for r in stored] == ["1956-03-14", "1961-07-08"]


def test_a_day_first_date_is_refused_naming_both_formats(ctx, tmp_path):
    f = write_csv(tmp_path / "p.csv", [("Ana Reyes", "14/03/1956", "", "", "", "yes")])
    with pytest.raises(InputRefused) as exc:
        patients.import_patients_csv(ctx, f)
    [issue] = exc.value.issues
    assert issue.field == "line 2.dob" and "MM/DD/YYYY" in issue.message and "YYYY-MM-DD" in issue.message
    assert patients.list_patients(ctx) == []


def test_printable_ascii_needs_no_font_lookup_because_the_fonts_print_all_of_it():
    # The import skips the font check for printable ASCII (issue 23): it must be printable.
    import string

    from k2desk.documents.fonts import check_printable

    text = "".join(c for c in string.printable if c.isprintable())
    assert len(text) == 95
    assert check_printable(text, "name", "Name") == []
