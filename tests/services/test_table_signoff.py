"""Issue 13: the pharmacy signs off the interaction table (who, when) in its database; until then
doctor (--json), the findings and the Library page say it is not signed off."""

from __future__ import annotations

import json

import pytest

from doc_helpers import table_counts
from k2desk.cli import main
from k2desk.services import table_signoff as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.storage import audit


def test_unsigned_until_a_pharmacist_signs_off_then_who_and_when_are_stored(ctx: AppContext) -> None:
    status = svc.table_status(ctx)
    assert not status.signed_off
    assert svc.NOT_SIGNED_OFF in status.text
    signed = svc.sign_off_table(ctx, " Dana Lee, RPh ", "Read every entry against its source")
    assert signed.signed_off and signed.signoff is not None
    assert signed.signoff.signed_by == "Dana Lee, RPh"
    assert signed.signoff.signed_at[:2] == "20" and "T" in signed.signoff.signed_at
    assert signed.signoff.table_sha256 == svc.table_sha256() == status.sha256
    assert "signed off by Dana Lee, RPh on " in svc.table_status(ctx).text
    events = [e for e, _ in audit.iter_events(ctx.store.db) if e.entity == "interaction-table"]
    assert [e.action for e in events] == ["sign-off"]


def test_a_changed_table_is_not_covered_by_an_old_sign_off(ctx: AppContext,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    svc.sign_off_table(ctx, "Dana Lee, RPh")
    monkeypatch.setattr(svc, "table_sha256", lambda: "0" * 64)  # the file was edited
    assert not svc.table_status(ctx).signed_off


def test_sign_off_without_a_name_is_refused_and_writes_nothing(ctx: AppContext) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.sign_off_table(ctx, "  ")
    assert [i.field for i in exc.value.issues] == ["by"]
    assert table_counts(ctx) == before
    assert not svc.table_status(ctx).signed_off


def test_doctor_json_and_the_findings_show_the_sign_off(ctx: AppContext,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["interaction_table"]["signed_off"] is False
    assert data["interaction_table"]["status"].startswith(svc.NOT_SIGNED_OFF)
    assert any(c["name"] == "interaction table" and svc.NOT_SIGNED_OFF in c["detail"]
               for c in data["checks"])
    assert main(["interactions", "check", "Coumadin 5 mg"]) == 0
    assert svc.NOT_SIGNED_OFF in capsys.readouterr().out
    assert main(["interactions", "check", "--json", "Coumadin 5 mg"]) == 0
    answer = json.loads(capsys.readouterr().out)  # one object: table version, sign-off, findings
    assert answer["table_signoff"].startswith(svc.NOT_SIGNED_OFF)
    [finding] = answer["findings"]
    assert finding["agent"] == "warfarin"

    assert main(["library", "sign-off-table", "--by", "Dana Lee, RPh", "--note", "checked"]) == 0
    capsys.readouterr()
    assert main(["doctor", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)["interaction_table"]
    assert table["signed_off"] is True and table["signed_by"] == "Dana Lee, RPh"
    assert table["signed_at"]
    assert main(["interactions", "check", "Coumadin 5 mg"]) == 0
    assert svc.NOT_SIGNED_OFF not in capsys.readouterr().out
