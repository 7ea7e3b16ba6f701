"""Issue 13: the interaction findings on screen say the table is not yet signed off by this
pharmacy, until it is."""

from __future__ import annotations

from k2desk.services import table_signoff
from k2desk.services.patients import PatientInput, add_patient


def test_findings_banner_says_unsigned_until_signed_off(window, ctx, settle):
    pid = add_patient(ctx, PatientInput(name="Rosa Diaz", dob="1950-02-02", nkda=True,
                                        medications=["warfarin 5 mg daily"]))
    page = window.go("orders", patient_id=pid)
    settle(window)
    assert page.banner.has_major()
    assert table_signoff.NOT_SIGNED_OFF in page.banner.label.text()
    table_signoff.sign_off_table(ctx, "Dana Lee, RPh")
    page = window.go("orders", patient_id=pid)
    settle(window)
    assert page.banner.has_major()
    assert table_signoff.NOT_SIGNED_OFF not in page.banner.label.text()
