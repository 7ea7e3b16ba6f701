"""Attacks on issue 21: scan to find, known prescribers, copy previous order, reprint reasons."""

from __future__ import annotations

from doc_helpers import add_plain_patient, add_warfarin_patient, example_order, setup_pharmacy, table_counts
from k2desk.cli import main
from k2desk.domain.document_ref import parse_document_ref
from k2desk.services import orders
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


def _mk4_order() -> dict:
    data = example_order()
    data["ingredients"] = [{"ingredient": "MK-4 (menatetrenone)", "strength": "15", "unit": "mg"}]
    return data


def test_copying_an_mk4_order_needs_its_own_override_and_acknowledgement(capsys, data_dir):
    with AppContext(data_dir, "Dana Lee") as ctx:
        setup_pharmacy(ctx)
        pid = add_warfarin_patient(ctx)
        first, _ = orders.create_order(
            ctx, pid, _mk4_order(), {"ingredients.1.ingredient": "approved by Dr. Maria Lopez, reached by "
                                                                 "phone at 14:10"},
            ack_by="Dana Lee", ack_reason="Prescriber aware; INR check in 1 week", ack_contact="phone")
        before = table_counts(ctx)
    # no acknowledgement, no override: refused, nothing written
    code, out, err = run(capsys, "order", "create", "--from", str(first))
    assert code == 2 and out == "" and "Traceback" not in err
    # the acknowledgement alone does not bring the old MK-4 override along
    code, out, err = run(capsys, "order", "create", "--from", str(first), "--ack-by", "Dana Lee",
                         "--ack-reason", "Refill; INR 2.4 this week", "--ack-contact", "phone")
    assert code == 2 and out == "" and ("contraindicated" in err.lower() or "mk-4" in err.lower()), err
    with AppContext(data_dir, "Dana Lee") as ctx:
        assert table_counts(ctx) == before


def test_copy_from_odd_order_ids_is_refused_cleanly(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        pid = seed_orders(ctx)
        other = add_plain_patient(ctx, "Bea Other")
        before = table_counts(ctx)
    for argv in (("--from", "99999999999999999999999"), ("--from", "0"), ("--from", "-1"),
                 ("--from", "1", "--patient", str(other)),
                 ("--from", "1", "--patient", "99999999999999999999999")):
        code, out, err = run(capsys, "order", "create", *argv)
        assert code != 0 and out == "" and "unexpected error" not in err, (argv, err)
    with AppContext(data_dir, "test-rph") as ctx:
        assert table_counts(ctx) == before
        assert pid != other


def test_copy_of_a_cancelled_order_is_a_new_draft_and_leaves_the_old_one_cancelled(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
        old = orders.list_orders(ctx)[-1]
        orders.order_status(ctx, old.id, "cancelled", "prescriber changed the dose")
    code, out, err = run(capsys, "order", "create", "--from", str(old.id))
    assert code == 0, err
    with AppContext(data_dir, "test-rph") as ctx:
        assert orders.get_order(ctx, int(out.strip())).status == "draft"
        assert orders.get_order(ctx, old.id).status == "cancelled"


def test_huge_or_odd_record_numbers_on_the_command_line_are_refused_cleanly(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
        before = table_counts(ctx)
    huge = "99999999999999999999999"
    for argv in (("document", "reprint", huge, "--reason", "lost", "-o", str(data_dir.parent / "x.pdf")),
                 ("document", "reprints", huge), ("fax", "cancel", huge), ("order", "show", huge),
                 ("document", "reprints", "\u00b2")):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", (argv, out)
        assert "unexpected error" not in err and "record number" in err, (argv, err)
    assert not (data_dir.parent / "x.pdf").exists()
    with AppContext(data_dir, "test-rph") as ctx:
        assert table_counts(ctx) == before


def test_a_known_prescriber_with_a_bad_npi_is_not_copied_past_its_check(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        setup_pharmacy(ctx)
        pid = add_plain_patient(ctx)
        data = example_order()
        data["prescriber"]["npi"] = "1234567890"  # wrong check digit, let through once with a reason
        first, _ = orders.create_order(ctx, pid, data, {"prescriber.npi": "Verified with NPPES by phone"})
    code, out, err = run(capsys, "prescriber", "show", "1234567890", "--json")
    assert code == 0 and "1234567890" in out, err
    with AppContext(data_dir, "test-rph") as ctx:  # after the first run's automatic backup
        before = table_counts(ctx)
    # the override was for that order: the copy is checked again and refused until overridden again
    code, out, err = run(capsys, "order", "create", "--from", str(first))
    assert code == 2 and out == "" and "prescriber.npi" in err, err
    with AppContext(data_dir, "test-rph") as ctx:
        assert table_counts(ctx) == before
    code, out, err = run(capsys, "order", "create", "--from", str(first), "--override",
                         "prescriber.npi=Verified with NPPES again for the refill")
    assert code == 0, err
