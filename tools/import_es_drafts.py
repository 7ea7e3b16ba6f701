"""Turn the Spanish drafts (issue 26) into the shipped language files.

    .venv/bin/python tools/import_es_drafts.py DRAFTS_DIR [--vetted-by TEXT --vetted-on DATE]
                                               [--hold SNIPPET_ID=REASON]...

DRAFTS_DIR holds ``snippets_es.toml``, ``template_es.toml`` (keyed by the English string) and
``interactions_es.toml`` as the translator wrote them. The script writes

- ``resources/templates/handout.es.toml``: every key of ``handout.en.toml``;
- ``resources/translations/es.toml``: one ``[[translation]]`` per drafted snippet, with the
  SHA-256 of the English text the draft was made from (a draft made from an older English text is
  therefore stale and does not print), and the ``[[food]]`` rows;
- ``patient_messages.es`` beside every English ``patient_message`` in
  ``resources/interactions.toml`` (only where the draft was made from the current English text).

Without ``--vetted-by`` every translation is written ``status = "draft"``. With it, every
translation is vetted except those named by ``--hold`` (kept draft with the reason).

The lead's decisions are applied to every Spanish text here, so a re-run from corrected drafts
keeps them: "warfarina" in running text (the drug's Spanish name, as MedlinePlus en español
writes it; the interaction table's agent names stay as they are), "UI" for the unit IU. Numbers
keep the decimal point and thousands comma (as the English).

Not part of the program: kept so the shipped files can be made again from a corrected draft.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "resources"


def spanish(text: str) -> str:
    """The lead's wording decisions, applied to a Spanish text."""
    text = re.sub(r"\bwarfarin\b(?!a)", "warfarina", text)
    text = re.sub(r"\bIU\b", "UI", text)
    return re.sub(r"\s+", " ", text)  # folded like the loader, but " y " keeps its spaces


def toml_str(text: str) -> str:
    # JSON's escapes (\" \\ \n \uXXXX) are TOML basic-string escapes too.
    return json.dumps(text, ensure_ascii=False)


def folded_sha(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


# The language's own fields, the date pattern, and fields the drafts may lack (the template of
# issue 25 split or renamed a few texts; the Spanish follows the drafts' wording).
EXTRA = {
    "language.code": "es",
    "language.name": "Spanish",
    "language.native_name": "español",
    "footer.date_of_birth": "Fecha de nacimiento:",
    "footer.page": "Página {page} de {pages}",
    "interaction_box.title": "{severity}: vitamina K2 y {agent}",
    "interaction_box.medicine_before": "Su lista de medicamentos incluye “",
    "interaction_box.medicine_is": "”, que es {agent}.",
    "interaction_box.medicine_may_be": "”, que puede ser {agent}.",
    "dates.format": "{day} de {month} de {year}",
}


def build_template(drafts: Path) -> tuple[str, list[str]]:
    en = tomllib.loads((RES / "templates" / "handout.en.toml").read_text(encoding="utf-8"))
    strings = tomllib.loads((drafts / "template_es.toml").read_text(encoding="utf-8"))["string"]
    es_of = {s["en"]: spanish(s["es"]) for s in strings}
    problems: list[str] = []

    def tr(key: str, value: str) -> str:
        if key.startswith("language.") or key == "dates.format":
            return EXTRA[key]
        if value in es_of:  # the drafts' wording wins
            return es_of[value]
        if key in EXTRA:
            return EXTRA[key]
        problems.append(f"template: no Spanish for {key} = {value!r}")
        return value

    lines = ["# Every fixed text of the patient handout, in Spanish (issue 26). Made from",
             "# handout.en.toml by tools/import_es_drafts.py from the translator's drafts; plain",
             "# neutral Latin American Spanish, Fernández-Huerta 70 or above for every sentence",
             "# (tests/services/test_spanish_handout.py). Drug and product names, INR, MK-4, MK-7",
             "# and mcg as in the English. The VKA box carries the same advice as the English box",
             "# (sources in src/k2desk/documents/vka_box.py); a second reader checked every text",
             "# against the English. MedlinePlus en español (warfarina, a682277-es) confirms",
             "# \"warfarina\", \"anticoagulantes\" and bleeding from the nose or gums; \"heces negras\",",
             "# \"sangre en la orina\", \"moretones\" and the clot signs were not found on a MedlinePlus",
             "# page and are the English box's signs, rendered directly.", ""]
    for section, body in en.items():
        lines.append(f"[{section}]")
        for key, value in body.items():
            dotted = f"{section}.{key}"
            if isinstance(value, str):
                lines.append(f"{key} = {toml_str(tr(dotted, value))}")
            elif dotted == "vka.paragraphs":
                lines.append("paragraphs = [")
                for lead, text in value:
                    es_lead = tr(dotted + ".lead", lead)
                    joined = es_of.get(f"{lead} {text}")
                    if joined is None or not joined.startswith(es_lead + " "):
                        problems.append(f"template: no Spanish for the box paragraph {lead!r}")
                        es_text = text
                    else:
                        es_text = joined[len(es_lead) + 1:]
                    lines.append(f"  [{toml_str(es_lead)}, {toml_str(es_text)}],")
                lines.append("]")
            elif dotted == "dates.months":
                months = [tr(dotted, m) for m in value]
                lines.append("months = [" + ", ".join(toml_str(m) for m in months) + "]")
            else:
                items = [tr(dotted, v) for v in value]
                lines.append(f"{key} = [")
                lines += [f"  {toml_str(i)}," for i in items]
                lines.append("]")
        lines.append("")
    return "\n".join(lines), problems


def build_translations(drafts: Path, vetted_by: str, vetted_on: str,
                       holds: dict[str, str]) -> tuple[str, list[str]]:
    sys.path.insert(0, str(ROOT / "src"))
    from k2desk.library.evidence import load_library

    library = load_library(RES / "evidence")
    current = dict(library.snippets)
    data = tomllib.loads((drafts / "snippets_es.toml").read_text(encoding="utf-8"))
    strings = tomllib.loads((drafts / "template_es.toml").read_text(encoding="utf-8"))["string"]
    es_of = {s["en"]: spanish(s["es"]) for s in strings}
    problems: list[str] = []
    out = ["# Spanish patient text of the evidence snippets, and the food table's names (issue 26).",
           "# Made by tools/import_es_drafts.py from the translator's drafts. source_sha256 is the",
           "# SHA-256 of the English text each translation was made from: a new English text makes",
           "# it stale (it stops printing) until it is translated again. Where the Spanish wording",
           "# was compared with MedlinePlus en español, the page is named above the entry.",
           "# Vetted entries: translated by one reader and checked against the current English",
           "# (and corrected) by a second reader who did not write them (issue 26, 2026-11-30).", ""]
    for t in data["translation"]:
        sid = t["id"]
        if sid not in current:
            problems.append(f"snippet {sid}: not in the library (left out)")
            continue
        sha = folded_sha(t["english"])
        if sha != hashlib.sha256(current[sid].text["en"].encode("utf-8")).hexdigest():
            problems.append(f"snippet {sid}: drafted from an older English text (ships stale)")
        status, reason = "draft", ""
        if vetted_by and sid not in holds:
            status = "vetted"
        elif sid in holds:
            reason = holds[sid]
        elif not vetted_by:
            reason = "Not yet checked against the English by a second reader."
        mp = t.get("medlineplus", "")
        if mp and mp != "none found":
            out.append(f"# Compared with: {mp}")
        out += ["[[translation]]", f"snippet = {toml_str(sid)}", "version = 1",
                f'source_sha256 = "{sha}"', f'status = "{status}"']
        if status == "vetted":
            out += [f"vetted_by = {toml_str(vetted_by)}", f"vetted_on = {vetted_on}"]
        if reason:
            out.append(f"reason = {toml_str(reason)}")
        out += [f"text = {toml_str(spanish(t['text']))}", ""]
    drafted = {t["id"] for t in data["translation"]}
    for s in library.snippets.values():
        if s.status.value == "vetted" and s.id not in drafted:
            problems.append(f"snippet {s.id}: vetted in English, no Spanish draft")
    for f in library.foods:
        name, serving = es_of.get(f.food), es_of.get(f.serving)
        if name is None or serving is None:
            problems.append(f"food {f.food!r}: no Spanish name or serving")
            continue
        out += ["[[food]]", f"food = {toml_str(f.food)}", f"name = {toml_str(name)}",
                f"serving = {toml_str(serving)}", ""]
    return "\n".join(out), problems


_MSG = re.compile(r'^patient_messages\.es = """\\\n.*?"""\n', re.S | re.M)
_NAME = re.compile(r'^patient_names\.es = ".*"\n', re.M)


def _wrap(text: str) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > 94:
            lines.append(line + " \\")
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return lines


def build_interactions(drafts: Path, version: int, reviewed: str) -> tuple[str, list[str]]:
    path = RES / "interactions.toml"
    text = _NAME.sub("", _MSG.sub("", path.read_text(encoding="utf-8")))
    table = tomllib.loads(text)
    drafts_data = tomllib.loads((drafts / "interactions_es.toml").read_text(encoding="utf-8"))
    problems: list[str] = []
    want: dict[tuple[str, str], tuple[str, str]] = {}
    for m in drafts_data.get("class_message", []):
        want[("class", m["class"])] = (m["english"], spanish(m["es"]))
    for m in drafts_data.get("agent_message", []):
        want[("agent", m["generic"])] = (m["english"], spanish(m["es"]))
    names = {m["generic"]: spanish(m["es"]) for m in drafts_data.get("agent_name", [])}
    for m in drafts_data.get("contraindication_message", []):
        want[("contraindication", m["ingredient"])] = (m["english"], spanish(m["es"]))

    def english_of(kind: str, name: str) -> str:
        if kind == "class":
            return table["classes"][name]["patient_message"]
        items = table["agents"] if kind == "agent" else table["contraindications"]
        key = "generic" if kind == "agent" else "ingredient"
        return next(i["patient_message"] for i in items if i[key] == name)

    out: list[str] = []
    where: tuple[str, str] | None = None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\[classes\.([a-z0-9-]+)\]$", line)
        if m:
            where = ("class", m.group(1))
        elif line == "[[agents]]":
            where = ("agent", "")
        elif line == "[[contraindications]]":
            where = ("contraindication", "")
        elif where and where[1] == "" and re.match(r'^(generic|ingredient) = "', line):
            where = (where[0], line.split('"')[1])
            if where[0] == "agent" and where[1] in names:
                # The name a Spanish reader reads in the box ("vitamina K2 y warfarina").
                out += [line, f"patient_names.es = {toml_str(names.pop(where[1]))}"]
                i += 1
                continue
        if line.startswith("version = ") and i < 30:
            line = f"version = {version}"
        if line.startswith("reviewed = ") and i < 30:
            line = f"reviewed = {reviewed}"
        out.append(line)
        if line.startswith('patient_message = """') and where:
            while not lines[i].endswith('"""') or lines[i] == 'patient_message = """\\':
                i += 1
                out.append(lines[i])
            if where not in want:
                problems.append(f"interactions: no Spanish for {where[0]} {where[1]}")
            elif " ".join(want[where][0].split()) != " ".join(english_of(*where).split()):
                problems.append(f"interactions: {where[0]} {where[1]}: drafted from an older "
                                "English message (left out)")
            else:
                out.append('patient_messages.es = """\\')
                out += _wrap(want[where][1])
                out[-1] += '"""'
        i += 1
    problems += [f"interactions: no agent {g!r} for its Spanish name" for g in names]
    return "\n".join(out), problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("drafts", type=Path)
    p.add_argument("--vetted-by", default="")
    p.add_argument("--vetted-on", default=dt.date.today().isoformat())
    p.add_argument("--hold", action="append", default=[], metavar="ID=REASON")
    p.add_argument("--table-version", type=int, default=3)
    a = p.parse_args(argv)
    holds = dict(h.split("=", 1) for h in a.hold)
    template, problems = build_template(a.drafts)
    translations, more = build_translations(a.drafts, a.vetted_by, a.vetted_on, holds)
    problems += more
    table, more = build_interactions(a.drafts, a.table_version, a.vetted_on)
    problems += more
    (RES / "templates" / "handout.es.toml").write_text(template, encoding="utf-8")
    (RES / "translations" / "es.toml").write_text(translations, encoding="utf-8")
    (RES / "interactions.toml").write_text(table, encoding="utf-8")
    for line in problems:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
