"""`k2desk log search D-123` and `k2desk document list --id`: the reference printed on every page."""

from __future__ import annotations

import json

from k2desk.cli import main
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _seed(data_dir, n=12):
    with AppContext(data_dir, "test-rph") as ctx:
        ann = add_test_patient(ctx, "Ann Example")
        return [store_document(ctx, patient_id=ann, title=f"Vitamin K2 handout {i}") for i in range(n)]


def test_log_search_finds_the_document_by_its_printed_reference(capsys, data_dir):
    ids = _seed(data_dir)
    target = ids[0]  # id 1: its number is a prefix of 10, 11, 12...
    for query in (f"D-{target}", f"d-{target}", f"D{target}"):
        code, out, _ = run(capsys, "log", "search", query, "--json")
        assert code == 0 and [r["id"] for r in json.loads(out)] == [target], query
    # a bare number: the document with that number comes first
    code, out, _ = run(capsys, "log", "search", str(target), "--json")
    assert [r["id"] for r in json.loads(out)][0] == target
    code, out, _ = run(capsys, "log", "search", f"D-{target}")
    assert code == 0 and "Vitamin K2 handout 0" in out
    code, out, _ = run(capsys, "log", "search", "D-999", "--json")
    assert code == 0 and json.loads(out) == []


def test_document_list_by_id(capsys, data_dir):
    ids = _seed(data_dir, 3)
    for query in (f"D-{ids[1]}", str(ids[1])):
        code, out, _ = run(capsys, "document", "list", "--id", query, "--json")
        assert code == 0 and [r["id"] for r in json.loads(out)] == [ids[1]]
    code, out, _ = run(capsys, "document", "list", "--id", f"D-{ids[1]}", "--kind", "order", "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, "document", "list", "--id", "Ann")
    assert code != 0 and "--id" in err and "D-123" in err and "Traceback" not in err
