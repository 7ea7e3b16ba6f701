"""The loaded evidence library as one value, and the error that lists what is wrong with one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from k2desk.domain.evidence import Citation, DoseLimit, FoodSource, Snippet

IMPORTED = "imported"


class LibraryError(Exception):
    """The library (or an import file) has problems; ``problems`` has one line for each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the evidence library:\n"
                         + "\n".join(self.problems))


@dataclass(frozen=True)
class Library:
    """Snippets (in topic order), citations, food rows and topic names."""

    snippets: dict[str, Snippet]
    citations: dict[str, Citation]
    foods: tuple[FoodSource, ...] = ()
    topics: tuple[str, ...] = ()
    folder: Path | None = None
    imported_ids: frozenset[str] = field(default_factory=frozenset)

    def dose_limits(self) -> list[DoseLimit]:
        """The dose limits that dosing snippets declare, in library order."""
        return [s.dose for s in self.snippets.values() if s.dose is not None]

    def citations_for(self, snippet: Snippet) -> list[Citation]:
        return [self.citations[c] for c in snippet.citations if c in self.citations]

    def by_topic(self, topic: str) -> list[Snippet]:
        return [s for s in self.snippets.values() if topic in s.topics]
