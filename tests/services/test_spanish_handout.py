"""Issue 26: the shipped Spanish library, page and warnings.

A Spanish handout for a warfarin patient on every topic prints only vetted Spanish text, the
Spanish blood-thinner box first, and no sentence of the English page; it is stored, reprinted
byte for byte and verified like any other document. Every shipped Spanish text reads at
Fernández-Huerta 70 or above (textstat)."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import pytest

from doc_helpers import add_warfarin_patient, pdf_text, setup_pharmacy
from k2desk.domain.evidence import STUDY_LABELS, english_sha256
from k2desk.domain.languages import MIN_FERNANDEZ_HUERTA, reading_level
from k2desk.domain.reprint import ReprintReason
from k2desk.library.interactions import load_interaction_table
from k2desk.library.languages import load_template, load_translations
from k2desk.resources import resource_path
from k2desk.services import doc_use
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as svc
from k2desk.services import library as library_svc
from k2desk.services.context import AppContext
from k2desk.services.log import verify_log
from k2desk.services.patients import PatientInput, add_patient, get_patient

ES = load_template("es")
EN = load_template("en")
# The pharmacist's typed reason prints as typed: a Spanish one here.
ACK = {"ack_by": "Dana Lee", "ack_reason": "Clínica avisada; INR en 1 semana"}
HEADING_WORDS = 8  # as the English grade test: headings and labels under 8 words are not scored


def flat(text: str) -> str:
    return " ".join(text.split())


def _has(text: str, words: str) -> bool:
    """``words`` in ``text`` as whole words ("Form" is not in "Forma")."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


@pytest.fixture
def spanish_warfarin_patient(ctx: AppContext) -> int:
    setup_pharmacy(ctx)
    pid = add_warfarin_patient(ctx, name="Rosa Martínez")
    p = get_patient(ctx, pid)
    return add_patient(ctx, PatientInput(
        name="Rosario Núñez", dob="1947-11-30", allergies=p.allergies, language="es",
        medications=[m.text for m in p.current_medications]))


def _vetted_english(ctx: AppContext) -> dict[str, str]:
    return {s.id: s.text["en"] for s in library_svc.usable_snippets(ctx)}


def test_every_vetted_english_snippet_has_a_vetted_spanish_text_from_the_current_english(
        ctx: AppContext) -> None:
    shipped = load_translations()
    library = library_svc.load(ctx)
    for sid, _text in _vetted_english(ctx).items():
        t = shipped.translations.get((sid, "es"))
        assert t is not None, f"{sid}: no Spanish text"
        assert t.status.value == "vetted", f"{sid}: {t.status.value} ({t.reason})"
        assert t.source_sha256 == english_sha256(library.snippets[sid]), f"{sid}: stale"
        assert "k2desk editorial" in t.vetted_by and "second reader" in t.vetted_by


def test_spanish_handout_on_every_topic_for_a_warfarin_patient(
        ctx: AppContext, spanish_warfarin_patient: int, tmp_path: Path) -> None:
    pid = spanish_warfarin_patient
    topics = list(library_svc.load(ctx).topics)
    plan = svc.handout_plan(ctx, pid, topics=topics)
    assert plan.language == "es" and plan.left_out == () and plan.foods_left_out == ""
    english = _vetted_english(ctx)
    assert set(plan.texts) == set(english)  # every vetted snippet, each in Spanish
    doc_id = svc.create_handout(ctx, pid, topics=topics, **ACK)  # the patient's language
    pdf = doc_svc.get_pdf(ctx, doc_id)
    # The footer every page carries, taken out so a paragraph across a page break reads whole.
    text = flat(re.sub(r"Paciente: .*\nFecha de nacimiento: .*\nPágina \d+ de \d+\n", " ",
                       pdf_text(pdf)))
    assert "Página 1 de" in pdf_text(pdf)

    # Only vetted Spanish text: each translation prints, no English snippet text does.
    shipped = load_translations()
    for sid in english:
        assert flat(shipped.translations[(sid, "es")].text) in text, sid
    # The Spanish blood-thinner box comes first, before any question of the page.
    box = ES.text("vka.heading", agents="warfarina")  # the agent's Spanish name
    assert box in text and ES.text("vka.title") in text
    first_question = min(text.index(ES.text(f"questions.{q}")) for q in
                         ("what", "studies", "safety", "interactions", "dose", "unknown"))
    assert text.index(box) < text.index(ES.text("vka.title")) < first_question
    for lead, body in ES.pairs("vka.paragraphs"):
        assert flat(f"{lead} {body}") in text, lead
    assert "Llame al 911" in text
    assert "“Coumadin 5 mg daily”, que es warfarina." in text  # the medicine as typed
    table = load_interaction_table()
    coumarin = next(a for a in table.agents if a.generic == "warfarin")
    assert flat(coumarin.patient_message_in("es") or "") in text
    # MK-4 snippets print, so the labelled contraindication is in the box, in Spanish.
    mk4 = table.contraindications[0]
    assert flat(f"{ES.text('vka.contraindication_lead')} {mk4.patient_message_in('es')}") in text
    assert "30 de noviembre de 1947" in text  # the date of birth in Spanish words
    assert "Alimentos que contienen vitamina K2" in text

    # No sentence of the English page: every English template text (split at its placeholders
    # and into sentences), every English snippet text and every English interaction message.
    # Citation titles print as published (English allowed): the reference list is the page's
    # last section, so everything before its heading is checked.
    body = text[:text.rindex(ES.text("handout.references"))]
    assert len(body) > len(text) // 2
    allowed = {"Fax", "mcg"}  # the same in Spanish (a word; the unit, ISMP)
    checked = 0
    for key, value in EN.texts.items():
        if key.startswith("language."):
            continue
        for piece in re.split(r"\{[a-z]+\}", value):
            for sentence in re.split(r"(?<=[.:?])\s+", piece):
                sentence = sentence.strip(" “”,.:")
                if len(sentence) < 3 or sentence in allowed or sentence == "and":
                    continue
                checked += 1
                assert not _has(body, sentence), f"English {key!r} prints: {sentence!r}"
    assert checked > 80
    for sid, en_text in english.items():
        for sentence in re.split(r"(?<=[.?])\s+", en_text):
            if len(sentence.split()) >= 3:
                assert sentence not in body, f"English {sid} prints: {sentence!r}"
    for a in table.agents:
        assert flat(a.patient_message) not in text
    assert flat(mk4.patient_message) not in text

    # Stored, reprinted byte for byte, rendered again from the record to the same bytes, and
    # the log verifies.
    stored = doc_svc.get_document(ctx, doc_id)
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    row = ctx.store.db.execute("SELECT language FROM handouts WHERE id = ?",
                               [stored.source_id]).fetchone()
    assert row[0] == "es"
    out = tmp_path / "reprint.pdf"
    doc_use.reprint_to_file(ctx, doc_id, ReprintReason("patient-copy"), out)
    assert out.read_bytes() == pdf
    from k2desk.documents.handout import render_handout
    from k2desk.domain.record_json import handout_from_json

    record = handout_from_json(svc.get_handout(ctx, stored.source_id).record)
    assert render_handout(record) == pdf
    report = verify_log(ctx)
    assert report.ok, report.summary()


def _spanish_texts() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for (sid, lang), t in load_translations().translations.items():
        if lang == "es":
            out.append((f"snippet {sid}", t.text))
    table = load_interaction_table()
    seen: set[str] = set()
    for a in table.agents:
        msg = a.patient_message_in("es")
        assert msg is not None, f"agent {a.generic}: no Spanish message"
        if msg not in seen:
            seen.add(msg)
            out.append((f"message ({a.generic})", msg))
    for c in table.contraindications:
        msg = c.patient_message_in("es")
        assert msg is not None, c.ingredient
        out.append((f"box: contraindication {c.ingredient}",
                    f"{ES.text('vka.contraindication_lead')} {msg}"))
    out.append(("box title", ES.text("vka.title")))
    for lead, text in ES.pairs("vka.paragraphs"):
        out.append((f"box: {lead}", f"{lead} {text}"))
    for n, text in enumerate(ES.items("disclaimer.paragraphs"), 1):
        out.append((f"disclaimer {n}", text))
    out.append(("legend intro", ES.text("grading.intro")))
    for kind in STUDY_LABELS:
        out.append((f"legend: {kind.value}", ES.text(f"evidence_labels.{kind.value}")))
    return [(w, t) for w, t in out if len(t.split()) >= HEADING_WORDS]


SPANISH = _spanish_texts()


def test_the_list_covers_every_shipped_spanish_text() -> None:
    names = {w for w, _t in SPANISH}
    snippets = [k for k in load_translations().translations if k[1] == "es"]
    assert sum(n.startswith("snippet ") for n in names) == len(snippets) >= 40
    assert {"box title", "disclaimer 1", "disclaimer 2", "disclaimer 3", "legend intro"} <= names
    assert sum(n.startswith("box: ") for n in names) >= 7
    assert sum(n.startswith("message (") for n in names) >= 13


@pytest.mark.parametrize(("where", "text"), SPANISH, ids=[w for w, _t in SPANISH])
def test_every_shipped_spanish_text_reads_at_fernandez_huerta_70_or_above(where: str,
                                                                           text: str) -> None:
    formula, score, passes = reading_level(text, "es")
    assert formula == "Fernández-Huerta" and score is not None
    assert passes and score >= MIN_FERNANDEZ_HUERTA, f"{where}: {score}"


def test_the_formula_is_spanish_and_would_fail_hard_text() -> None:
    hard = ("La anticoagulación farmacológica mediante antagonistas de la vitamina K requiere "
            "monitorización periódica del cociente internacional normalizado.")
    assert reading_level(hard, "es")[2] is False


def test_the_shipped_spanish_files_keep_the_leads_decisions() -> None:
    template = resource_path("templates/handout.es.toml")
    data = " ".join(text for _w, text in SPANISH) + " ".join(ES.texts.values())
    assert re.search(r"\bwarfarin\b(?!a)", data) is None  # "warfarina" in running text
    assert re.search(r"\bIU\b", data) is None and "µg" not in data  # "UI"; "mcg" (ISMP)
    assert tomllib.loads(template.read_text(encoding="utf-8"))["language"]["code"] == "es"


def test_spanish_from_the_command_line(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    """`patient add --language es` is accepted now that Spanish is installed; `handout languages`
    lists it; `handout create` makes the patient's Spanish handout with no snippet left out."""
    from k2desk.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("handout", "languages")
    assert code == 0 and "Spanish (español)" in out, err
    code, out, err = run("patient", "add", "--name", "Rosario Núñez", "--dob", "11/30/1947",
                         "--med", "warfarin 5 mg", "--nkda", "--language", "es")
    assert code == 0, err
    pid = out.strip()
    code, out, _ = run("patient", "show", pid)
    assert "Handout language: es" in out
    code, out, err = run("library", "translations", "--language", "es", "--json")
    state = {r["id"]: r["state"] for r in json.loads(out)}
    vetted = _cli_vetted(data_dir)
    assert code == 0 and vetted and all(state[sid] == "prints" for sid in vetted), err
    pdf = tmp_path / "es.pdf"
    code, out, err = run("handout", "create", "--patient", pid, "--topic", "interactions",
                         "--topic", "food", "--ack-by", "Dana Lee", "--ack-reason",
                         "Clínica avisada", "-o", str(pdf))
    assert code == 0, err
    assert "left out" not in err.lower()
    text = flat(pdf_text(pdf.read_bytes()))
    assert "INTERACCIÓN GRAVE: vitamina K2 y warfarina" in text and "Llame al 911" in text
    code, out, err = run("log", "verify")
    assert code == 0, out + err


def _cli_vetted(data_dir: Path) -> set[str]:
    with AppContext(data_dir, "test-rph") as c:
        return set(_vetted_english(c))


def test_an_agents_spanish_name_is_checked_like_a_message(tmp_path: Path) -> None:
    from k2desk.library.interactions import InteractionTableError

    table = resource_path("interactions.toml").read_text(encoding="utf-8")
    assert load_interaction_table().agents[0].name_in("es") == "warfarina"
    assert load_interaction_table().agents[0].name_in("xx") == "warfarin"  # none: the generic
    bad = tmp_path / "interactions.toml"
    for words in ("english_words.txt", "common_us_drugs.txt"):
        (tmp_path / words).write_text(resource_path(words).read_text(encoding="utf-8"))
    bad.write_text(table.replace('patient_names.es = "warfarina"', 'patient_names.en = "x"'),
                   encoding="utf-8")
    with pytest.raises(InteractionTableError) as exc:
        load_interaction_table(bad)
    assert "patient_names.en" in str(exc.value) and "English is generic" in str(exc.value)
