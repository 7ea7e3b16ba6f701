"""`k2desk log list|search|export|verify` through the real command line entry."""

from __future__ import annotations

import csv
import json
import sqlite3

from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _seed(data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        ann = add_test_patient(ctx, "Nguyễn Ann")
        bo = add_test_patient(ctx, "Bo Li")
        d1 = store_document(ctx, patient_id=ann, title="Vitamin K2 handout",
                            created_at="2026-01-05T10:00:00.000000+00:00")
        d2 = store_document(ctx, patient_id=bo, kind="order", title="Compound order",
                            created_at="2026-02-05T10:00:00.000000+00:00", order_status="sent")
    return d1, d2


def test_list_newest_first_with_filters(capsys, data_dir):
    d1, d2 = _seed(data_dir)
    code, out, _ = run(capsys, "log", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [d2, d1]
    assert rows[0]["patient_name"] == "Bo Li" and rows[0]["kind"] == "order"
    assert rows[0]["order_status"] == "sent"
    code, out, _ = run(capsys, "log", "list", "--json", "--kind", "handout")
    assert [r["id"] for r in json.loads(out)] == [d1]
    code, out, _ = run(capsys, "log", "list", "--json", "--since", "2026-02-01", "--until", "2026-02-28")
    assert [r["id"] for r in json.loads(out)] == [d2]
    code, out, err = run(capsys, "log", "list", "--since", "2026-13-01")
    assert code == 2 and "since" in err


def test_search_by_name_without_diacritics_kind_title_and_id(capsys, data_dir):
    d1, d2 = _seed(data_dir)
    for query, expected in (("nguyen", [d1]), ("order", [d2]), ("vitamin", [d1]), (str(d2), [d2]),
                            ('"unbalanced NEAR(', [])):
        code, out, _ = run(capsys, "log", "search", query, "--json")
        assert code == 0 and [r["id"] for r in json.loads(out)] == expected, query
    # a renamed patient is found under the new name
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute("UPDATE patients SET name='Bo Lindqvist' WHERE name='Bo Li'")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "log", "search", "lindqvist", "--json")
    assert [r["id"] for r in json.loads(out)] == [d2]


def test_export_and_verify(capsys, data_dir, tmp_path):
    _seed(data_dir)
    out_file = tmp_path / "log.csv"
    code, out, err = run(capsys, "log", "export", "--format", "csv", "-o", str(out_file))
    assert code == 0 and out.strip() == str(out_file) and "2 rows" in err
    with open(out_file, encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 3
    code, out, err = run(capsys, "log", "export", "--format", "csv", "--jsonl", "-o", str(tmp_path / "x"))
    assert code == 2 and "jsonl" in err
    code, out, _ = run(capsys, "log", "verify")
    assert code == 0 and "rows, 2 documents verified" in out
    for f in (data_dir / "blobs").glob("*/*"):
        f.write_bytes(bytes(10))
    code, out, err = run(capsys, "log", "verify")
    assert code == 1 and out == "" and "document 1:" in err


def test_a_reader_that_goes_away_ends_the_list_quietly(tmp_path):
    """`k2desk log list | head -1`: no 'unexpected error', the shell's SIGPIPE status (141)."""
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    k2 = [sys.executable, "-m", "k2desk", "--data-dir", str(data_dir)]
    subprocess.run([*k2, "demo", "--documents", "1500"], check=True, capture_output=True)
    proc = subprocess.Popen([*k2, "log", "list", "--limit", "1500"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"ID")
    proc.stdout.close()  # more than a pipe's buffer is still to come
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""
    # The data dir is untouched by the interruption: the list still reads in full.
    done = subprocess.run([*k2, "log", "list", "--limit", "1500"], capture_output=True, check=True)
    assert len(done.stdout.decode().splitlines()) == 1 + 1500
