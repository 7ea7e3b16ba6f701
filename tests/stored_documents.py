"""Test helper: store documents the way the documents service does (a real PDF, its SHA-256,
a documents row and a pdf_blobs row), without depending on that service."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from k2desk.services.context import AppContext
from k2desk.services.patients import PatientInput, add_patient


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
    return add_patient(ctx, PatientInput(name=name, dob=dob, nkda=True))


def store_document(ctx: AppContext, *, patient_id: int | None, kind: str = "handout",
                   title: str = "Vitamin K2 handout", pages: list[str] | None = None,
                   created_at: str | None = None, order_status: str | None = None,
                   prescriber: tuple[str, str] | None = None) -> int:
    """Insert a document (and an order row for kind 'order'); return the document id."""
    pdf = make_pdf(pages or [f"{title} page 1", f"{title} page 2"])
    sha = hashlib.sha256(pdf).hexdigest()
    now = created_at or dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    with ctx.store.write() as db:
        db.execute("INSERT OR IGNORE INTO pdf_blobs (sha256, data) VALUES (?, ?)", [sha, pdf])
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
        cur = db.execute(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size, pages,"
            " created_at, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'test-rph')",
            [kind, patient_id, source_table, source_id, title, sha, len(pdf), len(pages or [1, 2]), now])
        return int(cur.lastrowid)


def stored_pdf(ctx: AppContext, document_id: int) -> bytes:
    row = ctx.store.conn.execute(
        "SELECT b.data FROM documents d JOIN pdf_blobs b ON b.sha256 = d.sha256 WHERE d.id=?",
        [document_id]).fetchone()
    return bytes(row[0])
