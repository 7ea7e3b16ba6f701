"""`k2desk document reprint DOC_ID --reason ... -o FILE` and `document reprints DOC_ID`."""

from __future__ import annotations

import json

from k2desk.cli import main
from k2desk.services.context import AppContext
from k2desk.storage import documents as docs
from stored_documents import add_test_patient, store_document


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refusing a choice
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_reprint_writes_the_stored_bytes_and_keeps_the_reason(capsys, data_dir, tmp_path):
    with AppContext(data_dir, "test-rph") as ctx:
        doc_id = store_document(ctx, patient_id=add_test_patient(ctx))
        stored = docs.get_pdf(ctx.store.db, doc_id)
    out_file = tmp_path / "again.pdf"
    code, _, err = run(capsys, "document", "reprint", str(doc_id), "--reason", "fax-resend",
                       "-o", str(out_file))
    assert code == 0, err
    assert out_file.read_bytes() == stored
    code, _, err = run(capsys, "document", "reprint", str(doc_id), "--reason", "other",
                       "--note", "spilled coffee", "-o", str(tmp_path / "b.pdf"))
    assert code == 0, err
    code, out, _ = run(capsys, "document", "reprints", str(doc_id), "--json")
    rows = json.loads(out)
    assert [(r["reason"], r["reason_note"]) for r in rows] == [("fax-resend", ""),
                                                               ("other", "spilled coffee")]
    code, out, _ = run(capsys, "document", "reprints", str(doc_id))
    assert "Fax resend" in out and "Other: spilled coffee" in out


def test_a_bad_reason_writes_nothing(capsys, data_dir, tmp_path):
    with AppContext(data_dir, "test-rph") as ctx:
        doc_id = store_document(ctx, patient_id=None)
    target = tmp_path / "x.pdf"
    code, _, err = run(capsys, "document", "reprint", str(doc_id), "--reason", "other", "-o", str(target))
    assert code != 0 and "Reprint reason (other) is required" in err and not target.exists()
    code, _, err = run(capsys, "document", "reprint", str(doc_id), "--reason", "whim", "-o", str(target))
    assert code == 2 and "--reason" in err and not target.exists()
    code, out, _ = run(capsys, "document", "reprints", str(doc_id), "--json")
    assert json.loads(out) == []
    code, _, err = run(capsys, "document", "reprints", "999")
    assert code != 0 and "no document" in err
