"""`k2desk handout|order|document ...`: ids on stdout, refusals exit 2 with one line per problem
and write nothing, output files written after the commit, an unwritable path keeps the document."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from doc_helpers import (
    add_plain_patient,
    add_warfarin_patient,
    example_order,
    pdf_text,
    setup_pharmacy,
    table_counts,
)
from k2desk.cli import main
from k2desk.services.context import AppContext


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(ctx: AppContext, tmp_path: Path) -> dict[str, Any]:
    setup_pharmacy(ctx)
    plain = add_plain_patient(ctx)
    warfarin = add_warfarin_patient(ctx)
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(example_order()), "utf-8")
    return {"plain": plain, "warfarin": warfarin, "order": order_file, "tmp": tmp_path}


def _write_order(tmp: Path, change: dict[str, dict[str, Any]]) -> Path:
    data = example_order()
    for section, values in change.items():
        data[section].update(values)
    p = tmp / "changed.json"
    p.write_text(json.dumps(data), "utf-8")
    return p


def test_handout_create_prints_id_and_writes_stored_bytes(capsys: pytest.CaptureFixture[str],
                                                          ctx: AppContext, setup: dict[str, Any]) -> None:
    out_pdf = setup["tmp"] / "h.pdf"
    code, out, err = run(capsys, "handout", "create", "--patient", str(setup["plain"]),
                         "--topic", "bone", "--topic", "food", "-o", str(out_pdf))
    assert code == 0, err
    doc_id = int(out.strip())
    code, out, _ = run(capsys, "document", "list", "--json")
    [doc] = [d for d in json.loads(out) if d["id"] == doc_id]
    assert doc["kind"] == "handout"
    assert hashlib.sha256(out_pdf.read_bytes()).hexdigest() == doc["sha256"]
    assert "Ana Souza" in pdf_text(out_pdf.read_bytes())


def test_handout_warfarin_refused_then_acknowledged(capsys: pytest.CaptureFixture[str], ctx: AppContext,
                                                    setup: dict[str, Any]) -> None:
    out_pdf = setup["tmp"] / "w.pdf"
    before = table_counts(ctx)
    code, out, err = run(capsys, "handout", "create", "--patient", str(setup["warfarin"]),
                         "--topic", "interactions", "-o", str(out_pdf))
    assert code == 2 and out == ""
    assert err.startswith("k2desk: ack_by: Major interaction") and err.count("\n") == 1
    assert not out_pdf.exists()
    assert table_counts(ctx) == before
    code, out, err = run(capsys, "handout", "create", "--patient", str(setup["warfarin"]),
                         "--topic", "interactions", "--ack-by", "Dana Lee",
                         "--ack-reason", "Clinic informed", "-o", str(out_pdf))
    assert code == 0, err
    text = pdf_text(out_pdf.read_bytes())
    assert "Dana Lee" in text and "reviewed by" in text.lower()


def test_order_create_show_status(capsys: pytest.CaptureFixture[str], ctx: AppContext,
                                  setup: dict[str, Any]) -> None:
    out_pdf = setup["tmp"] / "o.pdf"
    code, out, err = run(capsys, "order", "create", "--patient", str(setup["plain"]),
                         "--file", str(setup["order"]), "-o", str(out_pdf))
    assert code == 0, err
    order_id = int(out.strip())
    code, out, _ = run(capsys, "order", "show", str(order_id), "--json")
    shown = json.loads(out)
    assert shown["id"] == order_id and shown["status"] == "draft"
    assert shown["fields"]["prescriber.npi"] == "1234567893"
    assert shown["lines"] == [{"ingredient": "MK-4 (menatetrenone)", "strength": "15", "unit": "mg"}]
    [doc_id] = shown["documents"]
    code, out, _ = run(capsys, "document", "list", "--json")
    assert hashlib.sha256(out_pdf.read_bytes()).hexdigest() == \
        next(d["sha256"] for d in json.loads(out) if d["id"] == doc_id)
    code, out, _ = run(capsys, "order", "show", str(order_id))
    assert "Dr. Maria Lopez" in out and "MK-4 (menatetrenone) 15 mg" in out

    code, out, err = run(capsys, "order", "status", str(order_id), "dispensed")
    assert code == 2 and "signed original" in err
    assert run(capsys, "order", "status", str(order_id), "sent-for-signature")[0] == 0
    code, _, err = run(capsys, "order", "status", str(order_id), "signed-original-received",
                       "--note", "Fax from office")
    assert code == 0, err
    shown = json.loads(run(capsys, "order", "show", str(order_id), "--json")[1])
    assert shown["status"] == "signed-original-received"
    code, _, err = run(capsys, "order", "status", "999", "cancelled")
    assert code == 2 and "no order" in err


def test_order_refusal_names_override_key_and_writes_nothing(capsys: pytest.CaptureFixture[str],
                                                             ctx: AppContext,
                                                             setup: dict[str, Any]) -> None:
    bad = _write_order(setup["tmp"], {"prescriber": {"npi": "1234567890"},
                                      "compound": {"refills": 20}})
    out_pdf = setup["tmp"] / "bad.pdf"
    before = table_counts(ctx)
    code, out, err = run(capsys, "order", "create", "--patient", str(setup["plain"]), "--file", str(bad),
                         "-o", str(out_pdf))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert any(ln.startswith("k2desk: prescriber.npi:") and "--override prescriber.npi=" in ln
               for ln in lines)
    assert any(ln.startswith("k2desk: compound.refills:") for ln in lines)
    assert table_counts(ctx) == before and not out_pdf.exists()

    # the override fixes the warning but not the error
    code, _, err = run(capsys, "order", "create", "--patient", str(setup["plain"]), "--file", str(bad),
                       "--override", "prescriber.npi=Verified with NPPES")
    assert code == 2 and err.count("\n") == 1 and "compound.refills" in err
    assert table_counts(ctx) == before

    ok = _write_order(setup["tmp"], {"prescriber": {"npi": "1234567890"}})
    code, out, err = run(capsys, "order", "create", "--patient", str(setup["plain"]), "--file", str(ok),
                         "--override", "prescriber.npi=Verified with NPPES", "-o", str(out_pdf))
    assert code == 0, err
    shown = json.loads(run(capsys, "order", "show", out.strip(), "--json")[1])
    assert shown["overrides"][0]["field"] == "prescriber.npi"
    assert shown["overrides"][0]["reason"] == "Verified with NPPES"
    assert "Verified with NPPES" in pdf_text(out_pdf.read_bytes())


def test_order_file_problems(capsys: pytest.CaptureFixture[str], ctx: AppContext,
                             setup: dict[str, Any]) -> None:
    before = table_counts(ctx)
    code, _, err = run(capsys, "order", "create", "--patient", str(setup["plain"]),
                       "--file", str(setup["tmp"] / "missing.json"))
    assert code == 2 and "k2desk: file:" in err and "does not exist" in err
    broken = setup["tmp"] / "broken.json"
    broken.write_text("{\"prescriber\": ", "utf-8")
    code, _, err = run(capsys, "order", "create", "--patient", str(setup["plain"]), "--file", str(broken))
    assert code == 2 and "not valid JSON" in err and "line 1" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["order", "create", "--patient", str(setup["plain"]), "--file", str(setup["order"]),
              "--override", "no-equals-sign"])
    assert exit_info.value.code == 2 and "FIELD=REASON" in capsys.readouterr().err
    code, _, err = run(capsys, "order", "create", "--patient", "999", "--file", str(setup["order"]))
    assert code == 2 and "no patient" in err
    assert table_counts(ctx) == before


def test_an_output_in_a_missing_folder_is_refused_before_anything_is_stored(
        capsys: pytest.CaptureFixture[str], ctx: AppContext, setup: dict[str, Any]) -> None:
    target = setup["tmp"] / "no-such-folder" / "h.pdf"
    before = table_counts(ctx)
    for _ in range(2):  # a retry adds no document either
        code, out, err = run(capsys, "handout", "create", "--patient", str(setup["plain"]),
                             "--topic", "bone", "-o", str(target))
        assert code == 2 and out == ""
        assert "output" in err and "no-such-folder does not exist" in err
    code, _, err = run(capsys, "order", "create", "--patient", str(setup["plain"]),
                       "--file", str(setup["order"]), "-o", str(target))
    assert code == 2 and "does not exist" in err
    assert table_counts(ctx) == before
    target.parent.mkdir()
    code, out, _ = run(capsys, "handout", "create", "--patient", str(setup["plain"]),
                       "--topic", "bone", "-o", str(target))
    assert code == 0 and "Ana Souza" in pdf_text(target.read_bytes())
    assert table_counts(ctx)["documents"] == before["documents"] + 1


def test_document_save_fax_image_and_cover(capsys: pytest.CaptureFixture[str], ctx: AppContext,
                                           setup: dict[str, Any]) -> None:
    code, out, _ = run(capsys, "order", "create", "--patient", str(setup["plain"]),
                       "--file", str(setup["order"]))
    order_id = int(out.strip())
    shown = json.loads(run(capsys, "order", "show", str(order_id), "--json")[1])
    [doc_id] = shown["documents"]

    tiff = setup["tmp"] / "o.tiff"
    code, _, err = run(capsys, "document", "fax-image", str(doc_id), "-o", str(tiff))
    assert code == 0, err
    with Image.open(io.BytesIO(tiff.read_bytes())) as im:
        assert im.mode == "1" and im.size[0] == 1728

    cover = setup["tmp"] / "c.pdf"
    code, out, err = run(capsys, "document", "cover", str(doc_id), "--to-fax", "817-860-6083",
                         "-o", str(cover))
    assert code == 0, err
    cover_id = int(out.strip())
    text = pdf_text(cover.read_bytes())
    assert f"Order {order_id}" in text and "Ana Souza" not in text
    docs = json.loads(run(capsys, "document", "list", "--json")[1])
    assert {d["id"]: d["kind"] for d in docs}[cover_id] == "fax-cover"

    code, _, err = run(capsys, "document", "save", "999", "-o", str(setup["tmp"] / "x.pdf"))
    assert code == 2 and "no document" in err
    code, _, err = run(capsys, "document", "cover", str(doc_id), "--to-fax", "12",
                       "-o", str(setup["tmp"] / "y.pdf"))
    assert code == 2 and "to_fax" in err and not (setup["tmp"] / "y.pdf").exists()


def test_an_output_at_the_database_or_a_backup_stores_nothing(capsys: pytest.CaptureFixture[str],
                                                              ctx: AppContext, setup: dict[str, Any]) -> None:
    from k2desk.paths import backup_dir, db_path
    from k2desk.services.backups import make_backup

    backup = make_backup(ctx)
    before = table_counts(ctx)
    for target in (db_path(ctx.data_dir), backup, backup_dir(ctx.data_dir) / "x.pdf"):
        code, out, err = run(capsys, "handout", "create", "--patient", str(setup["plain"]),
                             "--topic", "bone", "-o", str(target))
        assert code == 2 and out == "" and "output" in err
        code, out, err = run(capsys, "order", "create", "--patient", str(setup["plain"]),
                             "--file", str(setup["order"]), "-o", str(target))
        assert code == 2 and out == "" and "output" in err
    assert table_counts(ctx) == before
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
