"""Loading ``resources/interactions.toml`` with strict checks.

Every problem is one line naming the file, the entry (agent, class or citation) and the field.
A table with any problem is refused whole: a half-loaded interaction table could go quiet about
a warfarin patient, which is the one thing it must never do.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from k2desk.domain.contraindications import Contraindication
from k2desk.domain.interactions import (
    NEAR_MISS_MAX_DISTANCE,
    NEAR_MISS_MIN_NAME_LENGTH,
    Agent,
    Citation,
    DoseRule,
    InteractionSeverity,
    InteractionTable,
)
from k2desk.domain.languages import ENGLISH, LANGUAGE_CODE
from k2desk.domain.medication_text import edit_distance, name_words
from k2desk.domain.text import check_text
from k2desk.resources import layered_resource_path

TABLE_FILE = "interactions.toml"

TOP_REQUIRED = ("version", "reviewed", "citations", "classes", "agents")
TOP_OPTIONAL = ("reviewed_by", "not_near_misses", "contraindications", "english_words", "common_drugs")
CITATION_REQUIRED = ("text",)
CITATION_OPTIONAL = ("doi", "pmid", "url", "checked", "verified")
CONTRAINDICATION_REQUIRED = ("ingredient", "names", "label", "strength", "citations", "reviewed",
                             "prescriber_message", "patient_message")
CLASS_REQUIRED = ("label", "severity", "patient_message", "pharmacist_message", "citations")
CLASS_OPTIONAL = ("anticoagulant", "patient_messages")
AGENT_REQUIRED = ("generic", "class", "reviewed")
AGENT_OPTIONAL = ("brands", "alternates", "severity", "patient_message", "pharmacist_message",
                  "citations", "dose_rule", "fallback", "checked", "verified", "reason",
                  "unverified", "monitoring", "patient_messages", "patient_names")
UNVERIFIED_KEYS = ("name", "reason")
DOSE_RULE_KEYS = ("thresholds", "at_or_above", "below", "unknown")
DOSE_UNITS = ("iu", "mg", "mcg")

_SEVERITIES = ", ".join(s.value for s in InteractionSeverity)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class InteractionTableError(Exception):
    """The interaction table failed its checks; ``problems`` lists each one."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{path}: the interaction table was refused ({len(self.problems)} "
                         f"problem(s)):\n{shown}{more}")


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


class _Entry:
    """Collects problems for one entry, each prefixed with the file and where it is."""

    def __init__(self, where: str, raw: Mapping[str, Any], problems: list[str]) -> None:
        self.where = where
        self.raw = raw
        self.problems = problems

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.where}: field '{key}': {message}")

    def keys(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in self.raw:
            if key not in allowed:
                self.fail(str(key), "unknown key (accepted: " + ", ".join(sorted(allowed)) + ")")
        for key in required:
            if key not in self.raw:
                self.fail(key, "is missing (it is required)")

    def text(self, key: str, value: object, *, multiline: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(key, f"must be text, not {_kind(value)}")
            return None
        if not value.strip():
            self.fail(key, "must not be empty")
            return None
        for issue in check_text(value, key, label="The text", max_length=5000, multiline=multiline):
            self.fail(key, issue.message)
            return None
        return value.strip()

    def messages(self, value: object, key: str = "patient_messages",
                 english: str = "patient_message") -> tuple[tuple[str, str], ...]:
        """``patient_messages = { es = "..." }``: the patient message in other languages
        (issue 25), part of the table and so of its version and sign-off. Also
        ``patient_names`` (issue 26): the agent's name as a patient reads it in a language."""
        if not isinstance(value, dict):
            self.fail(key, f"must be a table of language = text, not {_kind(value)}")
            return ()
        out = []
        for lang, text in value.items():
            if not LANGUAGE_CODE.match(str(lang)) or lang == ENGLISH:
                self.fail(f"{key}.{lang}", "must be a language code other than 'en' "
                          f"(English is {english})")
                continue
            checked = self.text(f"{key}.{lang}", text, multiline=key == "patient_messages")
            if checked is not None:
                out.append((str(lang), checked))
        return tuple(sorted(out))

    def text_list(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(key, f"must be a list of text, not {_kind(value)}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value, 1):
            t = self.text(f"{key}[{i}]", item)
            if t is not None:
                out.append(t)
        return tuple(out)

    def severity(self, key: str, value: object) -> InteractionSeverity | None:
        if isinstance(value, str) and value in InteractionSeverity.__members__.values():
            return InteractionSeverity(value)
        self.fail(key, f"{value!r} is not a severity (accepted: {_SEVERITIES})")
        return None

    def date(self, key: str, value: object) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.fail(key, f"must be a TOML date like 2026-11-22, not {_kind(value)} {value!r}")
        return None


def _citations(raw: object, where: str, problems: list[str]) -> dict[str, Citation]:
    out: dict[str, Citation] = {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: field 'citations': must be a table of [citations.<id>] entries")
        return out
    for cid, body in raw.items():
        e = _Entry(f"{where}: citation '{cid}'", body if isinstance(body, dict) else {}, problems)
        if not isinstance(body, dict):
            e.fail("citations", "must be a table")
            continue
        if not _ID.match(cid):
            e.fail("id", "use lower-case letters, digits, '-' and '_'")
        e.keys(CITATION_REQUIRED, CITATION_OPTIONAL)
        text = e.text("text", body.get("text", ""))
        verified = body.get("verified", True)
        if not isinstance(verified, bool):
            e.fail("verified", f"must be true or false, not {_kind(verified)}")
        checked = body.get("checked", "")
        if isinstance(checked, str) and "from memory" in checked.casefold():
            e.fail("checked", "says 'from memory': confirm the source and say what was checked, "
                   "or set verified = false and give the reason here")
        if verified is False and not (isinstance(checked, str) and checked.strip()):
            e.fail("checked", "is required when verified = false: say why it is not confirmed")
        values = {k: body.get(k, "") for k in CITATION_OPTIONAL if k != "verified"}
        for k, v in values.items():
            if not isinstance(v, str):
                e.fail(k, f"must be text, not {_kind(v)}")
                values[k] = ""
        if values["doi"] and not _DOI.match(values["doi"]):
            e.fail("doi", f"{values['doi']!r} is not a DOI (10.xxxx/...)")
        if values["pmid"] and not _PMID.match(values["pmid"]):
            e.fail("pmid", f"{values['pmid']!r} is not a PubMed id (digits only)")
        if values["url"] and not values["url"].startswith("https://"):
            e.fail("url", "must start with https://")
        if text is not None:
            out[cid] = Citation(id=cid, text=text, doi=values["doi"], pmid=values["pmid"],
                                url=values["url"], checked=values["checked"],
                                verified=verified is not False)
    return out


def _classes(raw: object, where: str, problems: list[str],
             citations: Mapping[str, Citation]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: field 'classes': must be a table of [classes.<id>] entries")
        return out
    for name, body in raw.items():
        if not isinstance(body, dict):
            problems.append(f"{where}: class '{name}': must be a table")
            continue
        e = _Entry(f"{where}: class '{name}'", body, problems)
        e.keys(CLASS_REQUIRED, CLASS_OPTIONAL)
        anticoagulant = body.get("anticoagulant", False)
        if not isinstance(anticoagulant, bool):
            e.fail("anticoagulant", f"must be true or false, not {_kind(anticoagulant)}")
        out[name] = {
            "anticoagulant": anticoagulant is True,
            "label": e.text("label", body.get("label", "")),
            "severity": e.severity("severity", body.get("severity")),
            "patient_message": e.text("patient_message", body.get("patient_message", ""),
                                      multiline=True),
            "pharmacist_message": e.text("pharmacist_message",
                                         body.get("pharmacist_message", ""), multiline=True),
            "citations": _citation_ids(e, body.get("citations", []), citations),
            "patient_messages": e.messages(body.get("patient_messages", {})),
        }
    return out


def _citation_ids(e: _Entry, value: object, citations: Mapping[str, Citation]) -> tuple[str, ...]:
    ids = e.text_list("citations", value)
    for cid in ids:
        if cid not in citations:
            e.fail("citations", f"cites {cid!r}, which is not in [citations]")
    if isinstance(value, list) and not ids:
        e.fail("citations", "must cite at least one source")
    return ids


def _dose_rule(e: _Entry, raw: object) -> DoseRule | None:
    if not isinstance(raw, dict):
        e.fail("dose_rule", "must be a table")
        return None
    sub = _Entry(f"{e.where}: dose_rule", raw, e.problems)
    sub.keys(DOSE_RULE_KEYS)
    thresholds = raw.get("thresholds")
    pairs: list[tuple[str, float]] = []
    if not isinstance(thresholds, dict) or not thresholds:
        sub.fail("thresholds", "must be a table like { iu = 800, mg = 536 }")
    else:
        for unit, amount in thresholds.items():
            if unit not in DOSE_UNITS:
                sub.fail("thresholds", f"unit {unit!r} is not one of {', '.join(DOSE_UNITS)}")
            elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
                sub.fail("thresholds", f"amount for {unit!r} must be a number above 0")
            else:
                pairs.append((unit, float(amount)))
    sev = [sub.severity(k, raw.get(k)) for k in ("at_or_above", "below", "unknown")]
    if len(pairs) != len(thresholds or {}) or sev[0] is None or sev[1] is None or sev[2] is None:
        return None
    return DoseRule(thresholds=tuple(pairs), at_or_above=sev[0], below=sev[1], unknown=sev[2])


def _agent(body: dict[str, Any], where: str, problems: list[str],
           classes: Mapping[str, dict[str, Any]],
           citations: Mapping[str, Citation]) -> Agent | None:
    label = body.get("generic")
    e = _Entry(f"{where}: agent '{label}'", body, problems)
    before = len(problems)
    e.keys(AGENT_REQUIRED, AGENT_OPTIONAL)
    generic = e.text("generic", body.get("generic", ""))
    cls_name = body.get("class")
    cls = classes.get(cls_name) if isinstance(cls_name, str) else None
    if cls is None and "class" in body:
        e.fail("class", f"{cls_name!r} is not in [classes] (known: {', '.join(sorted(classes))})")
    cls = cls or {}
    reviewed = e.date("reviewed", body.get("reviewed"))
    brands = e.text_list("brands", body.get("brands", []))
    alternates = e.text_list("alternates", body.get("alternates", []))
    severity = (e.severity("severity", body["severity"]) if "severity" in body
                else cls.get("severity"))
    messages: dict[str, str | None] = {}
    for key in ("patient_message", "pharmacist_message"):
        if key in body:
            messages[key] = e.text(key, body[key], multiline=True)
        elif cls.get(key):
            messages[key] = cls[key]
        else:
            messages[key] = None
            if cls:
                e.fail(key, "is missing here and in its class")
    cites = (_citation_ids(e, body["citations"], citations) if "citations" in body
             else cls.get("citations", ()))
    # An agent with its own English message needs its own translations of it; otherwise it
    # inherits the class's translations (its English text is the class's too).
    own = e.messages(body.get("patient_messages", {}))
    translated = own if "patient_message" in body else tuple(
        sorted({**dict(cls.get("patient_messages", ())), **dict(own)}.items()))
    names_in = e.messages(body.get("patient_names", {}), "patient_names", "generic")
    rule = _dose_rule(e, body["dose_rule"]) if "dose_rule" in body else None
    fallback = body.get("fallback", False)
    if not isinstance(fallback, bool):
        e.fail("fallback", f"must be true or false, not {_kind(fallback)}")
    checked = e.text("checked", body["checked"], multiline=True) if "checked" in body else ""
    verified = body.get("verified", True)
    reason = ""
    if not isinstance(verified, bool):
        e.fail("verified", f"must be true or false, not {_kind(verified)}")
    elif not verified:
        reason = e.text("reason", body.get("reason", ""), multiline=True) or ""
    elif "reason" in body:
        e.fail("reason", "is only for an agent with verified = false")
    unverified = _unverified_names(e, body.get("unverified", []))
    monitoring = e.text_list("monitoring", body.get("monitoring", []))
    if monitoring and fallback is not True:
        e.fail("monitoring", "is only for a fallback agent (fallback = true)")
    for m in monitoring:
        if m not in alternates:
            e.fail("monitoring", f"{m!r} must also be one of the agent's alternates")
    if len(problems) > before or generic is None or reviewed is None or severity is None:
        return None
    pm, rm = messages["patient_message"], messages["pharmacist_message"]
    if pm is None or rm is None or not cls.get("label"):
        return None
    return Agent(generic=generic, drug_class=str(cls_name), class_label=cls["label"],
                 severity=severity, patient_message=pm, pharmacist_message=rm,
                 patient_messages=translated, patient_names=names_in,
                 citations=tuple(cites), reviewed=reviewed, brands=brands,
                 alternates=alternates, dose_rule=rule, fallback=fallback is True,
                 anticoagulant=bool(cls.get("anticoagulant")), checked=checked or "",
                 verified=verified is not False, unverified_reason=reason,
                 unverified_names=unverified, monitoring=monitoring)


def _unverified_names(e: _Entry, raw: object) -> tuple[tuple[str, str], ...]:
    """``unverified = [{ name = "...", reason = "..." }]``: names that match but are unconfirmed."""
    if not isinstance(raw, list):
        e.fail("unverified", f"must be a list of {{ name, reason }} tables, not {_kind(raw)}")
        return ()
    out: list[tuple[str, str]] = []
    for i, item in enumerate(raw, 1):
        sub = _Entry(f"{e.where}: unverified[{i}]", item if isinstance(item, dict) else {},
                     e.problems)
        if not isinstance(item, dict):
            sub.fail("unverified", "must be a table like { name = \"Kovar\", reason = \"...\" }")
            continue
        sub.keys(UNVERIFIED_KEYS)
        name = sub.text("name", item.get("name", ""))
        reason = sub.text("reason", item.get("reason", ""), multiline=True)
        if name is not None and reason is not None:
            out.append((name, reason))
    return tuple(out)


def _check_names(agents: list[Agent], where: str, problems: list[str]) -> None:
    owner: dict[tuple[str, ...], tuple[str, str]] = {}
    for agent in agents:
        for name in agent.names:
            key = name_words(name)
            if not key:
                problems.append(f"{where}: agent '{agent.generic}': name {name!r} has no letters "
                                "left after removing salts and punctuation")
                continue
            seen = owner.get(key)
            if seen is not None and seen[0] != agent.generic:
                problems.append(f"{where}: agent '{agent.generic}': name {name!r} is also a name "
                                f"of agent '{seen[0]}' (as {seen[1]!r}); a name may belong to one "
                                "agent only")
            elif seen is None:
                owner[key] = (agent.generic, name)


def parse_interaction_table(data: Mapping[str, Any], where: str) -> InteractionTable:
    """Check already-parsed TOML data; raise InteractionTableError listing every problem."""
    problems: list[str] = []
    top = _Entry(where, data, problems)
    top.keys(TOP_REQUIRED, TOP_OPTIONAL)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        top.fail("version", "must be a whole number, 1 or more")
    reviewed = top.date("reviewed", data.get("reviewed")) if "reviewed" in data else None
    citations = _citations(data.get("citations", {}), where, problems)
    classes = _classes(data.get("classes", {}), where, problems, citations)
    raw_agents = data.get("agents", [])
    agents: list[Agent] = []
    if not isinstance(raw_agents, list) or not raw_agents:
        top.fail("agents", "must be one or more [[agents]] entries")
        raw_agents = []
    for i, body in enumerate(raw_agents, 1):
        if not isinstance(body, dict):
            problems.append(f"{where}: agent #{i}: must be a table")
            continue
        agent = _agent(body, where, problems, classes, citations)
        if agent is not None:
            agents.append(agent)
    generics = [a.generic for a in agents]
    for g in sorted({g for g in generics if generics.count(g) > 1}):
        problems.append(f"{where}: agent '{g}': field 'generic': appears more than once")
    _check_names(agents, where, problems)
    exempt = _not_near_misses(top, data.get("not_near_misses", []), agents)
    contraindications = _contraindications(data.get("contraindications", []), where, problems,
                                           citations)
    english = _word_list(top, "english_words", data.get("english_words"), agents)
    common = _word_list(top, "common_drugs", data.get("common_drugs"), agents)
    if problems or not isinstance(version, int) or reviewed is None:
        raise InteractionTableError(Path(where), problems)
    return InteractionTable(version=version, reviewed=reviewed, agents=tuple(agents),
                            citations=tuple(citations.values()), not_near_misses=exempt,
                            contraindications=tuple(contraindications),
                            english_words=english, common_drugs=common)


def _contraindications(raw: object, where: str, problems: list[str],
                       citations: Mapping[str, Citation]) -> list[Contraindication]:
    """[[contraindications]]: ingredients the product labeling forbids with a VKA."""
    out: list[Contraindication] = []
    if not isinstance(raw, list):
        problems.append(f"{where}: field 'contraindications': must be [[contraindications]] entries")
        return out
    for i, body in enumerate(raw, 1):
        if not isinstance(body, dict):
            problems.append(f"{where}: contraindication #{i}: must be a table")
            continue
        e = _Entry(f"{where}: contraindication '{body.get('ingredient', i)}'", body, problems)
        before = len(problems)
        e.keys(CONTRAINDICATION_REQUIRED, ("patient_messages",))
        ingredient = e.text("ingredient", body.get("ingredient", ""))
        names = e.text_list("names", body.get("names", []))
        label = e.text("label", body.get("label", ""))
        if body.get("strength") != "any":
            # Only "any" is built: a threshold would need a dose rule the label does not give.
            e.fail("strength", f"{body.get('strength')!r} is not accepted (accepted: \"any\")")
        cites = _citation_ids(e, body.get("citations", []), citations)
        e.date("reviewed", body.get("reviewed"))
        rx = e.text("prescriber_message", body.get("prescriber_message", ""), multiline=True)
        pt = e.text("patient_message", body.get("patient_message", ""), multiline=True)
        if len(problems) > before or None in (ingredient, label, rx, pt):
            continue
        assert ingredient and label and rx and pt  # for the type checker: checked just above
        out.append(Contraindication(ingredient=ingredient, names=names, label=label,
                                    citations=cites, prescriber_message=rx, patient_message=pt,
                                    patient_messages=e.messages(body.get("patient_messages", {}))))
    return out


def _word_list(top: _Entry, key: str, raw: object, agents: list[Agent]) -> frozenset[str]:
    """A shipped word list (``english_words`` or ``common_drugs``): the file named in the table,
    beside it, one word or name a line, '#' comments. Names of the table itself are left out, so
    a listed word can only ever stop a near miss, never an exact name."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, str) or not raw.strip() or "/" in raw or "\\" in raw:
        top.fail(key, "must be the name of a text file beside the table, like \"words.txt\"")
        return frozenset()
    path = Path(top.where).parent / raw
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        top.fail(key, f"{path} cannot be read ({exc.strerror})")
        return frozenset()
    except UnicodeDecodeError:
        top.fail(key, f"{path} is not UTF-8 text")
        return frozenset()
    table_names = {w for a in agents for n in a.names if len(k := name_words(n)) == 1
                   for w in k}
    out = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key_words = name_words(line)
            if len(key_words) == 1:
                out.add(key_words[0])
    if not out:
        top.fail(key, f"{path} lists no words")
    out -= table_names
    if key == "common_drugs":
        # A common drug close to a VKA name could take that name's misspellings away.
        major = {k[0] for a in agents if a.severity is InteractionSeverity.MAJOR
                 for k in map(name_words, a.names) if len(k) == 1}
        for word in sorted(out):
            near = [m for m in major if edit_distance(word, m, NEAR_MISS_MAX_DISTANCE)
                    <= NEAR_MISS_MAX_DISTANCE]
            if near:
                top.fail(key, f"{word!r} in {path.name} is within {NEAR_MISS_MAX_DISTANCE} letters "
                         f"of the major name {near[0]!r}; it must not be on this list")
    return frozenset(out)


def unverified_entries(table: InteractionTable) -> list[str]:
    """One line for each agent or name that is not confirmed against a source, for
    ``k2desk library validate``: it still matches, and says why it is unconfirmed."""
    lines: list[str] = []
    for a in table.agents:
        if not a.verified:
            lines.append(f"agent '{a.generic}' ({a.severity.value}): unverified: {a.unverified_reason}")
        for name, reason in a.unverified_names:
            lines.append(f"agent '{a.generic}' ({a.severity.value}): name {name!r} unverified: "
                         f"{reason}")
    for a in table.agents:
        if not a.checked and not a.fallback:
            lines.append(f"agent '{a.generic}' ({a.severity.value}): no 'checked' source recorded "
                         "for its names")
    return lines


def _not_near_misses(top: _Entry, raw: object, agents: list[Agent]) -> frozenset[str]:
    """Exact names of other drugs that are not near misses, refused if near a major agent."""
    out: set[str] = set()
    # The names the matcher compares for near misses: one word of four letters or more.
    major_names = [(a.generic, k[0]) for a in agents if a.severity is InteractionSeverity.MAJOR
                   for k in map(name_words, a.names)
                   if len(k) == 1 and len(k[0]) >= NEAR_MISS_MIN_NAME_LENGTH]
    all_names = {w for a in agents for n in a.names for w in name_words(n)}
    for word in top.text_list("not_near_misses", raw):
        key = name_words(word)
        if len(key) != 1:
            top.fail("not_near_misses", f"{word!r} must be one word")
            continue
        w = key[0]
        if w in all_names:
            top.fail("not_near_misses", f"{word!r} is a name in the table itself")
            continue
        near = [g for g, n in major_names if edit_distance(w, n, NEAR_MISS_MAX_DISTANCE)
                <= NEAR_MISS_MAX_DISTANCE]
        if near:
            top.fail("not_near_misses", f"{word!r} is within {NEAR_MISS_MAX_DISTANCE} letters of "
                     f"a name of major agent '{near[0]}'; it must stay a possible match")
            continue
        out.add(w)
    return frozenset(out)


def _load(path: Path) -> InteractionTable:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise InteractionTableError(path, [f"{path}: cannot be read ({exc.strerror})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InteractionTableError(path, [f"{path}: is not valid TOML: {exc}"]) from exc
    return parse_interaction_table(data, str(path))


@functools.cache
def _default_table(path: Path) -> InteractionTable:
    return _load(path)


def table_path() -> Path:
    """The interaction table in use: the shipped one, or one an extra resource folder holds (a
    test's made-up language, issue 25). Its SHA-256 is what the pharmacy signs off."""
    return layered_resource_path(TABLE_FILE)


def load_interaction_table(path: Path | str | None = None) -> InteractionTable:
    """The table in use (loaded once and cached), or the table in ``path`` (loaded fresh)."""
    if path is None:
        return _default_table(table_path())
    return _load(Path(path))
