"""Every input is either accepted and kept exactly, or refused with a field message: never a
traceback, never a partial write."""

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2desk.cli import main as cli_main
from k2desk.domain.settings import SETTINGS
from k2desk.services import patients
from k2desk.services import settings as settings_svc
from k2desk.services.errors import InputRefused

NASTY = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["\x00", "a\x00b", "\u202eevil", "\ud800", "💊" * 50, '"', "*", "NEAR(",
                     "<b>&amp;", "' OR 1=1 --", "x" * 100_000, "\r\n", "\t=SUM(A1)"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)
RELAXED = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


def table_counts(ctx):
    return {t: ctx.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("patients", "medications", "allergies", "audit_events")}


@RELAXED
@given(name=NASTY, med=NASTY, allergy=NASTY, phone=NASTY)
def test_patient_fields_are_kept_exactly_or_refused_by_field(ctx, name, med, allergy, phone):
    before = table_counts(ctx)
    data = patients.PatientInput(name=name, dob="1970-01-01", phone=phone,
                                 medications=[med], allergies=[allergy])
    try:
        pid = patients.add_patient(ctx, data)
    except InputRefused as exc:
        assert exc.issues and all(i.field and i.message for i in exc.issues)
        assert table_counts(ctx) == before
        return
    stored = patients.get_patient(ctx, pid)
    assert stored.name == name.strip()
    assert [m.text for m in stored.medications] == [med.strip()]
    assert list(stored.allergies) == [allergy.strip()]


@RELAXED
@given(query=NASTY)
def test_search_accepts_anything(ctx, query):
    assert isinstance(patients.search_patients(ctx, query), list)


@RELAXED
@given(key=st.one_of(st.sampled_from([s.key for s in SETTINGS]), NASTY), value=NASTY)
def test_settings_values_are_accepted_or_refused_by_key(ctx, key, value):
    before = settings_svc.get_settings(ctx)
    try:
        after = settings_svc.set_settings(ctx, {key: value})
    except InputRefused as exc:
        assert all(i.field for i in exc.issues)
        assert settings_svc.get_settings(ctx) == before
        return
    assert key in after


@RELAXED
@given(args=st.lists(NASTY.filter(lambda s: "\x00" not in s and "\ud800" not in s), max_size=4))
def test_the_cli_never_shows_a_traceback(args):
    out, err = io.StringIO(), io.StringIO()
    argv = ["patient", "add", "--name", *args[:1], "--dob", *args[1:2], *args[2:]]
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 2)
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize("name", ["\x00", "Ann\x00", "\x1b[31mred"])
def test_control_characters_from_a_paste_are_refused_with_the_field(ctx, name):
    with pytest.raises(InputRefused) as exc:
        patients.add_patient(ctx, patients.PatientInput(name=name, dob="1970-01-01", nkda=True))
    assert exc.value.issues[0].field == "name"
    assert "control character" in exc.value.issues[0].message
