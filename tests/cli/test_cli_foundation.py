"""The CLI conventions: ids on stdout, exit 2 with field lines and nothing written, JSON shapes."""

import json
import os
import subprocess
import sys

import pytest

from k2desk import __version__
from k2desk.cli import main
from k2desk.paths import db_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count_patients(capsys):
    code, out, _ = run(capsys, "patient", "list", "--json")
    assert code == 0
    return len(json.loads(out))


HOSTILE_NAMES = [
    "O'Brien", 'Anne "Nan" <b>Lee</b> & Co', "Zoë Smith", "דוד כהן", "محمد عبد الله",
    "Nguyễn Thị Minh Khai", "名前" * 500,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_are_stored_and_shown_exactly(capsys, name):
    code, out, err = run(capsys, "patient", "add", "--name", name, "--dob", "1960-05-01", "--nkda")
    assert code == 0, err
    pid = int(out.strip())
    code, out, _ = run(capsys, "patient", "show", str(pid), "--json")
    shown = json.loads(out)
    assert shown["id"] == pid and shown["name"] == name and shown["nkda"] is True
    code, out, _ = run(capsys, "patient", "show", str(pid))
    assert name in out


def test_add_prints_only_the_new_id_and_records_who(capsys, data_dir):
    code, out, err = run(capsys, "--operator", "Jane RPh", "patient", "add", "--name", "Ann Lee",
                         "--dob", "1950-02-03", "--phone", "817-860-6083",
                         "--med", "Coumadin 5 mg daily", "--allergy", "penicillin")
    assert code == 0 and err == ""
    assert out.strip().isdigit()
    code, out, _ = run(capsys, "patient", "show", out.strip(), "--json")
    p = json.loads(out)
    assert p["phone"] == "+18178606083"
    assert p["medications"] == ["Coumadin 5 mg daily"] and p["allergies"] == ["penicillin"]
    import sqlite3
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT operator FROM audit_events WHERE action='create'").fetchone()[0] \
        == "Jane RPh"
    conn.close()


def test_refused_input_exits_2_names_each_field_and_writes_nothing(capsys):
    run(capsys, "patient", "add", "--name", "Keep", "--dob", "1950-01-01", "--nkda")
    before = count_patients(capsys)
    code, out, err = run(capsys, "patient", "add", "--name", "Bad\x07Name", "--dob", "2999-01-01",
                         "--phone", "123")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    fields = [line.split(":")[1].strip() for line in lines]
    assert fields == ["name", "dob", "phone", "allergies"]
    assert count_patients(capsys) == before


def test_lists_are_json_arrays_of_objects_with_ids(capsys):
    run(capsys, "patient", "add", "--name", "Nguyễn Văn An", "--dob", "1950-01-01", "--nkda")
    run(capsys, "patient", "add", "--name", "Peter O'Brien", "--dob", "1951-01-01", "--nkda")
    code, out, _ = run(capsys, "patient", "search", "nguyen", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Nguyễn Văn An"]
    code, out, _ = run(capsys, "patient", "search", "O'Brien", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Peter O'Brien"]
    for hostile in ['"', 'NEAR(', '*', '" OR 1', "AND", "(", "'"]:
        code, out, err = run(capsys, "patient", "search", hostile, "--json")
        assert code == 0, err
        assert isinstance(json.loads(out), list)
    code, out, _ = run(capsys, "patient", "list", "--json")
    assert all("id" in p for p in json.loads(out))


def test_unknown_patient_is_a_clear_refusal(capsys):
    code, out, err = run(capsys, "patient", "show", "999")
    assert code == 2 and "no patient with id 999" in err


def test_settings_schema_is_enforced(capsys):
    code, out, err = run(capsys, "settings", "set", "print.paper_size", "A4")
    assert code == 0
    code, out, _ = run(capsys, "settings", "show", "--json")
    shown = json.loads(out)
    assert shown["print.paper_size"] == "a4" and shown["lock.idle_minutes"] == 10
    code, out, err = run(capsys, "settings", "set", "print.colour", "yes")
    assert code == 2 and "accepted keys" in err and "print.paper_size" in err
    code, out, err = run(capsys, "settings", "set", "lock.idle_minutes", "0")
    assert code == 2 and "from 1 to 240" in err
    code, out, err = run(capsys, "settings", "set", "pharmacy.fax", "not a number")
    assert code == 2 and "pharmacy.fax" in err
    code, out, err = run(capsys, "settings", "set", "fax.smtp_host", "smtp.example.com")
    assert code == 0
    code, out, err = run(capsys, "settings", "set", "fax.security", "none")
    assert code == 2 and "loopback" in err
    code, out, _ = run(capsys, "settings", "show", "--json")
    assert json.loads(out)["fax.security"] == "starttls"


def test_settings_never_hold_a_password():
    from k2desk.domain.settings import SETTINGS
    assert not [s.key for s in SETTINGS if "pass" in s.key.lower() or "secret" in s.key.lower()]


def test_backup_create_list_and_restore(capsys, data_dir, monkeypatch):
    run(capsys, "patient", "add", "--name", "Before", "--dob", "1950-01-01", "--nkda")
    code, out, _ = run(capsys, "backup", "create")
    backup = out.strip()
    assert code == 0 and oct(os.stat(backup).st_mode & 0o777) == "0o600"
    run(capsys, "patient", "add", "--name", "After", "--dob", "1950-01-01", "--nkda")
    code, out, _ = run(capsys, "backup", "list", "--json")
    assert backup in [b["path"] for b in json.loads(out)]
    # Not at a terminal: restore needs --yes and changes nothing without it.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, out, err = run(capsys, "backup", "restore", backup)
    assert code == 2 and "--yes" in err
    assert count_patients(capsys) == 2
    code, out, err = run(capsys, "backup", "restore", backup, "--yes")
    assert code == 0, err
    code, out, _ = run(capsys, "patient", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Before"]


def test_restore_refuses_a_bad_backup_and_changes_nothing(capsys, tmp_path):
    run(capsys, "patient", "add", "--name", "Keep me", "--dob", "1950-01-01", "--nkda")
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 100)
    code, out, err = run(capsys, "backup", "restore", str(bad), "--yes")
    assert code == 1 and "not an SQLite database" in err
    assert count_patients(capsys) == 1


def _cli(*argv, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "k2desk", *argv], capture_output=True, text=True,
                          env=e, timeout=120)


def test_corrupt_database_is_a_message_not_a_traceback(data_dir):
    data_dir.mkdir(mode=0o700)
    db_path(data_dir).write_bytes(b"\x00garbage" * 1000)
    r = _cli("patient", "list")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and str(db_path(data_dir)) in r.stderr


def test_unwritable_data_dir_is_a_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _cli("--data-dir", str(blocker / "sub"), "patient", "list")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "Cannot create the data directory" in r.stderr


def test_version_and_doctor(data_dir):
    r = _cli("--version")
    assert r.returncode == 0 and __version__ in r.stdout
    r = _cli("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "integrity: ok" in r.stdout and str(data_dir) in r.stdout


def test_no_arguments_without_a_display_says_what_to_do():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "k2desk"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 1
    assert "no display" in r.stderr and "k2desk --help" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_arguments_exit_2_without_traceback():
    r = _cli("patient", "show", "abc")
    assert r.returncode == 2 and "invalid int value" in r.stderr and "Traceback" not in r.stderr


def test_dob_in_us_order_is_accepted_and_stored_iso(capsys):
    code, out, err = run(capsys, "patient", "add", "--name", "Ana Reyes", "--dob", "03/14/1956", "--nkda")
    assert code == 0, err
    code, out, _ = run(capsys, "patient", "show", out.strip(), "--json")
    assert json.loads(out)["dob"] == "1956-03-14"
    code, out, err = run(capsys, "patient", "add", "--name", "Bo", "--dob", "14/03/1956", "--nkda")
    assert code == 2 and "MM/DD/YYYY or YYYY-MM-DD" in err
