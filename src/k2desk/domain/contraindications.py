"""Labelled contraindications: an ingredient whose product labeling forbids it with a VKA.

Unlike an interaction finding (a drug on the patient's list that meets vitamin K), a
contraindication is about what is being *ordered or handed out*: menatetrenone (MK-4) is the
active ingredient of Glakay 15 mg capsules (Eisai), whose label lists patients on warfarin as a
contraindication, at any dose. The table says which ingredients carry one; this module decides
whether an order line or a handout touches one, and reads a pharmacist's override reason.

Pure: no I/O. The table is loaded by ``k2desk.library.interactions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from k2desk.domain.documents import OrderLine
from k2desk.domain.dosing import name_matches
from k2desk.domain.interactions import Finding


@dataclass(frozen=True, slots=True)
class Contraindication:
    """One ingredient the product labeling contraindicates with a vitamin K antagonist."""

    ingredient: str  # the generic, "menatetrenone"
    names: tuple[str, ...]  # every way an order line or snippet may name it ("MK-4", "Glakay")
    label: str  # the labelled product, "Glakay 15 mg capsules (Eisai, Japan)"
    citations: tuple[str, ...]
    prescriber_message: str
    patient_message: str

    def named_in(self, text: str) -> bool:
        """True when ``text`` names this ingredient as whole words ("MK-4 (menatetrenone)")."""
        return name_matches(text, (self.ingredient, *self.names))


def applies_to_patient(findings: Iterable[Finding]) -> bool:
    """A labelled VKA contraindication applies for any major finding: an exact VKA, a possible
    one (a misspelling still to confirm) or an unnamed blood thinner. Every major class in the
    table is a vitamin K antagonist or may be one, so no major finding is left out."""
    return any(f.is_major for f in findings)


def contraindicated_lines(lines: Sequence[OrderLine],
                          contraindications: Iterable[Contraindication]
                          ) -> list[tuple[int, OrderLine, Contraindication]]:
    """(line number from 1, line, contraindication) for every order line naming one."""
    table = tuple(contraindications)
    out: list[tuple[int, OrderLine, Contraindication]] = []
    for n, line in enumerate(lines, 1):
        hit = next((c for c in table if c.named_in(line.ingredient)), None)
        if hit is not None:
            out.append((n, line, hit))
    return out


def named_in_any(texts: Iterable[str],
                 contraindications: Iterable[Contraindication]) -> list[Contraindication]:
    """The contraindications whose ingredient any of ``texts`` names, in table order."""
    texts = tuple(texts)
    return [c for c in contraindications if any(c.named_in(t) for t in texts)]


@dataclass(frozen=True, slots=True)
class Approval:
    """Who approved giving a contraindicated ingredient, and how they were reached."""

    approved_by: str
    reached: str

    def statement(self) -> str:
        return f"approved by {self.approved_by}, reached {self.reached}"


APPROVAL_EXAMPLE = "approved by Dr. Maria Lopez, reached by phone at 14:10"

# "approved by <who>, reached <how>": the two facts a board inspector asks for. A free-text
# reason that leaves out either is refused with this example, so the record is always complete.
_APPROVAL = re.compile(r"approved\s+by\s+(?P<who>[^,;]*?\S)\s*[,;]?\s+"
                       r"(?P<how>reached\s+\S.*)$", re.IGNORECASE | re.DOTALL)


def read_approval(reason: str) -> Approval | None:
    """The approval in an override reason, or None when it does not say who and how reached."""
    m = _APPROVAL.search(" ".join(reason.split()))
    if m is None:
        return None
    who = m.group("who").strip()
    how = m.group("how").strip().rstrip(".")
    how = how[len("reached"):].strip()
    if len(who) < 2 or not how:
        return None
    return Approval(approved_by=who, reached=how)
