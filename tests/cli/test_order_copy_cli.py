"""`k2desk order create --from ORDER_ID`: a refill copies lines, compound, sig and prescriber,
is dated today and starts as a draft; the interaction review is the new order's own."""

from __future__ import annotations

import datetime as dt

from doc_helpers import add_warfarin_patient, mk7_order, pdf_text, setup_pharmacy
from k2desk.cli import main
from k2desk.services import doc_use, orders
from k2desk.services.context import AppContext
from prescriber_data import CHEN, seed_orders


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_copy_an_order_for_a_refill(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        pid = seed_orders(ctx)
        chen_order = next(o for o in orders.list_orders(ctx) if o.values["prescriber.name"] == CHEN["name"])
        # the earlier order went on; its copy starts over as a draft
        orders.order_status(ctx, chen_order.id, "sent-for-signature")
    code, out, err = run(capsys, "order", "create", "--from", str(chen_order.id))
    assert code == 0, err
    new_id = int(out.strip())
    with AppContext(data_dir, "test-rph") as ctx:
        new = orders.get_order(ctx, new_id)
        assert new.patient_id == pid and new.status == "draft" and new_id != chen_order.id
        assert [(ln.ingredient, ln.strength, ln.unit) for ln in new.lines] == \
            [(ln.ingredient, ln.strength, ln.unit) for ln in chen_order.lines]
        for key in ("compound.sig", "compound.base", "compound.quantity", "compound.refills",
                    "prescriber.name", "prescriber.npi", "prescriber.address", "patient.diagnosis"):
            assert new.values[key] == chen_order.values[key], key
        assert new.values["prescriber.date_written"] == dt.date.today().isoformat()
        # the stored PDF is the new order's, rendered from the new record
        [doc] = orders.order_documents(ctx, new_id)
        text = " ".join(pdf_text(doc_use.stored_pdf(ctx, doc.id)).split())
        assert orders.get_order(ctx, chen_order.id).status == "sent-for-signature"
    assert f"Order {new_id}" in text and "Dr. Wei Chen" in text and "Take 1 capsule" in text


def test_copy_refuses_another_patients_order_and_unknown_ids(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
    code, _, err = run(capsys, "order", "create", "--from", "1", "--patient", "99")
    assert code == 2 and "another patient" in err
    code, _, err = run(capsys, "order", "create", "--from", "999")
    assert code != 0 and "no order with id 999" in err
    code, _, err = run(capsys, "order", "create", "--file", "x.json")
    assert code == 2 and "--patient is required" in err


def test_the_interaction_review_is_not_copied(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        setup_pharmacy(ctx)
        pid = add_warfarin_patient(ctx)
        first, _ = orders.create_order(ctx, pid, mk7_order(), {}, ack_by="test-rph",
                                       ack_reason="INR checked weekly; prescriber agrees",
                                       ack_contact="phone")
        before = orders.get_order(ctx, first).acknowledgement_ids
    code, _, err = run(capsys, "order", "create", "--from", str(first))
    assert code == 2 and "warfarin" in err.lower()  # a refill needs its own acknowledgement
    code, out, err = run(capsys, "order", "create", "--from", str(first), "--ack-by", "test-rph",
                         "--ack-reason", "Refill; INR 2.4 this week", "--ack-contact", "phone")
    assert code == 0, err
    with AppContext(data_dir, "test-rph") as ctx:
        new = orders.get_order(ctx, int(out.strip()))
        assert new.acknowledgement_ids and set(new.acknowledgement_ids).isdisjoint(before)
        assert "Refill; INR 2.4" in new.values["pharmacy_use.interaction_review"]
        assert "INR checked weekly" not in new.values["pharmacy_use.interaction_review"]
