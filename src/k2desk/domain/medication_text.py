"""Turning a medication as typed ("Coumadin 5 mg daily", "warfarin sodium 2.5mg tab") into words.

Pure text handling for the interaction matcher: Unicode, case, accents, punctuation, salts, doses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Salt and ester words: "warfarin sodium" is warfarin. They are dropped from both the typed text and
# the table's names before matching, and never count as a drug-name near miss.
SALT_WORDS = frozenset({
    "sodium", "disodium", "potassium", "hydrochloride", "hcl", "dihydrochloride", "hydrobromide",
    "sulfate", "sulphate", "mesylate", "mesilate", "maleate", "tartrate", "succinate", "citrate",
    "acetate", "phosphate", "besylate", "besilate", "fumarate", "chloride", "bromide", "nitrate",
    "palmitate", "etexilate", "tosylate", "clathrate", "monohydrate", "dihydrate", "anhydrous",
    "sesquihydrate", "trihydrate", "hyclate", "lactate", "gluconate",
    # the salt as labels in other languages write it ("Warfarin-Natrium", "warfarina sódica")
    "natrium", "natricum", "sodique", "sodica", "sodico", "sodowa", "sodowej", "kalium",
    "potassique", "potasica", "potasico", "натрия", "калия", "カリウム", "ナトリウム",
})

# Dose units, dose forms, routes, frequencies and filler words. These never count as a drug-name
# near miss (so "tablets" or "morning" can never be read as a misspelt drug).
NOISE_WORDS = frozenset({
    # units
    "mg", "mcg", "ug", "μg", "g", "gm", "gram", "grams", "milligram", "milligrams", "microgram",
    "micrograms", "ml", "iu", "ui", "unit", "units", "meq", "mmol", "percent", "мг", "мкг",
    # forms and routes
    "tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "softgel", "softgels",
    "gelcap", "gelcaps", "pill", "pills", "chewable", "chewables", "gummy", "gummies", "liquid",
    "drops", "drop", "powder", "packet", "packets", "sachet", "solution", "suspension", "syrup",
    "oral", "po", "iv", "im", "injection", "infusion", "er", "xr", "sr", "dr", "la", "xl", "cr",
    "extended", "delayed", "release", "coated", "enteric", "film", "generic", "brand", "otc",
    "cream", "ointment", "topical", "enema", "suppository", "light", "heavy", "natural",
    "synthetic", "mixed", "supplement", "supplements", "strength", "regular", "forte", "plus",
    "ds", "ss",
    # frequency and directions
    "daily", "day", "days", "a", "an", "once", "twice", "three", "four", "times", "bid", "tid",
    "qid", "qd", "od", "qam", "qpm", "qhs", "hs", "prn", "q", "h", "hr", "hrs", "hour", "hours",
    "every", "each", "per", "x", "weekly", "week", "monthly", "month", "nightly", "night",
    "morning", "evening", "bedtime", "noon", "am", "pm", "with", "without", "food", "meals",
    "meal", "breakfast", "lunch", "dinner", "supper", "before", "after", "take", "takes",
    "taking", "by", "mouth", "as", "needed", "directed", "and", "or", "of", "the", "for", "in",
    "on", "at", "to", "then", "also", "one", "two", "half", "mon", "tue", "wed", "thu", "fri",
    "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "except", "alternate", "alternating", "current", "currently", "since", "started", "stopped",
    "dose", "doses", "dosing", "pt", "patient", "usually", "sometimes",
    # common words in supplement names ("folic acid" must not read as "Klacid")
    "acid", "acids", "oil", "oils", "extract", "root", "leaf", "seed", "seeds", "juice", "tea",
    "complex", "formula", "blend", "chips", "drink", "lotion", "spray", "gel", "eye", "nasal",
    "inhaler", "patch", "pen", "vial", "kit",
})

# Words of vitamin names. "vitamin D3" or "vitamin K2" is not a misspelt drug, so these words (and
# any word made only of a vitamin letter and digits, like "d3", "b12", "k2") are never near misses.
VITAMIN_WORDS = frozenset({
    "vitamin", "vitamins", "vit", "vits", "multivitamin", "multivitamins", "multi", "multivit",
    "prenatal", "prenatals", "menaquinone", "menaquinones", "phylloquinone", "menatetrenone",
    "phytonadione", "menadione", "cholecalciferol", "ergocalciferol", "cyanocobalamin",
    "methylcobalamin", "thiamine", "riboflavin", "niacin", "niacinamide", "pyridoxine", "biotin",
    "folate", "folic", "ascorbic", "mk", "mk4", "mk7", "k2", "k1",
})

_VITAMIN_CODE_RE = re.compile(r"^(?:[a-k]\d{0,2}|mk\d{0,2})$")

# A number with optional thousands separators or decimals, then an optional unit. "2.5mg" and
# "1,000 IU" and "800iu" all parse.
_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_DOSE_RE = re.compile(
    _NUMBER + r"\s*(iu|i\s*u|international\s+units?|units?|ui|mg|milligrams?|mcg|μg|ug|micrograms?)"
    r"(?![a-z])"
)
_WORD_RE = re.compile(r"[^\W_]+")
_LETTERS_DIGITS_RE = re.compile(r"[^\W\d_]+|\d+")

_UNIT_CANON = {
    "iu": "iu", "i u": "iu", "ui": "iu", "unit": "iu", "units": "iu",
    "international unit": "iu", "international units": "iu",
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "mcg": "mcg", "μg": "mcg", "ug": "mcg", "microgram": "mcg", "micrograms": "mcg",
}

_TIMES_PER_DAY = (
    (re.compile(r"\b(?:qid|q\.i\.d|four\s+times)\b"), 4),
    (re.compile(r"\b(?:tid|t\.i\.d|three\s+times)\b"), 3),
    (re.compile(r"\b(?:bid|b\.i\.d|twice|2\s*x|x\s*2)\b"), 2),
)
_COUNT_RE = re.compile(
    r"\b(\d{1,2})\s*(?:x\s*)?(?:caps?|capsules?|tabs?|tablets?|softgels?|gelcaps?|pills?)\b"
)


# Cyrillic and Greek letters that look like Latin ones (after casefold). A word that mixes them with
# Latin letters ("wаrfarin" with a Cyrillic "а", pasted from a web page) is read as Latin; a word
# written wholly in another alphabet ("варфарин") is left as it is. Hand-written rather than a
# confusables library: only the letters that can sit inside a Latin drug name matter here, and
# the map must never turn a whole Cyrillic or Greek word into Latin.
_LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
})
_LATIN_RE = re.compile(r"[a-z]")
_MIXED_WORD_RE = re.compile(r"[^\W\d_]+")

# A run of three or more single letters separated by spaces, dots or hyphens ("w a r f a r i n",
# "W.A.R.F.A.R.I.N.", "I.N.R."): read as one word. See _join_letter_runs for the exact rule.
_LETTER_RUN_RE = re.compile(
    r"(?<![^\W_])[^\W\d_](?![^\W_])(?:[\s.\-‐‑–·]+[^\W\d_](?![^\W_])){2,}\.?")
_SINGLE_LETTER_RE = re.compile(r"[^\W\d_]")

# Letters joined by a hyphen, dot or apostrophe with no space: "war-farin", "anti-coagulant".
_GLUED_RE = re.compile(r"[^\W\d_]+(?:[\-‐‑.·'’][^\W\d_]+)+")


def _unmix(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii() or not _LATIN_RE.search(word):
        return word
    swapped = word.translate(_LOOK_ALIKES)
    return swapped if swapped.isascii() else word


def _join_letter_runs(text: str) -> str:
    """"w a r f a r i n" -> "warfarin". Four or more single letters, or three joined only by dots
    or hyphens ("I.N.R."): three letters with spaces ("vitamin A D E") stay apart."""
    def join(match: re.Match[str]) -> str:
        run = match.group()
        letters = _SINGLE_LETTER_RE.findall(run)
        spaced = any(ch.isspace() for ch in run)
        if len(letters) >= 4 or not spaced:
            return "".join(letters)
        return run
    return _LETTER_RUN_RE.sub(join, text)


def fold(text: str) -> str:
    """NFKC, casefold and strip accents: "Marcoumár", "ＷＡＲＦＡＲＩＮ" and "warfarin" agree.

    Invisible format characters (zero-width space and joiner, soft hyphen, BOM) are removed, and
    look-alike Cyrillic or Greek letters inside an otherwise Latin word are read as Latin.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed
                       if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    return _MIXED_WORD_RE.sub(_unmix, unicodedata.normalize("NFKC", stripped))


def glued_words(text: str) -> list[str]:
    """Words written with a hyphen, dot or apostrophe inside and read as one word: "war-farin" ->
    "warfarin", "anti-coagulant" -> "anticoagulant". The matcher tries these as whole names."""
    return ["".join(_SINGLE_LETTER_RE.findall(m)) for m in _GLUED_RE.findall(
        _join_letter_runs(fold(text)))]


def unglue_salt(word: str) -> str | None:
    """"warfarinsodium" -> "warfarin": the word with a salt glued to its end removed, or None.

    Words only, never names: "biscoumacetate" is a drug whose name ends in "acetate", so the
    matcher tries this only for a typed word that is not itself the start of a known name.
    """
    for salt in SALT_WORDS:
        if len(salt) >= 4 and word.endswith(salt) and len(word) - len(salt) >= 4:
            return word[: -len(salt)]
    return None


def words(text: str) -> list[str]:
    """The words of ``text`` for matching: folded, punctuation gone, letters split from digits,
    salt words dropped. Numbers stay as words so a name is never glued across a dose."""
    out: list[str] = []
    for chunk in _WORD_RE.findall(_join_letter_runs(fold(text))):
        for part in _LETTERS_DIGITS_RE.findall(chunk):
            if part not in SALT_WORDS:
                out.append(part)
    return out


def name_words(name: str) -> tuple[str, ...]:
    """A table name ("Warfarin Sodium", "mineral oil") as the words it must match."""
    return tuple(words(name))


def is_drug_name_word(word: str) -> bool:
    """Could this typed word be a (misspelt) drug name? Letters only, not noise, not a vitamin."""
    if not word.isalpha() or word in NOISE_WORDS or word in SALT_WORDS or word in VITAMIN_WORDS:
        return False
    if _VITAMIN_CODE_RE.match(word) or word.startswith(("vitamin", "multivit")):
        return False
    return True


@dataclass(frozen=True, slots=True)
class DailyDose:
    """A dose read from the text: amount per day in one unit ("iu", "mg" or "mcg")."""

    amount: float
    unit: str


def _to_float(number: str) -> float | None:
    try:
        return float(number.replace(",", ""))
    except ValueError:
        return None


def daily_doses(text: str) -> list[DailyDose]:
    """Every dose stated in ``text``, multiplied by a stated count ("2 caps") and times a day
    ("twice daily", "BID"). A dose with no frequency is read as once a day."""
    folded = re.sub(r"\bi\.\s*u\.?", "iu", fold(text))  # "800 I.U." -> "800 iu"
    count = 1
    m = _COUNT_RE.search(folded)
    if m:
        count = max(1, int(m.group(1)))
    per_day = 1
    for pattern, n in _TIMES_PER_DAY:
        if pattern.search(folded):
            per_day = n
            break
    doses: list[DailyDose] = []
    for number, unit in _DOSE_RE.findall(folded):
        amount = _to_float(number)
        canon = _UNIT_CANON.get(re.sub(r"\s+", " ", unit))
        if amount is None or canon is None:
            continue
        doses.append(DailyDose(amount * count * per_day, canon))
    return doses


_SOUND_RULES = (("ph", "f"), ("th", "t"), ("ck", "k"), ("qu", "kw"), ("ou", "u"), ("oo", "u"),
                ("y", "i"))
_SOFT_C_RE = re.compile(r"c(?=[eiy])")
_DOUBLE_RE = re.compile(r"(.)\1+")


def sound_key(word: str) -> str:
    """A rough spelling-by-sound key for Latin-letter drug names: "kumadin" and "coumadin" both
    give "kumadin", "fenprocumon" and "phenprocoumon" both "fenprokumon".

    Hand-written: Soundex or Metaphone keys drop too much (every vowel) to keep the one- and
    two-edit limits meaningful; this only merges spellings of the same sound (ph/f, c/k/s, ou/u,
    y/i, doubled letters), and the edit limits still apply to the keys.
    """
    key = word
    for old, new in _SOUND_RULES:
        key = key.replace(old, new)
    key = _SOFT_C_RE.sub("s", key).replace("c", "k")
    return _DOUBLE_RE.sub(r"\1", key)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (insertions, deletions, substitutions and transpositions of
    neighbours, edits may overlap), capped at ``limit + 1``.

    The unrestricted form, not optimal string alignment: "acitrom" with a letter dropped and two
    neighbours swapped ("atcrom") is two edits away, and OSA would call it three. Written by hand
    (Lowrance-Wagner) rather than adding a compiled dependency to the domain layer: the words are
    short, results are cached per word by the table, and the function is unit- and
    property-tested.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    big = len(a) + len(b)
    # d is offset by one row and column holding ``big`` so the transposition lookup d[k][l] works
    # at the edges.
    d = [[big] * (len(b) + 2) for _ in range(len(a) + 2)]
    for i in range(len(a) + 1):
        d[i + 1][1] = i
    for j in range(len(b) + 1):
        d[1][j + 1] = j
    last_row: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        last_match_col = 0
        for j in range(1, len(b) + 1):
            k = last_row.get(b[j - 1], 0)
            m = last_match_col
            cost = 1
            if a[i - 1] == b[j - 1]:
                cost = 0
                last_match_col = j
            d[i + 1][j + 1] = min(d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1,
                                  d[k][m] + (i - k - 1) + 1 + (j - m - 1))
        last_row[a[i - 1]] = i
    return min(d[len(a) + 1][len(b) + 1], limit + 1)
