"""Attacks on issue 21: scan to find, known prescribers, copy previous order, reprint reasons."""

from __future__ import annotations

from k2desk.cli import main
from k2desk.domain.document_ref import parse_document_ref
from k2desk.services.context import AppContext
from prescriber_data import seed_orders


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_prescriber_show_odd_numbers_are_refused_without_a_traceback(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
    # a pasted superscript digit passes str.isdigit() but is no number; a huge id overflows SQLite
    for ref in ("\u00b2", "1\u00b2", "99999999999999999999999", "00000000000000000000000001234"):
        code, out, err = run(capsys, "prescriber", "show", ref)
        assert code != 0 and out == "", ref
        assert "Traceback" not in err and "prescriber" in err.lower(), (ref, err)


def test_scanner_input_variants_name_one_document():
    # a scanner's trailing CR/LF/Tab, lowercase, leading zeros: the same document
    for text in ("D-0007\r", "d-7\n", "D7\t", " D-7 ", "d\u20137\r\n"):
        assert parse_document_ref(text) == 7, repr(text)
    # nothing that is not a reference, and no document 0
    for text in ("D-0", "D-", "D--7", "DD-7", "D-7-8", "7", "D-1234567890123"):
        assert parse_document_ref(text) is None, repr(text)
    assert parse_document_ref("0007", bare_number=True) == 7
