"""Loading the evidence library: the shipped TOML folder, plus snippets a pharmacy imported.

``load_library()`` reads ``resources/evidence`` (cached); ``load_library(folder)`` reads any
folder (``k2desk library validate DIR``). Every problem in every file is collected and reported
together in one ``LibraryError``; a library with any problem is not used at all.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from k2desk.domain.evidence import Citation, FoodSource, Snippet
from k2desk.library.evidence_exchange import ImportPlan, export_library_json, plan_import
from k2desk.library.evidence_library import IMPORTED, Library, LibraryError
from k2desk.library.evidence_schema import (
    KNOWN_TOPICS,
    check_references,
    parse_citation,
    parse_food,
    parse_snippet,
)
from k2desk.resources import resource_path

CITATIONS_FILE = "citations.toml"
FOODS_FILE = "foods.toml"


def _topic_order(stem: str) -> tuple[int, str]:
    return (KNOWN_TOPICS.index(stem) if stem in KNOWN_TOPICS else len(KNOWN_TOPICS), stem)


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}: TOML syntax error: {exc}")
    except UnicodeDecodeError as exc:
        problems.append(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        problems.append(f"{path.name}: cannot be read ({exc.strerror})")
    return None


def _read_folder(folder: Path) -> tuple[Library, list[str]]:
    problems: list[str] = []
    if not folder.is_dir():
        return Library({}, {}), [f"{folder}: not a folder"]
    topic_files = sorted((p for p in folder.glob("*.toml") if p.name not in (CITATIONS_FILE, FOODS_FILE)),
                         key=lambda p: _topic_order(p.stem))
    if not topic_files:
        problems.append(f"{folder}: no topic files (*.toml) found")
    topics = tuple(p.stem for p in topic_files)
    known_topics = set(KNOWN_TOPICS) | set(topics)

    citations: dict[str, Citation] = {}
    broken: set[str] = set()
    cit_path = folder / CITATIONS_FILE
    if not cit_path.is_file():
        problems.append(f"{CITATIONS_FILE}: missing from {folder}")
    else:
        data = _read_toml(cit_path, problems)
        for cid, raw in (data or {}).items():
            cit = parse_citation(cid, raw, file=CITATIONS_FILE, problems=problems)
            if cit is not None:
                citations[cit.id] = cit
            else:
                broken.add(str(cid))

    foods: list[FoodSource] = []
    food_path = folder / FOODS_FILE
    if food_path.is_file():
        data = _read_toml(food_path, problems)
        if data is not None:
            for key in data:
                if key != "food":
                    problems.append(f"{FOODS_FILE}: unknown key '{key}' (only [[food]] rows are accepted)")
            rows = data.get("food", [])
            if not isinstance(rows, list):
                problems.append(f"{FOODS_FILE}: 'food' must be an array of tables ([[food]])")
                rows = []
            for i, raw in enumerate(rows, 1):
                food = parse_food(raw, file=FOODS_FILE, index=i, problems=problems)
                if food is not None:
                    foods.append(food)

    snippets: dict[str, Snippet] = {}
    seen_in: dict[str, str] = {}
    for path in topic_files:
        data = _read_toml(path, problems)
        if data is None:
            continue
        for key in data:
            if key != "snippet":
                problems.append(f"{path.name}: unknown key '{key}' (only [[snippet]] tables are accepted)")
        rows = data.get("snippet", [])
        if not isinstance(rows, list):
            problems.append(f"{path.name}: 'snippet' must be an array of tables ([[snippet]])")
            continue
        for i, raw in enumerate(rows, 1):
            sid = raw.get("id") if isinstance(raw, Mapping) else None
            if isinstance(sid, str) and sid in seen_in:
                problems.append(f"{path.name}: snippet '{sid}': field 'id': duplicate id, also used in "
                                f"{seen_in[sid]}")
                continue
            if isinstance(sid, str):
                seen_in[sid] = path.name
            snippet = parse_snippet(raw, file=path.name, index=i, dates="toml", file_topic=path.stem,
                                    known_topics=known_topics, problems=problems)
            if snippet is not None:
                snippets[snippet.id] = snippet
    check_references(snippets.values(), citations, problems, foods=foods, broken=broken)
    return Library(snippets, citations, tuple(foods), topics, folder), problems


def validate_folder(folder: Path) -> list[str]:
    """Every problem in the library folder; an empty list means it loads."""
    return _read_folder(folder)[1]


@cache
def _default_library() -> Library:
    return load_library(resource_path("evidence"))


def load_library(folder: Path | None = None) -> Library:
    """Load and check a library folder (default: the shipped one, loaded once per process).

    Raises ``LibraryError`` listing every problem found.
    """
    if folder is None:
        return _default_library()
    library, problems = _read_folder(Path(folder))
    if problems:
        raise LibraryError(problems)
    return library


def with_imported(shipped: Library, snippets: Iterable[Mapping[str, Any]],
                  citations: Mapping[str, Mapping[str, Any]]) -> Library:
    """The effective library: shipped plus imported snippets (an imported one replaces a shipped
    one only when its version is higher). Definitions come as stored JSON objects.

    Raises ``LibraryError`` if a stored definition no longer passes the checks.
    """
    problems: list[str] = []
    all_citations = dict(shipped.citations)
    for cid, raw in citations.items():
        if cid in all_citations:
            continue  # the shipped citation stands; an import with different details was refused
        cit = parse_citation(cid, raw, file=IMPORTED, problems=problems)
        if cit is not None:
            all_citations[cid] = cit
    merged = dict(shipped.snippets)
    imported_ids: set[str] = set()
    for i, raw in enumerate(snippets, 1):
        s = parse_snippet(raw, file=IMPORTED, index=i, dates="json", file_topic=None,
                          known_topics=None, problems=problems)
        if s is None:
            continue
        current = merged.get(s.id)
        if current is None or s.version > current.version:
            merged[s.id] = s
            imported_ids.add(s.id)
    check_references((merged[i] for i in imported_ids), all_citations, problems)
    if problems:
        raise LibraryError(problems)
    topics = shipped.topics + tuple(sorted({t for i in imported_ids for t in merged[i].topics}
                                           - set(shipped.topics)))
    return replace(shipped, snippets=merged, citations=all_citations, topics=topics,
                   imported_ids=frozenset(imported_ids))


__all__ = ["CITATIONS_FILE", "FOODS_FILE", "IMPORTED", "ImportPlan", "Library", "LibraryError",
           "export_library_json", "load_library", "plan_import", "validate_folder", "with_imported"]
