"""The CSV lines SQLite builds for the export are what Python's csv module would write from the
same rows with the spreadsheet rule applied: the fast path changes nothing but speed."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2desk.domain.spreadsheet import neutralise
from k2desk.storage import log
from k2desk.storage.clock import now_iso
from stored_documents import add_test_patient, store_document

TRICKY = ['=HYPERLINK("http://x")', "+1+1", "-12.5", "+18178606083", "@SUM(A1)", "\t=1", "\r=1",
          'Say "hi", then\nleave', "plain", "", "＝1+1", "O'Brien, Jr", "a\r\nb"]


def _expected(ctx) -> list[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in log.iter_rows(ctx.store.db, log.LogQuery()):
        values = [r.document_id, r.created_at, r.kind, r.patient_id, r.patient_name, r.patient_dob,
                  r.title, r.operator, r.sha256, r.size, r.pages, r.order_status]
        w.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in values])
    return buf.getvalue().split("\r\n")[:-1] if buf.getvalue() else []


def _raw_patient(ctx, name):
    with ctx.store.write() as db:
        return int(db.execute("INSERT INTO patients (name, dob, created_at, created_by, updated_at)"
                              " VALUES (?, '1950-01-01', ?, 't', ?)", [name, now_iso(), now_iso()]).lastrowid)


def test_sql_built_lines_match_the_csv_module(ctx):
    for text in TRICKY:
        pid = _raw_patient(ctx, text)
        store_document(ctx, patient_id=pid, title=text or "untitled")
    store_document(ctx, patient_id=pid, kind="order", title="=order, \"x\"", order_status="draft")
    store_document(ctx, patient_id=None, title="no patient")
    got = [line for chunk in log.iter_csv_lines(ctx.store.db, log.LogQuery()) for line in chunk]
    assert "\r\n".join(got).split("\r\n") == _expected(ctx)
    assert len(got) == len(TRICKY) + 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    max_size=30))
def test_any_name_is_written_like_the_csv_module(ctx, name):
    pid = add_test_patient(ctx) if not name else _raw_patient(ctx, name)
    store_document(ctx, patient_id=pid, title="t")
    got = [line for chunk in log.iter_csv_lines(ctx.store.db, log.LogQuery()) for line in chunk]
    assert "\r\n".join(got).split("\r\n") == _expected(ctx)
