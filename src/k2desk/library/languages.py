"""Languages as data files (issue 25): handout templates and snippet translations.

- ``templates/handout.<code>.toml``: every fixed text of the handout in one language. The
  English file is the reference: another language's file must have exactly its keys, each list
  as long, and each text the same {placeholders}.
- ``translations/<code>.toml``: ``[[translation]]`` entries (snippet id, version, text, the
  SHA-256 of the English text it was made from, status, who vetted it) and ``[[food]]`` rows.

Both are looked up under resources/ and any extra resource folder (``resources.resource_folders``),
so a language is added by adding files. Problems name the file, the entry and the field.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k2desk.domain.documents import FoodRow
from k2desk.domain.evidence import ID_PATTERN, SnippetStatus, Translation
from k2desk.domain.languages import ENGLISH, LANGUAGE_CODE, HandoutTemplate
from k2desk.domain.text import check_text
from k2desk.resources import resource_folders

_TEMPLATE = re.compile(r"^handout\.([a-z]{2,3})\.toml$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
TRANSLATION_KEYS = ("snippet", "version", "text", "source_sha256", "status", "vetted_by",
                    "vetted_on", "reason")
FOOD_KEYS = ("food", "name", "serving")


class LanguageDataError(Exception):
    """A template or translations file has problems; ``problems`` has one line for each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _flatten(prefix: str, value: Any, out: dict[str, str], problems: list[str], where: str) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, problems, where)
    elif isinstance(value, list):
        for i, v in enumerate(value, 1):
            _flatten(f"{prefix}.{i}", v, out, problems, where)
    elif isinstance(value, str):
        if not value.strip() and not value == " ":
            problems.append(f"{where}: field '{prefix}': must not be empty")
        out[prefix] = value
    else:
        problems.append(f"{where}: field '{prefix}': must be text, not {type(value).__name__}")


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise LanguageDataError([f"{path.name}: cannot be read ({exc.strerror})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise LanguageDataError([f"{path.name}: is not valid TOML: {exc}"]) from exc


def template_files() -> dict[str, Path]:
    """Language code -> its handout template file (an extra folder's file wins)."""
    found: dict[str, Path] = {}
    for folder in resource_folders("templates"):
        for path in sorted(folder.iterdir()):
            m = _TEMPLATE.match(path.name)
            if m and m.group(1) not in found:
                found[m.group(1)] = path
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _field_problem(text: str) -> str | None:
    """What is wrong with a template text's braces, or None. Only plain ``{name}`` placeholders
    are allowed: a lone brace, ``{}``, ``{name:spec}``, ``{name!r}`` or ``{name.attr}`` would crash
    the page or print something the translator did not mean."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return "has a { or } that is not part of a {placeholder} (write {{ or }} for a brace)"
    for _lit, name, spec, conv in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            shown = "{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}"
            return f"{shown} is not a placeholder: write it as {{name}}, nothing else inside"
    return None


_MICRO = ("µg", "μg")  # U+00B5 and U+03BC: read as "mg" on a smudged copy; the handout says mcg


def _parse_template(path: Path, code: str) -> tuple[dict[str, str], list[str]]:
    problems: list[str] = []
    texts: dict[str, str] = {}
    _flatten("", _read_toml(path), texts, problems, path.name)
    for key, value in texts.items():
        problems += [f"{path.name}: field '{key}': {i.message}" for i in
                     check_text(value, key, label="The text", max_length=2000, multiline=True)]
        brace = _field_problem(value)
        if brace:
            problems.append(f"{path.name}: field '{key}': {brace}")
        if any(m in value for m in _MICRO):
            problems.append(f"{path.name}: field '{key}': write micrograms as mcg, never µg")
    months = [texts.get(f"dates.months.{i}", "").strip().casefold() for i in range(1, 13)]
    if len(set(months)) != len(months):
        problems.append(f"{path.name}: field 'dates.months': the 12 month names must all differ")
    if texts.get("language.code") != code:
        problems.append(f"{path.name}: field 'language.code': must be \"{code}\" (the file's name)")
    return texts, problems


def load_template(code: str) -> HandoutTemplate:
    """The handout template for ``code``, checked against the English one."""
    files = template_files()
    if ENGLISH not in files:
        raise LanguageDataError(["templates/handout.en.toml: is missing (reinstall k2desk)"])
    if code not in files:
        raise LanguageDataError([f"There is no handout template for language '{code}' "
                                 f"(templates/handout.{code}.toml)."])
    english, problems = _parse_template(files[ENGLISH], ENGLISH)
    texts, more = _parse_template(files[code], code) if code != ENGLISH else (english, [])
    problems += more
    name = files[code].name
    for key in sorted(set(english) - set(texts)):
        problems.append(f"{name}: field '{key}': is missing (the English template has it)")
    for key in sorted(set(texts) - set(english)):
        problems.append(f"{name}: field '{key}': is not a template field (the English template "
                        "has no such field)")
    for key in sorted(set(english) & set(texts)):
        if _field_problem(texts[key]) is None and _placeholders(english[key]) != _placeholders(texts[key]):
            want = ", ".join("{" + p + "}" for p in sorted(_placeholders(english[key]))) or "none"
            problems.append(f"{name}: field '{key}': must use the placeholders {want}")
    if problems:
        raise LanguageDataError(problems)
    return HandoutTemplate(code=code, texts=texts)


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    code: str
    name: str
    native_name: str

    @property
    def label(self) -> str:
        """'Spanish (español)', or just 'English'."""
        return self.name if self.native_name in ("", self.name) else f"{self.name} ({self.native_name})"


def available_languages() -> list[LanguageInfo]:
    """Every language with a handout template, English first, then by name. A template with
    problems is still listed (making a handout in it says what is wrong)."""
    out = []
    for code, path in template_files().items():
        try:
            raw = _read_toml(path).get("language", {})
        except LanguageDataError:
            raw = {}
        raw = raw if isinstance(raw, Mapping) else {}
        out.append(LanguageInfo(code, str(raw.get("name", code)), str(raw.get("native_name", ""))))
    return sorted(out, key=lambda i: (i.code != ENGLISH, i.name.casefold()))


@dataclass(frozen=True)
class TranslationSet:
    """The shipped translations of every language: by (snippet id, language), and food rows
    by language, keyed by the English food name."""

    translations: dict[tuple[str, str], Translation]
    foods: dict[str, dict[str, FoodRow]]


def _translation(raw: Any, lang: str, where: str, problems: list[str]) -> Translation | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table of fields")
        return None
    before = len(problems)
    for k in raw:
        if k not in TRANSLATION_KEYS:
            problems.append(f"{where}: field '{k}': unknown (accepted: {', '.join(TRANSLATION_KEYS)})")
    sid, version, text = raw.get("snippet"), raw.get("version"), raw.get("text")
    sha, status_raw = raw.get("source_sha256"), raw.get("status", "draft")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid):
        problems.append(f"{where}: field 'snippet': must be a snippet id")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"{where}: field 'version': must be a whole number, 1 or more")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: field 'text': must be non-empty text")
    else:
        problems += [f"{where}: field 'text': {i.message}" for i in
                     check_text(text, "text", label="The text", max_length=20_000, multiline=True)]
        if any(m in text for m in _MICRO):
            problems.append(f"{where}: field 'text': write micrograms as mcg, never µg")
    if not isinstance(sha, str) or not _SHA.match(sha):
        problems.append(f"{where}: field 'source_sha256': must be the SHA-256 (64 hex digits) of "
                        "the English text it was made from ('k2desk library show ID' prints it)")
    try:
        status = SnippetStatus(status_raw)
    except ValueError:
        problems.append(f"{where}: field 'status': {status_raw!r} is not one of "
                        + ", ".join(s.value for s in SnippetStatus))
        status = SnippetStatus.DRAFT
    vetted_by, reason = raw.get("vetted_by", ""), raw.get("reason", "")
    vetted_on = raw.get("vetted_on")
    if isinstance(vetted_on, str):
        try:
            vetted_on = dt.date.fromisoformat(vetted_on)
        except ValueError:
            problems.append(f"{where}: field 'vetted_on': not a date (YYYY-MM-DD)")
    if vetted_on is not None and not isinstance(vetted_on, dt.date):
        problems.append(f"{where}: field 'vetted_on': must be a date")
        vetted_on = None
    if not isinstance(vetted_by, str) or not isinstance(reason, str):
        problems.append(f"{where}: fields 'vetted_by' and 'reason' must be text")
    elif status is SnippetStatus.VETTED and (not vetted_by.strip() or vetted_on is None):
        problems.append(f"{where}: a vetted translation must say who vetted it and when "
                        "(vetted_by, vetted_on)")
    elif status in (SnippetStatus.REJECTED, SnippetStatus.RETIRED) and not reason.strip():
        problems.append(f"{where}: field 'reason': a {status.value} translation must say why")
    if len(problems) > before:
        return None
    assert isinstance(sid, str) and isinstance(version, int) and isinstance(text, str)
    return Translation(snippet_id=sid, language=lang, version=version, text=" ".join(text.split()),
                       source_sha256=str(sha), status=status, vetted_by=str(vetted_by).strip(),
                       vetted_on=vetted_on if isinstance(vetted_on, dt.date) else None,
                       reason=str(reason).strip(), source_file=where.split(":")[0])


def parse_translation(raw: Any, lang: str, where: str, problems: list[str]) -> Translation | None:
    """Check one translation entry (shipped TOML or an imported JSON object)."""
    return _translation(raw, lang, where, problems)


def load_translations() -> TranslationSet:
    """Every ``translations/<code>.toml`` (an extra folder's file for a language wins)."""
    problems: list[str] = []
    translations: dict[tuple[str, str], Translation] = {}
    foods: dict[str, dict[str, FoodRow]] = {}
    seen_langs: set[str] = set()
    for folder in resource_folders("translations"):
        for path in sorted(folder.glob("*.toml")):
            lang = path.stem
            if lang in seen_langs:
                continue
            seen_langs.add(lang)
            if not LANGUAGE_CODE.match(lang) or lang == ENGLISH:
                problems.append(f"{path.name}: the file name must be a language code other than "
                                "'en', such as es.toml")
                continue
            data = _read_toml(path)
            for k in data:
                if k not in ("translation", "food"):
                    problems.append(f"{path.name}: unknown key '{k}' (accepted: translation, food)")
            for i, raw in enumerate(data.get("translation", []), 1):
                t = _translation(raw, lang, f"{path.name}: translation #{i}", problems)
                if t is None:
                    continue
                if t.key in translations:
                    problems.append(f"{path.name}: translation #{i}: snippet '{t.snippet_id}' is "
                                    "translated more than once")
                translations[t.key] = t
            rows: dict[str, FoodRow] = {}
            for i, raw in enumerate(data.get("food", []), 1):
                where = f"{path.name}: food #{i}"
                if not isinstance(raw, Mapping) or set(raw) != set(FOOD_KEYS) or not all(
                        isinstance(raw[k], str) and raw[k].strip() for k in FOOD_KEYS):
                    problems.append(f"{where}: must have exactly the fields {', '.join(FOOD_KEYS)}, "
                                    "each non-empty text")
                    continue
                bad = [f"{where}: field '{k}': {i.message}" for k in FOOD_KEYS
                       for i in check_text(raw[k], k, label="The text", max_length=500)]
                if bad:
                    problems += bad
                    continue
                if raw["food"] in rows:
                    problems.append(f"{where}: food '{raw['food']}' is translated more than once")
                    continue
                rows[raw["food"]] = FoodRow(food=raw["name"], serving=raw["serving"], form="",
                                            amount="")
            foods[lang] = rows
    if problems:
        raise LanguageDataError(problems)
    return TranslationSet(translations, foods)
