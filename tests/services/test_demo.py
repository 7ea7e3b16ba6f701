"""Demo data: real documents through the services, bulk copies that still verify."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader

from k2desk.services import demo, patients
from k2desk.services.log import verify_log
from k2desk.storage import documents as docs


def test_demo_fills_patients_documents_and_the_log_still_verifies(ctx):
    result = demo.fill_demo(ctx, 12, 300)
    assert (result.patients, result.documents, result.real_documents) == (12, 300, 12)
    everyone = patients.list_patients(ctx)
    assert len(everyone) == 12
    scripts = {unicodedata.name(ch).split()[0] for p in everyone for ch in p.name if ch.isalpha()}
    assert {"LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW"} <= scripts
    assert any("warfarin" in m.text.lower() or "coumadin" in m.text.lower()
               for p in everyone for m in p.medications)
    assert docs.count_documents(ctx.store.db) == 300
    kinds = {r[0] for r in ctx.store.db.execute("SELECT DISTINCT kind FROM documents")}
    assert kinds == {"handout", "order"}
    newest = docs.list_documents(ctx.store.db, limit=1)[0]
    pdf = docs.get_pdf(ctx.store.db, newest.id)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    report = verify_log(ctx)
    assert report.ok, report.summary()
