"""Test helper: store documents the way the documents service does (a real PDF, its SHA-256,
a documents row and a pdf_blobs row), without depending on that service."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient
from k2desk.storage import documents


def make_pdf(lines_per_page: list[str]) -> bytes:
    """A real PDF with one page per entry, each page showing its text."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for text in lines_per_page:
        c.setFont("Helvetica", 12)
        c.drawString(72, 700, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def add_test_patient(ctx: AppContext, name: str = "Ann Lee", dob: str = "1950-02-03") -> int:
    # Test data: the same person may be added more than once on purpose (issue 18's check is
    # tested in tests/attack/test_i18_attack.py).
    return add_patient(ctx, PatientInput(name=name, dob=dob, nkda=True), allow_duplicate=True)


def store_document(ctx: AppContext, *, patient_id: int | None, kind: str = "handout",
                   title: str = "Vitamin K2 handout", pages: list[str] | None = None,
                   created_at: str | None = None, order_status: str | None = None,
                   prescriber: tuple[str, str] | None = None) -> int:
    """Store a document through storage.documents (an order row first for kind 'order'), with
    ``created_at`` moved to a chosen time when given; return the document id."""
    texts = pages or [f"{title} page 1", f"{title} page 2"]
    pdf = make_pdf(texts)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    with ctx.store.write() as db:
        source_table, source_id = "handouts", 0
        if kind == "order":
            prescriber_id = None
            if prescriber is not None:
                prescriber_id = db.execute(
                    "INSERT INTO prescribers (name, fax, created_at) VALUES (?, ?, ?)",
                    [prescriber[0], prescriber[1], now]).lastrowid
            cur = db.execute(
                "INSERT INTO orders (patient_id, prescriber_id, status, fields, created_at, created_by,"
                " updated_at) VALUES (?, ?, ?, '{}', ?, 'test-rph', ?)",
                [patient_id, prescriber_id, order_status or "draft", now, now])
            source_table, source_id = "orders", int(cur.lastrowid)
        doc_id = documents.store_document(db, kind=kind, patient_id=patient_id, source_table=source_table,
                                          source_id=source_id, pdf=pdf, title=title, operator="test-rph",
                                          pages=len(texts))
        if created_at is not None:
            db.execute("UPDATE documents SET created_at=? WHERE id=?", [created_at, doc_id])
        return doc_id


def stored_pdf(ctx: AppContext, document_id: int) -> bytes:
    return documents.get_pdf(ctx.store.db, document_id)
