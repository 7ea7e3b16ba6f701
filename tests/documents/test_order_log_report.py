"""The printed order log: the same selection as the export, as a fax-ready PDF table (Letter
and A4), checked by extracting its text and with the fax checks; pages saved as PNG to look at."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from faxcheck import fax_ready_problems
from pypdf import PdfReader

from doc_helpers import pdf_text
from k2desk.cli import main
from k2desk.domain.documents import PaperSize
from k2desk.services import order_export as ex
from k2desk.services import order_report as rp
from k2desk.services.errors import InputRefused
from k2desk.services.settings import set_settings
from k2desk.storage import audit
from order_log_data import RTL_NAME, make_order_log

SHOTS = Path(os.environ.get("K2DESK_SHOTS", "/tmp/k2desk-i22-shots"))


def _many(ctx, log, n: int) -> None:
    """Copies of the demo orders (with their lines and history) so the table runs over pages."""
    with ctx.store.write() as db:
        for k in range(n):
            src = log["ids"][k % len(log["ids"])]
            new = db.execute(
                "INSERT INTO orders (patient_id, prescriber_id, status, fields, interactions, created_at,"
                " created_by, updated_at) SELECT patient_id, prescriber_id, status, fields, interactions,"
                " created_at, created_by, updated_at FROM orders WHERE id=?", [src]).lastrowid
            db.execute("INSERT INTO order_lines (order_id, position, ingredient, strength, unit)"
                       " SELECT ?, position, ingredient, strength, unit FROM order_lines WHERE order_id=?",
                       [new, src])
            db.execute("INSERT INTO order_status_history (order_id, status, at, operator, note)"
                       " SELECT ?, status, at, operator, note FROM order_status_history WHERE order_id=?",
                       [new, src])


@pytest.mark.parametrize("paper", [PaperSize.LETTER, PaperSize.A4])
def test_order_log_report_is_fax_ready_and_says_what_was_chosen(ctx, tmp_path, paper):
    log = make_order_log(ctx)
    set_settings(ctx, {"print.paper_size": paper.value})
    _many(ctx, log, 40)
    out = tmp_path / f"order-log-{paper.value}.pdf"
    result = rp.order_report(ctx, out, ex.OrderFilters(since="2020-01-01"))
    pdf = out.read_bytes()
    assert fax_ready_problems(pdf, paper) == []
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2 and result.orders == len(log["ids"]) + 40
    text = " ".join(pdf_text(pdf).split())  # cells wrap; compare words
    assert "Summit Compounding" in text and "Compound order log" in text
    assert f"Page 1 of {len(pages)}" in text and f"Page {len(pages)} of {len(pages)}" in text
    assert "Orders created 2020-01-01 to today" in text
    assert "Ana Souza" in text and "(1956-03-14)" in text and "NPI 1234567893" in text
    assert "Boron citrate 1 mg" in text and "90 capsules" in text
    assert "Prescriber changed therapy; call back" in text and "(mail)" in text
    assert "Order" in pages[1].extract_text() and "Patient" in pages[1].extract_text(), "header repeats"
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert "Souza" not in str(meta) and RTL_NAME not in str(meta)
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(out),
                        str(SHOTS / f"order-log-{paper.value}")], check=True)


def test_an_order_taller_than_a_page_still_prints_whole(ctx, tmp_path):
    log = make_order_log(ctx)
    reason = " ".join(f"reason{n}" for n in range(140))  # ~1000 characters, the longest note
    with ctx.store.write() as db:
        db.execute("UPDATE order_status_history SET note=? WHERE order_id=? AND status='cancelled'",
                   [reason, log["cancelled"]])
    out = tmp_path / "tall.pdf"
    rp.order_report(ctx, out)
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "reason0" in text and "reason139" in text
    assert fax_ready_problems(out.read_bytes()) == []


def test_report_is_an_export_not_a_document(ctx, tmp_path, capsys):
    make_order_log(ctx)
    docs_before = ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    out = tmp_path / "log.pdf"
    assert main(["order", "report", "--status", "dispensed", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "2 orders" in text and "status dispensed" in text
    assert "cancelled" not in text.replace("status dispensed", "")
    assert ctx.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == docs_before
    ev = [e for e, _ in audit.iter_events(ctx.store.db) if e.action == "export"][-1]
    assert ev.entity == "order_log" and ev.details["format"] == "pdf" and ev.details["orders"] == 2
    with pytest.raises(InputRefused) as exc:
        rp.order_report(ctx, tmp_path / "log.csv", ex.OrderFilters(status="lost"))
    assert {i.field for i in exc.value.issues} == {"status", "output"}
    assert not (tmp_path / "log.csv").exists()
