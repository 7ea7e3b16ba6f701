"""The log that seeks (issue 23): the row at any position, found in the date index, is the row
plain paging reaches there — with and without filters, with timestamps shared by many rows."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2desk.services import log_browse
from k2desk.services.context import AppContext
from k2desk.services.log_browse import LogFilter
from k2desk.storage import blobs, log_view
from k2desk.storage import documents as docs
from k2desk.ui.models.log_model import LogModel

N = 700
DAYS = [dt.date(2026, 3, 1) + dt.timedelta(days=d) for d in range(12)]


def _fill(ctx: AppContext) -> None:
    rng = random.Random(23)
    pdf = b"%PDF-1.4 seek test"
    digest = docs.sha256_hex(pdf)
    # Few distinct times, so many rows share one (the id breaks the tie), out of id order.
    times = [dt.datetime.combine(d, dt.time(h), tzinfo=dt.UTC).isoformat(timespec="microseconds")
             for d in DAYS for h in (3, 15, 22)]
    with ctx.store.write() as db:
        blobs.add_blob(db, pdf)  # the PDF as a file beside the database (issue 24)
        db.conn.executemany(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size,"
            " pages, created_at, operator) VALUES (?, NULL, 'documents', 0, ?, ?, ?, 1, ?, 'rph')",
            [(rng.choice(["handout", "order", "fax-cover"]), f"Doc {i}", digest, len(pdf),
              rng.choice(times)) for i in range(N)])


def _plain_paging(ctx: AppContext, flt: LogFilter) -> list[int]:
    """Every row under ``flt`` by keyset paging, page after page (what the window did before)."""
    out: list[int] = []
    while True:
        page = log_browse.log_page(ctx, flt, before_id=out[-1] if out else None, limit=37)
        out += [r.id for r in page]
        if len(page) < 37:
            return out


filters = st.builds(
    LogFilter,
    kind=st.sampled_from([None, "handout", "order", "fax-cover"]),
    date_from=st.sampled_from([None, *[d.isoformat() for d in DAYS[:6]]]),
    date_to=st.sampled_from([None, *[d.isoformat() for d in DAYS[5:]]]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, offsets=st.lists(st.integers(0, N + 5), min_size=1, max_size=6),
       size=st.integers(1, 90))
def test_seek_returns_the_rows_plain_paging_reaches(ctx, flt, offsets, size) -> None:
    if not ctx.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]:
        _fill(ctx)
    everything = _plain_paging(ctx, flt)
    # Plain paging is the log's order: newest first by (created_at, id), and nothing else.
    db = ctx.store.db
    stored = log_browse._stored(flt)
    w = log_view.filter_sql(stored)
    assert everything == [r[0] for r in db.execute(
        f"SELECT d.id FROM documents d{w.sql()} ORDER BY d.created_at DESC, d.id DESC", w.params)]
    assert log_browse.log_count(ctx, flt) == len(everything)
    for at in offsets:
        got = [r.id for r in log_browse.log_rows_at(ctx, flt, at, size)]
        assert got == everything[at:at + size]
    for doc_id in everything[:: max(1, len(everything) // 5)]:
        assert log_browse.log_position(ctx, flt, doc_id) == everything.index(doc_id)
    outside = set(range(1, N + 1)) - set(everything)
    if outside:
        assert log_browse.log_position(ctx, flt, min(outside)) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, rows=st.lists(st.integers(0, N - 1), min_size=1, max_size=30))
def test_seeking_model_shows_the_rows_plain_paging_shows(ctx, qtbot, flt, rows) -> None:
    if not ctx.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]:
        _fill(ctx)
    everything = _plain_paging(ctx, flt)

    def fetch(f, before, n):
        return log_browse.log_page(ctx, f, before_id=before, limit=n)

    def fetch_at(f, row, n):
        return log_browse.log_rows_at(ctx, f, row, n)

    m = LogModel(fetch, page_size=50, fetch_at=fetch_at)
    m.set_first_page(flt, fetch_at(flt, 0, 50), log_browse.log_count(ctx, flt))
    assert m.seeking and m.rowCount() == len(everything)
    assert not m.canFetchMore()
    for r in rows:  # in any order, as a dragged scroll bar asks
        if r < len(everything):
            assert m.row(r).id == everything[r]
            assert m.data(m.index(r, 0)) == str(everything[r])
    # Reading row 650 of 700 took one page, not thirteen.
    if len(everything) > 650:
        before = m.fetches
        m.row(650)
        assert m.fetches - before <= 1


def test_a_text_search_pages_as_before(ctx) -> None:
    _fill(ctx)
    assert not log_browse.seekable(LogFilter(text="Doc"))
    assert log_browse.seekable(LogFilter(kind="order", date_from="2026-03-02"))
