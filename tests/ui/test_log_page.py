"""The log model (lazy, keyset-paged) and the Log page: filters, preview, reprint."""

from __future__ import annotations

import io

from PySide6.QtCore import QModelIndex
from reportlab.pdfgen import canvas

from k2desk.services import patients
from k2desk.services.log_browse import LogFilter, log_page
from k2desk.services.patients import PatientInput
from k2desk.storage import documents as docs
from k2desk.storage.blobs import add_blob
from k2desk.storage.clock import now_iso
from k2desk.ui import printing
from k2desk.ui.models.log_model import LogModel


def _pdf(text: str, pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(72, 720, f"{text} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _bulk_documents(ctx, n: int, pid: int | None = None) -> None:
    pdf = _pdf("bulk")
    digest = docs.sha256_hex(pdf)
    with ctx.store.write() as db:
        add_blob(db, pdf)
        db.conn.executemany(
            "INSERT INTO documents (kind, patient_id, source_table, source_id, title, sha256, size, pages,"
            " created_at, operator) VALUES (?, ?, 'documents', 0, ?, ?, ?, 1, ?, 'test-rph')",
            [("handout" if i % 3 else "order", pid, f"Bulk {i}", digest, len(pdf), now_iso())
             for i in range(n)])


def test_log_model_fetches_lazily_in_pages(ctx):
    _bulk_documents(ctx, 5000)
    calls = []

    def fetch(flt, before, n):
        calls.append(before)
        return log_page(ctx, flt, before_id=before, limit=n)

    m = LogModel(fetch, page_size=200)
    m.set_filter(LogFilter())
    assert m.rowCount() == 200 and len(calls) == 1
    assert m.canFetchMore(QModelIndex())
    first_ids = [m.row(i).id for i in range(200)]
    assert first_ids == sorted(first_ids, reverse=True)  # newest first
    m.fetchMore(QModelIndex())
    assert m.rowCount() == 400
    assert calls[1] == first_ids[-1]  # keyset: continue below the last id seen
    while m.canFetchMore(QModelIndex()):
        m.fetchMore(QModelIndex())
    assert m.rowCount() == 5000
    assert len({m.row(i).id for i in range(5000)}) == 5000
    assert m.data(m.index(0, 2)) in ("Handout", "Order")


def test_log_filters_kind_text_and_patient(ctx):
    pid = patients.add_patient(ctx, PatientInput("Zofia Kowalska", "1950-05-05", nkda=True))
    _bulk_documents(ctx, 30)
    _bulk_documents(ctx, 4, pid)
    assert len(log_page(ctx, LogFilter(patient_id=pid))) == 4
    assert len(log_page(ctx, LogFilter(text="kowal"))) == 4
    assert all(r.kind == "order" for r in log_page(ctx, LogFilter(kind="order")))
    found = log_page(ctx, LogFilter(text="Bulk 17"))  # a title, or a document number
    assert "Bulk 17" in [r.title for r in found] and 18 in [r.id for r in found] and len(found) == 2
    assert log_page(ctx, LogFilter(date_to="2000-01-01")) == []


def test_page_previews_and_reprints_the_stored_bytes(window, qtbot, ctx, settle, tmp_path, monkeypatch):
    pdf = _pdf("Reprint me", pages=2)
    with ctx.store.write() as db:
        doc_id = docs.store_document(db, kind="handout", patient_id=None, source_table="documents",
                                     source_id=0, pdf=pdf, title="K2 handout", operator="test-rph", pages=2)
    page = window.go("log")
    settle(window)
    assert page.model.rowCount() == 1
    assert page.select_document(doc_id)
    settle(window)
    qtbot.waitUntil(lambda: page.preview.page_count() == 2, timeout=3000)
    assert page.preview.pdf_bytes == pdf
    monkeypatch.setattr(printing, "printers_available", lambda: False)
    page.print_current()
    page.printer.reason_dialog.accept()  # a reprint from the Log says why (issue 21)
    notice = page.printer.flow.dialog
    assert notice.objectName() == "no-printer" and notice.isVisible()
    assert "No printer is installed" in notice.label.text()
    out = page.printer.flow.save_to(tmp_path / "copy.pdf")
    notice.close()
    settle(window)
    assert out.read_bytes() == pdf  # byte for byte the stored document
    actions = [r[0] for r in ctx.store.db.execute(
        "SELECT action FROM audit_events WHERE entity='document' AND entity_id=?", [str(doc_id)])]
    assert actions == ["render", "save"]


def test_bad_date_filter_is_an_inline_message(window):
    page = window.go("log")
    page.date_from.setText("2026-13-01")
    page.apply_filter()
    assert "not a real date" in page.date_message.text()


def test_render_stored_pdf_into_a_printer(qapp, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert printing.render_pdf_to_printer(_pdf("to the printer", pages=3), printer) == 3
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 3


def test_patient_documents_button_filters_the_log(window, ctx, settle):
    pid = patients.add_patient(ctx, PatientInput("Zofia Kowalska", "1950-05-05", nkda=True))
    _bulk_documents(ctx, 5)
    _bulk_documents(ctx, 3, pid)
    pp = window.go("patients")
    settle(window)
    assert pp.select_patient(pid)
    pp.documents_button.click()
    settle(window)
    log = window.pages["log"]
    assert window.current_key() == "log"
    assert log.model.rowCount() == 3 and {log.model.row(i).patient_id for i in range(3)} == {pid}
    log.clear_patient.click()
    settle(window)
    assert log.model.rowCount() == 8


def test_export_runs_in_the_background_with_a_progress_bar(window, qtbot, ctx, settle, tmp_path):
    _bulk_documents(ctx, 1200)
    page = window.go("log")
    out = tmp_path / "log.csv"
    page.export_log(str(out))
    assert page.progress.isVisible()
    settle(window)
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=10_000)
    assert page.progress.value() == 100
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1201  # header + every document
    assert "exported" in window.bridge.last_info


def test_ctrl_f_puts_the_cursor_in_the_log_search(window, qtbot):
    window.go("log")
    window.act_find.trigger()
    assert window.pages["log"].search.hasFocus()


def test_fax_from_the_log_goes_through_a_real_smtp_gateway(window, qtbot, ctx, settle):
    import socket

    from aiosmtpd.controller import Controller

    from k2desk.services import fax
    from k2desk.services.settings import set_settings

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep = Keep()
    server = Controller(keep, hostname="127.0.0.1", port=port)
    server.start()
    try:
        pdf = _pdf("Fax me")
        with ctx.store.write() as db:
            doc_id = docs.store_document(db, kind="order", patient_id=None, source_table="documents",
                                         source_id=0, pdf=pdf, title="Compound order 1",
                                         operator="test-rph", pages=1)
        page = window.go("log")
        assert page.select_document(doc_id)
        page.send_fax("(817) 860-6083")  # the gateway is not set up yet: a message, nothing queued
        assert "not set" in window.bridge.last_error
        assert fax.outbox(ctx) == []
        set_settings(ctx, {"fax.smtp_host": "127.0.0.1", "fax.smtp_port": str(port), "fax.security": "none",
                           "fax.sender": "counter@pharmacy.example", "fax.timeout_s": "10",
                           "fax.recipient_pattern": "{digits}@fax.example.com"})
        page.send_fax("(817) 860-6083")  # the cover needs the pharmacy's name and phone
        assert "Pharmacy phone is not set" in window.bridge.last_error
        assert fax.outbox(ctx) == []
        set_settings(ctx, {"pharmacy.name": "Riverside Compounding", "pharmacy.phone": "(217) 555-0142"})
        job_id = page.send_fax("(817) 860-6083")
        assert job_id is not None
        settle(window)
        qtbot.waitUntil(lambda: "was faxed" in window.bridge.last_info, timeout=10_000)
        assert fax.get_job(ctx, job_id).state == "sent"
        assert keep.messages and keep.messages[0].rcpt_tos == ["18178606083@fax.example.com"]
    finally:
        server.stop()


def test_printing_sends_every_stored_page_and_audits_a_reprint(window, ctx, settle, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    pdf = _pdf("Print me", pages=2)
    with ctx.store.write() as db:
        doc_id = docs.store_document(db, kind="handout", patient_id=None, source_table="documents",
                                     source_id=0, pdf=pdf, title="K2 handout", operator="test-rph", pages=2)
    page = window.go("log")
    page.select_document(doc_id)
    page.printer.doc_id = doc_id
    page.printer.flow.data = docs.get_pdf(ctx.store.db, doc_id)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # what QPrintDialog hands back on OK
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    page.printer.flow._print(printer)
    settle(window)
    assert len(PdfReader(tmp_path / "out.pdf").pages) == 2
    actions = [r[0] for r in ctx.store.db.execute(
        "SELECT action FROM audit_events WHERE entity='document' AND entity_id=?", [str(doc_id)])]
    assert actions == ["render", "reprint"]
    assert "sent to the printer" in window.bridge.last_info


def test_with_no_keyring_the_window_asks_for_the_fax_password_for_this_session_only(
        window, qtbot, ctx, settle, monkeypatch):
    import socket

    import keyring
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from keyring.backends.fail import Keyring as NoKeyring
    from PySide6.QtWidgets import QInputDialog

    from k2desk.paths import db_path
    from k2desk.services import fax
    from k2desk.services.settings import set_settings

    class Keep:
        def __init__(self):
            self.messages, self.logins = [], []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(envelope)
            return "250 OK"

    def check_login(server, session, envelope, mechanism, auth_data):
        keep.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"gateway-secret-42")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep = Keep()
    server = Controller(keep, hostname="127.0.0.1", port=port, authenticator=check_login,
                        auth_require_tls=False)
    server.start()
    keyring.set_keyring(NoKeyring())  # a machine with no desktop keyring (NoKeyringError)
    asked = []

    def person_types(parent, title, label, echo):
        asked.append(label)
        return "gateway-secret-42", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(person_types))
    try:
        set_settings(ctx, {"fax.smtp_host": "127.0.0.1", "fax.smtp_port": str(port), "fax.security": "none",
                           "fax.username": "counter", "fax.sender": "counter@pharmacy.example",
                           "fax.timeout_s": "10", "fax.recipient_pattern": "{digits}@fax.example.com",
                           "pharmacy.name": "Riverside Compounding", "pharmacy.phone": "(217) 555-0142"})
        with ctx.store.write() as db:
            doc_id = docs.store_document(db, kind="handout", patient_id=None, source_table="documents",
                                         source_id=0, pdf=_pdf("Fax me"), title="K2 handout",
                                         operator="test-rph", pages=1)
        page = window.go("log")
        assert page.select_document(doc_id)
        first = page.send_fax("(817) 860-6083")
        settle(window)
        qtbot.waitUntil(lambda: "was faxed" in window.bridge.last_info, timeout=10_000)
        assert len(asked) == 1 and "this session only" in asked[0]
        assert fax.get_job(ctx, first).state == "sent"
        second = page.send_fax("(817) 860-6083")  # the same session: not asked again
        settle(window)
        qtbot.waitUntil(lambda: fax.get_job(ctx, second).state == "sent", timeout=10_000)
        assert len(asked) == 1 and len(keep.messages) == 2
        assert keep.logins[0] == (b"counter", b"gateway-secret-42")
        for path in db_path(ctx.data_dir).parent.glob("k2desk.sqlite3*"):
            assert b"gateway-secret-42" not in path.read_bytes()
    finally:
        server.stop()
