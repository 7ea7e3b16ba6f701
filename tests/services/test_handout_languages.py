"""Issue 25: handouts in the patient's language, with a made-up language ('xx', Zorbish) added
from test data only (tests/data/languages) on top of a small test library
(tests/library/data/good): only vetted translations and the template's words print, a new
English version takes a translation out until vetted again, export/import carry translations,
the patient's language is the default, and a VKA patient's handout is refused in a language the
interaction table has no message in."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from doc_helpers import add_warfarin_patient, pdf_text, setup_pharmacy
from k2desk import resources
from k2desk.domain.evidence import english_sha256
from k2desk.services import documents as doc_svc
from k2desk.services import handouts as svc
from k2desk.services import library as library_svc
from k2desk.services import table_signoff
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.patients import PatientInput, add_patient, get_patient

TESTS = Path(__file__).resolve().parents[1]
LANG_DATA = TESTS / "data" / "languages"
GOOD_LIBRARY = TESTS / "library" / "data" / "good"
TOPICS = ["what-is-k2", "liver-cancer", "dosing"]
XX_TEXTS = {"what-k2-forms": "Zorbish: vitamin K2 zorb is a zorb of vitamin K.",
            "liver-hcc-habu-2004": "Zorbish: one small zorb trial in liver scarring.",
            "dose-mk4-45": "Zorbish: trials zorbed 45 mg of MK-4 a day."}
EN_TEXTS = ("Vitamin K2 is a form of vitamin K", "In one small trial", "Trials used 45 mg")
ACK = {"ack_by": "Dana Lee", "ack_reason": "Clinic aware; INR check in 1 week"}


def with_xx_messages(table: str) -> str:
    """The interaction table's text with the made-up language's messages added in place."""
    import tomllib

    xx = tomllib.loads((LANG_DATA / "interactions-xx.toml").read_text(encoding="utf-8"))
    messages = {"[classes.coumarin-vka]": xx["classes"]["coumarin-vka"]["xx"],
                "[[contraindications]]": xx["contraindications"]["xx"]}
    for header, msg in messages.items():
        assert table.count(header + "\n") == 1, header
        table = table.replace(header + "\n", f"{header}\npatient_messages.xx = {json.dumps(msg)}\n")
    return table


def flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


@pytest.fixture
def zorbish(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The made-up language on top of a copy of the small test library; returns the library."""
    library = tmp_path / "library"
    shutil.copytree(GOOD_LIBRARY, library)
    monkeypatch.setattr(library_svc, "EVIDENCE_FOLDER", library)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [LANG_DATA])
    return library


@pytest.fixture
def xx_patient(ctx: AppContext, zorbish: Path) -> int:
    setup_pharmacy(ctx)
    return add_patient(ctx, PatientInput(name="Zora Quill", dob="1950-02-03", nkda=True,
                                         language="xx"))


def test_the_made_up_language_prints_only_vetted_translations_and_its_template(
        ctx: AppContext, xx_patient: int) -> None:
    plan = svc.handout_plan(ctx, xx_patient, topics=TOPICS)
    assert plan.language == "xx" and plan.name == "Zorbish"
    left = {x.snippet_id: x.reason for x in plan.left_out}
    assert set(left) == {"dose-mk4-45"} and "draft" in left["dose-mk4-45"]
    doc_id = svc.create_handout(ctx, xx_patient, topics=TOPICS)
    text = flat(doc_svc.get_pdf(ctx, doc_id))
    assert XX_TEXTS["what-k2-forms"] in text and XX_TEXTS["liver-hcc-habu-2004"] in text
    assert XX_TEXTS["dose-mk4-45"] not in text  # draft translation: left out
    for english in EN_TEXTS:  # no silent fallback to the English text
        assert english not in text
    # The page's fixed words are the template's: every heading, label, legend, the food table,
    # the notice, the footer and the dates.
    for words in ("Zorbish Vitamin K2: questions and answers", "Zorbish Prepared for",
                  "Zorbish How we grade evidence", "Zorbish What is vitamin K2?",
                  "Zorbish A review of several studies in people", "Zorbish Foods that contain vitamin K2",
                  "Zorbish Natto (fermented soybeans)", "Zorbish Please read", "Zorbish References",
                  "Zorbish Counseled by:", "Zorbish Patient:", "Zpage 1 of", "3 Zmonth2 1950"):
        assert words in text, words
    for english in ("How we grade evidence", "Please read", "Prepared for", "Foods that contain",
                    "Page 1 of", "February"):
        assert not re.search(r"(?<!Zorbish )" + re.escape(english), text), english
    stored = svc.get_handout(ctx, doc_svc.get_document(ctx, doc_id).source_id)
    assert stored.language == "xx"
    assert {sid for sid, _v in stored.snippets} == {"what-k2-forms", "liver-hcc-habu-2004"}
    assert stored.record["template"]["handout.references"] == "Zorbish References"


def test_the_patients_language_is_the_default_and_a_handout_may_choose_another(
        ctx: AppContext, xx_patient: int) -> None:
    assert get_patient(ctx, xx_patient).language == "xx"
    assert svc.handout_plan(ctx, xx_patient, topics=TOPICS).language == "xx"
    english = svc.create_handout(ctx, xx_patient, topics=TOPICS, language="en")
    text = flat(doc_svc.get_pdf(ctx, english))
    assert "Trials used 45 mg" in text and "Zorbish" not in text
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, xx_patient, topics=TOPICS, language="qq")
    assert "no handout template for language 'qq'" in str(exc.value)


def test_a_handout_with_no_printable_translation_is_refused_not_printed_in_english(
        ctx: AppContext, xx_patient: int) -> None:
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, xx_patient, topics=["dosing"])
    assert exc.value.issues[0].code == "no_translations"
    assert "dose-mk4-45" in str(exc.value)


def _bump_english(library: Path, sid: str, new_text: str | None) -> None:
    """A new version of one snippet in the library copy (text changed, or the same)."""
    for path in library.glob("*.toml"):
        src = path.read_text(encoding="utf-8")
        m = re.search(r'id = "' + re.escape(sid) + r'"\nversion = (\d+)', src)
        if m is None:
            continue
        src = src.replace(m.group(0), f'id = "{sid}"\nversion = {int(m.group(1)) + 1}')
        if new_text is not None:
            start = src.index("en = ", m.start())
            end = src.index("\n\n", start) if "\n\n" in src[start:] else len(src)
            src = src[:start] + f'en = "{new_text}"' + src[end:]
        path.write_text(src, encoding="utf-8")
        return
    raise AssertionError(sid)


def test_a_new_english_version_takes_the_translation_out_until_vetted_again(
        ctx: AppContext, xx_patient: int, zorbish: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _bump_english(zorbish, "what-k2-forms", "Vitamin K2 is a vitamin. It has two kinds.")
    left = {x.snippet_id: x.reason for x in svc.handout_plan(ctx, xx_patient, topics=TOPICS).left_out}
    assert "older English text" in left["what-k2-forms"]
    text = flat(doc_svc.get_pdf(ctx, svc.create_handout(ctx, xx_patient, topics=TOPICS)))
    assert XX_TEXTS["what-k2-forms"] not in text and XX_TEXTS["liver-hcc-habu-2004"] in text
    with pytest.raises(InputRefused) as exc:  # a stale translation cannot be vetted
        library_svc.vet_translation(ctx, "what-k2-forms", "xx", "Dana Lee")
    assert exc.value.issues[0].code == "stale_translation"
    # Translated again from the new English text (version 2, a draft): still left out...
    new_sha = library_svc.show(ctx, "what-k2-forms").snippet
    extra = tmp_path / "extra"
    shutil.copytree(LANG_DATA, extra)
    tr = extra / "translations" / "xx.toml"
    src = tr.read_text(encoding="utf-8")
    start = src.index('snippet = "what-k2-forms"')
    block = src[start:src.index("[[translation]]", start)]
    new_block = re.sub(r'source_sha256 = "\w+"', f'source_sha256 = "{english_sha256(new_sha)}"', block)
    new_block = new_block.replace("version = 1", "version = 2")
    new_block = new_block.replace('status = "vetted"', 'status = "draft"')
    new_block = re.sub(r'vetted_by = .*\n|vetted_on = .*\n', "", new_block)
    new_block = new_block.replace(XX_TEXTS["what-k2-forms"], "Zorbish: K2 is a zorb with two kinds.")
    tr.write_text(src.replace(block, new_block), encoding="utf-8")
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [extra])
    left = {x.snippet_id: x.reason for x in svc.handout_plan(ctx, xx_patient, topics=TOPICS).left_out}
    assert "draft" in left["what-k2-forms"]
    # ...until this pharmacy vets it, for this English version.
    d = library_svc.vet_translation(ctx, "what-k2-forms", "xx", "Dana Lee")
    assert (d.version, d.snippet_version) == (2, 2)
    text = flat(doc_svc.get_pdf(ctx, svc.create_handout(ctx, xx_patient, topics=TOPICS)))
    assert "Zorbish: K2 is a zorb with two kinds." in text


def test_a_pharmacy_vetting_lapses_with_a_new_english_version_even_with_the_same_text(
        ctx: AppContext, xx_patient: int, zorbish: Path) -> None:
    library_svc.vet_translation(ctx, "dose-mk4-45", "xx", "Dana Lee")
    text = flat(doc_svc.get_pdf(ctx, svc.create_handout(ctx, xx_patient, topics=TOPICS)))
    assert XX_TEXTS["dose-mk4-45"] in text
    _bump_english(zorbish, "dose-mk4-45", None)  # version 2, same English text
    library_svc.vet(ctx, "dose-mk4-45", "Dana Lee")  # the English version itself is vetted again
    left = {x.snippet_id: x.reason for x in svc.handout_plan(ctx, xx_patient, topics=TOPICS).left_out}
    assert "needs vetting again" in left["dose-mk4-45"]
    text = flat(doc_svc.get_pdf(ctx, svc.create_handout(ctx, xx_patient, topics=TOPICS)))
    assert XX_TEXTS["dose-mk4-45"] not in text


@pytest.fixture
def other_pharmacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    with AppContext(tmp_path / "other", "other-rph") as c:
        yield c


def test_export_and_import_carry_translations_with_the_same_conflict_rules(
        ctx: AppContext, xx_patient: int, other_pharmacy: AppContext, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    library_svc.vet_translation(ctx, "dose-mk4-45", "xx", "Dana Lee")
    out = ctx.data_dir / "exports" / "library.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    library_svc.export(ctx, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    exported = {t["snippet"]: t for t in data["translations"] if t["language"] == "xx"}
    assert exported["dose-mk4-45"]["status"] == "vetted"  # the pharmacy's decision travels
    assert exported["dose-mk4-45"]["vetted_by"] == "Dana Lee"
    # The other pharmacy has the Zorbish template but no translations of its own.
    bare = tmp_path / "bare"
    shutil.copytree(LANG_DATA / "templates", bare / "templates")
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [bare])
    setup_pharmacy(other_pharmacy)
    pid = add_patient(other_pharmacy, PatientInput(name="Ivo Zed", dob="1960-01-01", nkda=True,
                                                   language="xx"))
    # (The shipped Spanish ones are there: issue 26.)
    assert not [k for k in library_svc.translations(other_pharmacy) if k[1] == "xx"]
    plan = library_svc.import_file(other_pharmacy, out)
    assert {i.id for i in plan.added} >= {f"{s}/xx" for s in XX_TEXTS}
    # Imported translations arrive as drafts: nothing prints until this pharmacy vets them.
    with pytest.raises(InputRefused):
        svc.create_handout(other_pharmacy, pid, topics=TOPICS)
    library_svc.vet_translation(other_pharmacy, "what-k2-forms", "xx", "Ivo Ray")
    text = flat(doc_svc.get_pdf(other_pharmacy, svc.create_handout(other_pharmacy, pid, topics=TOPICS)))
    assert XX_TEXTS["what-k2-forms"] in text and XX_TEXTS["dose-mk4-45"] not in text
    # The same file again: unchanged. The same version with other words: a conflict, nothing changes.
    again = library_svc.import_file(other_pharmacy, out)
    assert not again.added and "what-k2-forms/xx" in {i.id for i in again.unchanged}
    for t in data["translations"]:
        if t["snippet"] == "what-k2-forms":
            t["text"] = "Zorbish: something else entirely."
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    before = library_svc.translations(other_pharmacy)
    with pytest.raises(InputRefused) as exc:
        library_svc.import_file(other_pharmacy, changed)
    assert "translation what-k2-forms/xx" in str(exc.value) and "Nothing was imported" in str(exc.value)
    assert library_svc.translations(other_pharmacy) == before
    # A higher version replaces it, as a draft that needs vetting again.
    for t in data["translations"]:
        if t["snippet"] == "what-k2-forms":
            t["version"] = 2
    changed.write_text(json.dumps(data), encoding="utf-8")
    newer = library_svc.import_file(other_pharmacy, changed)
    assert [i.id for i in newer.updated] == ["what-k2-forms/xx"]
    view = {v.id: v for v in library_svc.translation_views(other_pharmacy, "xx")}["what-k2-forms"]
    assert not view.printable and "needs vetting again" in view.why


def test_a_vka_patients_handout_is_refused_without_the_languages_message(
        ctx: AppContext, zorbish: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from k2desk.services.patients import update_patient

    setup_pharmacy(ctx)
    pid = add_warfarin_patient(ctx)
    p = get_patient(ctx, pid)
    update_patient(ctx, pid, PatientInput(name=p.name, dob=p.dob.isoformat(), nkda=p.nkda,
                                          allergies=p.allergies, language="xx",
                                          medications=[m.text for m in p.current_medications]))
    count = len(doc_svc.list_documents(ctx)) if hasattr(doc_svc, "list_documents") else None
    with pytest.raises(InputRefused) as exc:
        svc.create_handout(ctx, pid, topics=TOPICS, **ACK)
    assert exc.value.issues[0].code == "interaction_message_missing"
    assert "no Zorbish message for warfarin" in str(exc.value)
    if count is not None:
        assert len(doc_svc.list_documents(ctx)) == count  # nothing was made
    # English still works for the same patient.
    svc.create_handout(ctx, pid, topics=TOPICS, language="en", **ACK)
    # A table version that carries the message: the handout is made, with the message in Zorbish;
    # the new table's content is a new SHA-256, so the pharmacy's sign-off must cover it again.
    shipped_sha = table_signoff.table_sha256()
    extra = tmp_path / "with-table"
    shutil.copytree(LANG_DATA, extra)
    table = resources.resource_path("interactions.toml").read_text(encoding="utf-8")
    (extra / "interactions.toml").write_text(with_xx_messages(table), encoding="utf-8")
    for words in ("english_words.txt", "common_us_drugs.txt"):  # lists the table names
        shutil.copy(resources.resource_path(words), extra / words)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [extra])
    assert table_signoff.table_sha256() != shipped_sha
    assert not table_signoff.table_status(ctx).signed_off
    doc_id = svc.create_handout(ctx, pid, topics=TOPICS, **ACK)
    text = flat(doc_svc.get_pdf(ctx, doc_id))
    assert "Zorbish: your blood thinner and vitamin K2 zorb against each other." in text
    assert "Zorbish You take a blood thinner. Read this box first." in text
    assert "Zorbish MK-4 is not for you without a doctor's OK. Zorbish: the MK-4 zorb" in text
    assert "Your blood thinner works by blocking" not in text  # the English message is not used
    assert "must not be taken with warfarin. " not in text.replace("Zorbish: the MK-4 zorb from "
                                                                    "Japan must not be taken with "
                                                                    "warfarin.", "")


def test_a_handout_stored_before_languages_renders_again_byte_for_byte(ctx: AppContext) -> None:
    """A record stored before issue 25 has no template: it printed the English words, which the
    service supplies, so the reprint from the record is the stored PDF byte for byte."""
    from doc_helpers import add_plain_patient
    from k2desk.documents.handout import render_handout
    from k2desk.domain.record_json import handout_from_json

    setup_pharmacy(ctx)
    pid = add_plain_patient(ctx)
    doc_id = svc.create_handout(ctx, pid, topics=["bone", "safety"])
    doc = doc_svc.get_document(ctx, doc_id)
    row = ctx.store.db.execute("SELECT record FROM handouts WHERE id = ?", [doc.source_id]).fetchone()
    old = json.loads(row[0])
    del old["template"]
    with ctx.store.write() as db:
        db.execute("UPDATE handouts SET record = ? WHERE id = ?", [json.dumps(old), doc.source_id])
    record = handout_from_json(svc.get_handout(ctx, doc.source_id).record)
    assert render_handout(record) == doc_svc.get_pdf(ctx, doc_id)
