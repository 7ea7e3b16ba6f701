"""Handouts end to end through the service: vetted snippets only, warfarin blocks until
acknowledged, saved record first, render from it, stored bytes with their SHA-256."""

from __future__ import annotations

import hashlib
import json

import pytest

from doc_helpers import pdf_text, table_counts
from k2desk.domain.record_json import handout_from_json
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused, NotFound
from k2desk.storage import audit


def test_handout_for_plain_patient(ctx: AppContext, plain_patient: int) -> None:
    doc_id = svc.create_handout(ctx, plain_patient, topics=["bone", "safety"])
    doc = doc_svc.get_document(ctx, doc_id)
    assert doc.kind == "handout" and doc.source_table == "handouts" and doc.pages >= 1
    pdf = doc_svc.get_pdf(ctx, doc_id)
    assert hashlib.sha256(pdf).hexdigest() == doc.sha256
    text = pdf_text(pdf)
    assert "Ana Souza" in text
    assert "What do studies show?" in text and "Is it safe?" in text
    # question order: studies before safety
    assert text.index("What do studies show?") < text.index("Is it safe?")
    assert "Counseled by" in text  # US spelling on the printed label
    assert "test-rph" in text
    handout = svc.get_handout(ctx, doc.source_id)
    assert handout.record["document_id"] == doc_id
    assert all(v >= 1 for _, v in handout.snippets)
    rec = handout_from_json(handout.record)
    assert rec.patient_name == "Ana Souza" and rec.counselled_by == "test-rph"
    assert rec.interactions == ()
    # numbered citations: every item's numbers point into the citation list
    nums = {n for s in rec.sections for i in s.items for n in i.citation_numbers}
    assert nums == set(range(1, len(rec.citations) + 1))
    assert rec.foods  # the food-sources table


def test_reprint_returns_identical_bytes_and_is_audited(ctx: AppContext, plain_patient: int) -> None:
    doc_id = svc.create_handout(ctx, plain_patient, topics=["what-is-k2"])
    first = doc_svc.get_pdf(ctx, doc_id)
    second = doc_svc.get_pdf(ctx, doc_id)
    assert first == second
    actions = [(e.action, e.entity_id) for e, _ in audit.iter_events(ctx.store.db)]
    assert actions.count(("reprint", str(doc_id))) == 2
    render = [e for e, _ in audit.iter_events(ctx.store.db) if e.action == "render"]
    assert render[-1].details["sha256"] == hashlib.sha256(first).hexdigest()
    assert "Ana" not in json.dumps([e.details for e, _ in audit.iter_events(ctx.store.db)])


def test_same_stored_record_renders_same_bytes(ctx: AppContext, plain_patient: int) -> None:
    from k2desk.documents.handout import render_handout

    doc_id = svc.create_handout(ctx, plain_patient, topics=["bone"])
    doc = doc_svc.get_document(ctx, doc_id)
    record = handout_from_json(svc.get_handout(ctx, doc.source_id).record)
    assert render_handout(record) == doc_svc.get_pdf(ctx, doc_id)


def test_warfarin_blocks_until_acknowledged(ctx: AppContext, warfarin_patient: int) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, warfarin_patient, topics=["interactions"])
    assert [i.field for i in exc.value.issues] == ["ack_by"]
    assert "warfarin" in exc.value.issues[0].message
    assert table_counts(ctx) == before
    # only one half of the acknowledgement is refused too
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, warfarin_patient, topics=["interactions"], ack_by="RPh Lee")
    assert "ack_reason" in {i.field for i in exc.value.issues}
    assert table_counts(ctx) == before

    doc_id = svc.create_handout(ctx, warfarin_patient, topics=["interactions"], ack_by="Dana Lee",
                                ack_reason="Anticoagulation clinic told; INR in 1 week")
    text = pdf_text(doc_svc.get_pdf(ctx, doc_id))
    assert "reviewed by" in text.lower() or "acknowledged by" in text.lower()
    assert "Dana Lee" in text
    after = table_counts(ctx)
    assert after["acknowledgements"] == before["acknowledgements"] + 1
    assert after["handouts"] == before["handouts"] + 1
    handout = svc.get_handout(ctx, doc_svc.get_document(ctx, doc_id).source_id)
    assert len(handout.acknowledgement_ids) == 1
    notice = handout.record["interactions"][0]
    assert notice["severity"] == "major" and notice["acknowledged_by"] == "Dana Lee"

    # one acknowledgement, one document: the next handout needs its own
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, warfarin_patient, topics=["safety"])
    assert exc.value.issues[0].code == "interaction_unacknowledged"


def test_refusals_write_nothing(ctx: AppContext, plain_patient: int) -> None:
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, plain_patient, topics=["astrology"])
    assert exc.value.issues[0].field == "topic"
    with pytest.raises(InputRefused):
        svc.create_handout(ctx, plain_patient)
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, plain_patient, snippet_ids=["no-such-snippet"])
    assert "no-such-snippet" in str(exc.value)
    with pytest.raises(NotFound):
        svc.create_handout(ctx, 999, topics=["bone"])
    assert table_counts(ctx) == before


def test_unvetted_snippet_is_refused(ctx: AppContext, plain_patient: int) -> None:
    from k2desk.services import library

    not_usable = [v.snippet.id for v in library.list_snippets(ctx) if not v.state.usable]
    assert not_usable, "the shipped library has rejected and draft snippets"
    before = table_counts(ctx)
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, plain_patient, snippet_ids=[not_usable[0]])
    assert not_usable[0] in str(exc.value)
    assert table_counts(ctx) == before


def test_preview_renders_without_storing(ctx: AppContext, warfarin_patient: int) -> None:
    before = table_counts(ctx)
    pdf = svc.preview_handout(ctx, warfarin_patient, topics=["bone"])
    assert pdf.startswith(b"%PDF")
    assert "Walter Ng" in pdf_text(pdf)
    assert table_counts(ctx) == before
    with pytest.raises(InputRefused):
        svc.preview_handout(ctx, warfarin_patient, topics=["bone"], require_ack=True)


def test_cover_sheet_and_fax_image_for_a_handout(ctx: AppContext, plain_patient: int) -> None:
    import io

    from PIL import Image

    doc_id = svc.create_handout(ctx, plain_patient, topics=["bone"])
    pages = doc_svc.get_document(ctx, doc_id).pages
    cover_id, pdf = doc_svc.create_cover_sheet(ctx, doc_id, "+1 817 860 6083", to_name="Dr Lopez",
                                               note="Handout for your records")
    text = pdf_text(pdf)
    assert f"Document D-{doc_id}" in text and "Ana Souza" not in text and "Dr Lopez" in text
    assert str(pages + 1) in text
    assert doc_svc.get_pdf(ctx, cover_id) == pdf
    with Image.open(io.BytesIO(doc_svc.fax_tiff(ctx, doc_id))) as im:
        assert im.mode == "1" and im.size[0] == 1728 and im.n_frames == pages


def test_render_failure_rolls_back_handout_and_acknowledgement(
        ctx: AppContext, warfarin_patient: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection after the acknowledgement and the handout row were written.
    import k2desk.documents.handout as handout_renderer

    def broken(*args: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(handout_renderer, "render_handout", broken)
    before = table_counts(ctx)
    with pytest.raises(RuntimeError):
        svc.create_handout(ctx, warfarin_patient, topics=["bone"], ack_by="Dana Lee",
                           ack_reason="clinic told")
    assert table_counts(ctx) == before


def test_large_print_setting_reaches_the_stored_handout(ctx: AppContext, plain_patient: int) -> None:
    import io

    from pypdf import PdfReader

    from k2desk.services.settings import set_settings

    def body_sizes(pdf: bytes) -> set[float]:
        sizes: set[float] = set()
        for page in PdfReader(io.BytesIO(pdf)).pages:
            page.extract_text(visitor_text=lambda t, _c, _m, _f, size: sizes.add(round(size, 1))
                              if "to help you learn" in t else None)
        return sizes

    standard = svc.create_handout(ctx, plain_patient, topics=["bone"])
    set_settings(ctx, {"print.handout_text": "large"})
    large = svc.create_handout(ctx, plain_patient, topics=["bone"])
    assert body_sizes(doc_svc.get_pdf(ctx, standard)) == {12.0}
    assert body_sizes(doc_svc.get_pdf(ctx, large)) == {14.0}
    assert len(doc_svc.get_pdf(ctx, large)) != len(doc_svc.get_pdf(ctx, standard))
