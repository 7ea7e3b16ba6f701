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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from k2desk.domain.documents import OrderLine
from k2desk.domain.interactions import Finding


def _words(text: str) -> list[str]:
    """The words of a name as a prescriber may write it, folded so that spellings of one name
    meet: full-width characters and odd hyphens ("ＭＫ-４", "MK‑4"), underscores ("MK_4"),
    letters run into digits ("MK4", "menaquinone4") and spaced-out letters ("M K 4", "M.K.-4")
    all give the words "mk 4"."""
    t = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    t = re.sub(r"[^\w]+", " ", t)
    t = re.sub(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])", " ", t)
    out: list[str] = []
    run = ""
    for w in t.split():
        if len(w) == 1 and w.isalpha():
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        out.append(w)
    if run:
        out.append(run)
    return out


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 once it is certainly above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _typo_of(word: str, name: str) -> bool:
    """A misspelling of a one-word name of 6 letters or more ("menatetranone", "Glakey"): one
    letter off, or two for names of 10 letters or more."""
    if len(name) < 6 or not name.isalpha() or not word.isalpha():
        return False
    return _distance(word, name, 2 if len(name) >= 10 else 1) <= (2 if len(name) >= 10 else 1)


def names_ingredient(text: str, names: Iterable[str]) -> bool:
    """True when ``text`` names one of ``names`` as whole words, however it is spelt or
    spaced, or misspells a long one-word name."""
    hay = _words(text)
    joined = f" {' '.join(hay)} "
    for name in names:
        want = _words(name)
        if not want:
            continue
        if f" {' '.join(want)} " in joined:
            return True
        if len(want) == 1 and any(_typo_of(w, want[0]) for w in hay):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Contraindication:
    """One ingredient the product labeling contraindicates with a vitamin K antagonist."""

    ingredient: str  # the generic, "menatetrenone"
    names: tuple[str, ...]  # every way an order line or snippet may name it ("MK-4", "Glakay")
    label: str  # the labelled product, "Glakay 15 mg capsules (Eisai, Japan)"
    citations: tuple[str, ...]
    prescriber_message: str
    patient_message: str
    patient_messages: tuple[tuple[str, str], ...] = ()  # (language code, text), issue 25

    def patient_message_in(self, language: str) -> str | None:
        """The patient message in ``language``; None when the table has none (no fallback)."""
        if language == "en":
            return self.patient_message
        return dict(self.patient_messages).get(language)

    def named_in(self, text: str) -> bool:
        """True when ``text`` names this ingredient as whole words ("MK-4 (menatetrenone)")."""
        return names_ingredient(text, (self.ingredient, *self.names))


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


# Words that stand in for a name or a way of reaching someone without giving one.
_PLACEHOLDERS = frozenset({
    "n a", "na", "none", "nobody", "no one", "noone", "nothing", "unknown", "unk", "tbd", "tba",
    "null", "nil", "someone", "somebody", "anyone", "anybody", "same", "see above", "x", "xx",
    "xxx", "xxxx", "test", "asdf", "him", "her", "them", "it", "yes", "ok", "okay", "n"})
# Titles and roles: "Dr.", "MD", "the prescriber" say what someone is, not who.
_ROLE_WORDS = frozenset({
    "dr", "doctor", "md", "do", "np", "pa", "rn", "rph", "pharmd", "prof", "mr", "mrs", "ms",
    "the", "a", "an", "prescriber", "prescribing", "physician", "provider", "prescribers",
    "office", "clinic", "nurse", "his", "their", "our", "my"})
# Leading words of "reached ..." that say nothing on their own.
_HOW_FILLER = frozenset({"by", "via", "on", "in", "through", "at", "with", "over", "the", "a"})


def _plain(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", text).lower().replace("_", " ")).split()


def _names_someone(who: str) -> bool:
    words = _plain(who)
    if " ".join(words) in _PLACEHOLDERS:
        return False
    rest = [w for w in words if w not in _ROLE_WORDS]
    return (any(sum(c.isalpha() for c in w) >= 2 for w in rest)
            and " ".join(rest) not in _PLACEHOLDERS)


def _says_how(how: str) -> bool:
    words = _plain(how)
    while words and words[0] in _HOW_FILLER:
        words = words[1:]
    return (any(sum(c.isalpha() for c in w) >= 2 for w in words)
            and " ".join(words) not in _PLACEHOLDERS)


def read_approval(reason: str) -> Approval | None:
    """The approval in an override reason, or None when it does not say who and how reached.

    A placeholder ("n/a", "nobody", "tbd"), a bare title or role ("Dr.", "the prescriber") or a
    "reached by" with nothing after it does not name an approval."""
    m = _APPROVAL.search(" ".join(reason.split()))
    if m is None:
        return None
    who = m.group("who").strip()
    how = m.group("how").strip().rstrip(".")
    how = how[len("reached"):].strip()
    if len(who) < 2 or not how or not _names_someone(who) or not _says_how(how):
        return None
    return Approval(approved_by=who, reached=how)
