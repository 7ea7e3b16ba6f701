"""Roles (issue #12): once operators exist only a pharmacist may acknowledge, override, vet,
sign off or dispense; in the window a technician needs a pharmacist's PIN for the one action;
the command line trusts the login and records it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from doc_helpers import mk7_order
from k2desk.services import interactions, library, operators, orders, table_signoff
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused

PIN = "2468"
SNIPPET = "what-mk7-long-half-life"


@pytest.fixture
def staff(ctx: AppContext) -> AppContext:
    operators.add_operator(ctx, "Pat Rx", "PR", PIN, "pharmacist")
    operators.add_operator(ctx, "Tim Tech", "TT", "", "technician", by="Pat Rx")
    return ctx


@pytest.fixture
def order_data() -> dict[str, Any]:
    """An MK-7 order: it needs the acknowledgement, not the MK-4 contraindication override."""
    return mk7_order()


def _refused(call: Any) -> tuple[str, str, str]:
    with pytest.raises(InputRefused) as exc:
        call()
    i = exc.value.issues[0]
    return i.field, i.code, i.message


def _signed_in(ctx: AppContext, name: str) -> AppContext:
    """The window: PINs apply, the signed-in operator is ``name``."""
    ctx.trust_login = False
    ctx.operator = name
    return ctx


def _audit(ctx: AppContext, action: str) -> tuple[str, dict[str, Any]]:
    op, details = ctx.store.conn.execute(
        "SELECT operator, details FROM audit_events WHERE action=? ORDER BY id DESC LIMIT 1",
        [action]).fetchone()
    return op, json.loads(details)


def test_with_no_operators_anyone_may_do_everything(ctx: AppContext, warfarin_patient: int) -> None:
    assert not operators.roles_in_use(ctx)
    assert operators.require_pharmacist(ctx, "Whoever", action="sign off the interaction table") \
        == "Whoever"
    assert interactions.acknowledge(ctx, warfarin_patient,
                                    interactions.findings_for_patient(ctx, warfarin_patient),
                                    "Mickey Mouse", "ok")
    library.vet(ctx, SNIPPET, "Whoever")


def test_only_a_listed_pharmacist_may_acknowledge(staff: AppContext, warfarin_patient: int) -> None:
    ctx = staff
    found = interactions.findings_for_patient(ctx, warfarin_patient)
    field, code, message = _refused(lambda: interactions.acknowledge(ctx, warfarin_patient, found,
                                                                     "Mickey Mouse", "ok"))
    assert (field, code) == ("ack_by", "unknown_operator") and "Mickey Mouse" in message
    field, code, message = _refused(lambda: interactions.acknowledge(ctx, warfarin_patient, found,
                                                                     "Tim Tech", "ok"))
    assert (field, code) == ("ack_by", "not_pharmacist")
    assert "Only a pharmacist may acknowledge an interaction; Tim Tech is a technician" in message
    assert interactions.acknowledgements_for_patient(ctx, warfarin_patient) == []
    [ack_id] = interactions.acknowledge(ctx, warfarin_patient, found, "Pat Rx", "clinic told")
    op, details = _audit(ctx, "acknowledge")
    assert (op, details["acknowledged_by"], details["login"]) == ("test-rph", "Pat Rx", ctx.login)
    assert interactions.get_acknowledgement(ctx, ack_id).operator == "Pat Rx"


def test_in_the_window_a_technician_needs_the_pharmacists_pin(
        staff: AppContext, warfarin_patient: int) -> None:
    ctx = _signed_in(staff, "Tim Tech")
    found = interactions.findings_for_patient(ctx, warfarin_patient)
    def ack(pin: str | None) -> list[int]:
        return interactions.acknowledge(ctx, warfarin_patient, found, "Pat Rx", "ok", pin=pin)

    assert _refused(lambda: ack(None))[:2] == ("pin", "pin_wrong")
    assert _refused(lambda: ack("1111"))[:2] == ("pin", "pin_wrong")
    assert interactions.acknowledgements_for_patient(ctx, warfarin_patient) == []
    ack(PIN)
    op, details = _audit(ctx, "acknowledge")
    assert (op, details["acknowledged_by"]) == ("Tim Tech", "Pat Rx")
    # a pharmacist signed in acts as themself without typing the PIN again
    _signed_in(ctx, "Pat Rx")
    interactions.acknowledge(ctx, warfarin_patient, found, "Pat Rx", "again")


def test_a_technician_cannot_override_but_a_pharmacists_pin_lets_it_through(
        staff: AppContext, warfarin_patient: int, order_data: dict[str, Any]) -> None:
    ctx = _signed_in(staff, "Tim Tech")
    order_data["prescriber"]["npi"] = "1234567890"  # fails its check: a warning to override
    kw: dict[str, Any] = {"ack_by": "Pat Rx", "ack_reason": "ok", "ack_contact": "phone",
                          "ack_pin": PIN}
    field, code, _ = _refused(lambda: orders.create_order(
        ctx, warfarin_patient, order_data, {"prescriber.npi": "checked on NPPES"}, **kw))
    assert (field, code) == ("override_by", "not_pharmacist")
    assert _refused(lambda: orders.create_order(
        ctx, warfarin_patient, order_data, {"prescriber.npi": "checked on NPPES"},
        override_by="Pat Rx", override_pin="0000", **kw))[:2] == ("pin", "pin_wrong")
    order_id, _ = orders.create_order(ctx, warfarin_patient, order_data,
                                      {"prescriber.npi": "checked on NPPES"},
                                      override_by="Pat Rx", override_pin=PIN, **kw)
    [ov] = orders.get_order(ctx, order_id).overrides
    assert ov.operator == "Pat Rx"
    assert _audit(ctx, "override")[1]["login"] == ctx.login


def test_a_technician_cannot_dispense(staff: AppContext, plain_patient: int,
                                      order_data: dict[str, Any]) -> None:
    ctx = _signed_in(staff, "Tim Tech")
    order_id, _ = orders.create_order(ctx, plain_patient, order_data)
    orders.order_status(ctx, order_id, "sent-for-signature", "faxed")
    orders.order_status(ctx, order_id, "signed-original-received", "fax from the office")
    orders.order_status(ctx, order_id, "compounded")
    assert _refused(lambda: orders.order_status(ctx, order_id, "dispensed"))[:2] \
        == ("operator", "not_pharmacist")
    assert _refused(lambda: orders.order_status(ctx, order_id, "dispensed", by="Pat Rx",
                                                pin="9999"))[:2] == ("pin", "pin_wrong")
    assert orders.get_order(ctx, order_id).status == "compounded"
    assert orders.order_status(ctx, order_id, "dispensed", by="Pat Rx", pin=PIN).status == "dispensed"
    op, details = _audit(ctx, "status")
    assert op == "Pat Rx" and details["to"] == "dispensed" and details["login"] == ctx.login


def test_a_technician_cannot_vet_reject_or_retire(staff: AppContext) -> None:
    ctx = _signed_in(staff, "Tim Tech")
    assert _refused(lambda: library.vet(ctx, SNIPPET, "Tim Tech"))[:2] == ("by", "not_pharmacist")
    assert _refused(lambda: library.reject(ctx, SNIPPET, "Tim Tech", "x"))[1] == "not_pharmacist"
    assert _refused(lambda: library.retire(ctx, SNIPPET, "Pat Rx", "x"))[:2] == ("pin", "pin_wrong")
    assert library.vet(ctx, SNIPPET, "Pat Rx", pin=PIN).operator == "Pat Rx"


def test_a_technician_cannot_sign_off_the_interaction_table(staff: AppContext) -> None:
    ctx = _signed_in(staff, "Tim Tech")
    assert _refused(lambda: table_signoff.sign_off_table(ctx, "Tim Tech", "read it"))[:2] \
        == ("by", "not_pharmacist")
    assert _refused(lambda: table_signoff.sign_off_table(ctx, "Pat Rx", "read it", "0000"))[:2] \
        == ("pin", "pin_wrong")
    assert not table_signoff.table_status(ctx).signed_off
    status = table_signoff.sign_off_table(ctx, "Pat Rx", "read it", PIN)
    assert status.signed_off and status.signoff is not None
    assert status.signoff.signed_by == "Pat Rx"


def test_a_pharmacist_must_have_a_pin(staff: AppContext) -> None:
    ctx = staff
    assert _refused(lambda: operators.add_operator(ctx, "Ria Rx", "", "", "pharmacist",
                                                   by="Pat Rx"))[:2] == ("pin", "pin_required")
    assert _refused(lambda: operators.set_operator_role(ctx, "Tim Tech", "pharmacist",
                                                        by="Pat Rx"))[:2] == ("pin", "pin_required")
    assert _refused(lambda: operators.add_operator(ctx, "Ria Rx", "", "1234", "boss",
                                                   by="Pat Rx"))[:2] == ("role", "role_invalid")
    ctx.operator = "Pat Rx"
    assert _refused(lambda: operators.set_operator_pin(ctx, "Pat Rx", ""))[:2] == ("pin", "pin_required")
    operators.set_operator_pin(ctx, "Tim Tech", "1357")
    assert operators.set_operator_role(ctx, "Tim Tech", "pharmacist").role == "pharmacist"


def test_only_a_pharmacist_changes_operators(staff: AppContext) -> None:
    ctx = staff
    ctx.operator = "Tim Tech"
    assert _refused(lambda: operators.add_operator(ctx, "New One", "", "", "technician"))[1] \
        == "not_pharmacist"
    assert _refused(lambda: operators.set_operator_role(ctx, "Pat Rx", "technician"))[1] \
        == "not_pharmacist"
    assert [o.role for o in operators.list_operators(ctx)] == ["pharmacist", "technician"]
