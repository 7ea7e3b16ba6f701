"""Patients, their medications and allergies."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from sqlite_utils import Database

from k2desk.domain.models import Medication, Patient
from k2desk.storage import audit
from k2desk.storage.clock import now_iso

_PATIENT_COLS = "id, name, dob, phone, address, notes, nkda, created_at, language"


def add_patient(db: Database, patient: Patient, operator: str) -> int:
    """Insert a patient with medications and allergies; call inside ``Store.write()``."""
    now = now_iso()
    cur = db.execute(
        "INSERT INTO patients (name, dob, phone, address, notes, nkda, created_at, created_by,"
        " updated_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [patient.name, patient.dob.isoformat(), patient.phone, patient.address, patient.notes,
         int(patient.nkda), now, operator, now, patient.language],
    )
    pid = int(cur.lastrowid or 0)
    _insert_children(db, pid, patient, now)
    audit.append(db, operator=operator, action="create", entity="patient", entity_id=pid,
                 details={"medications": len(patient.medications),
                          "allergies": len(patient.allergies), "nkda": patient.nkda})
    return pid


def _insert_children(db: Database, pid: int, patient: Patient, now: str) -> None:
    db.conn.executemany(
        "INSERT INTO medications (patient_id, text, started, stopped, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(pid, m.text, m.started and m.started.isoformat(),
          m.stopped and m.stopped.isoformat(), now) for m in patient.medications],
    )
    db.conn.executemany(
        "INSERT INTO allergies (patient_id, text) VALUES (?, ?)",
        [(pid, a) for a in patient.allergies],
    )


def add_patients_bulk(db: Database, patients: list[Patient], operator: str) -> list[int]:
    """Insert many checked patients with executemany; one audit event for the whole import.

    Call inside ``Store.write()``: the import is all or nothing.
    """
    now = now_iso()
    first = int(db.execute("SELECT coalesce(max(id), 0) FROM patients").fetchone()[0]) + 1
    ids = list(range(first, first + len(patients)))
    db.conn.executemany(
        "INSERT INTO patients (id, name, dob, phone, address, notes, nkda, created_at, created_by,"
        " updated_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, p.name, p.dob.isoformat(), p.phone, p.address, p.notes, int(p.nkda), now, operator,
          now, p.language) for pid, p in zip(ids, patients, strict=True)],
    )
    db.conn.executemany(
        "INSERT INTO medications (patient_id, text, started, stopped, created_at)"
        " VALUES (?, ?, NULL, NULL, ?)",
        [(pid, m.text, now) for pid, p in zip(ids, patients, strict=True) for m in p.medications],
    )
    db.conn.executemany(
        "INSERT INTO allergies (patient_id, text) VALUES (?, ?)",
        [(pid, a) for pid, p in zip(ids, patients, strict=True) for a in p.allergies],
    )
    if ids:
        audit.append(db, operator=operator, action="import", entity="patient",
                     entity_id=f"{ids[0]}-{ids[-1]}", details={"count": len(ids)})
    return ids


def update_patient(db: Database, patient: Patient, operator: str) -> None:
    """Replace a patient's fields, medications and allergies; call inside ``Store.write()``."""
    assert patient.id is not None
    now = now_iso()
    db.execute(
        "UPDATE patients SET name=?, dob=?, phone=?, address=?, notes=?, nkda=?, updated_at=?,"
        " language=? WHERE id=?",
        [patient.name, patient.dob.isoformat(), patient.phone, patient.address, patient.notes,
         int(patient.nkda), now, patient.language, patient.id],
    )
    db.execute("DELETE FROM medications WHERE patient_id=?", [patient.id])
    db.execute("DELETE FROM allergies WHERE patient_id=?", [patient.id])
    _insert_children(db, patient.id, patient, now)
    audit.append(db, operator=operator, action="update", entity="patient", entity_id=patient.id)


def _row_to_patient(db: Database, r: tuple[Any, ...], *, with_children: bool = True) -> Patient:
    pid = int(r[0])
    meds: tuple[Medication, ...] = ()
    allergies: tuple[str, ...] = ()
    if with_children:
        meds = tuple(
            Medication(text=m[1], started=m[2] and dt.date.fromisoformat(m[2]),
                       stopped=m[3] and dt.date.fromisoformat(m[3]), id=m[0])
            for m in db.execute(
                "SELECT id, text, started, stopped FROM medications WHERE patient_id=? ORDER BY id",
                [pid])
        )
        allergies = tuple(a[0] for a in db.execute(
            "SELECT text FROM allergies WHERE patient_id=? ORDER BY id", [pid]))
    return Patient(id=pid, name=r[1], dob=dt.date.fromisoformat(r[2]), phone=r[3],
                   address=r[4], notes=r[5], nkda=bool(r[6]), created_at=r[7], language=r[8],
                   medications=meds, allergies=allergies)


def get_patient(db: Database, pid: int) -> Patient | None:
    r = db.execute(f"SELECT {_PATIENT_COLS} FROM patients WHERE id=?", [pid]).fetchone()
    return None if r is None else _row_to_patient(db, r)


def list_patients(db: Database, *, limit: int = 1000, offset: int = 0) -> list[Patient]:
    rows = db.execute(
        f"SELECT {_PATIENT_COLS} FROM patients ORDER BY name COLLATE NOCASE, id LIMIT ? OFFSET ?",
        [limit, offset]).fetchall()
    return [_row_to_patient(db, r) for r in rows]


# The words of a documents_fts row, checked against the typed query (db.connect registers it).
FTS_WORDS_MATCH = "k2_words_match(?, patient_name || ' ' || kind || ' ' || title || ' ' || ref)"
_TOKEN_RE = re.compile(r"\w", re.UNICODE)


def _tokens(text: str) -> list[str]:
    """``text`` cut into words as a reader sees them: letters, digits and the combining marks
    (vowel signs, viramas, tone marks) that belong to them; Latin accents and case dropped and
    the rest in canonical composed form, so typed-decomposed and precomposed text agree."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not "\u0300" <= c <= "\u036f")
    folded = unicodedata.normalize("NFC", folded).casefold()
    words: list[str] = []
    current: list[str] = []
    for ch in folded:
        cat = unicodedata.category(ch)
        if cat[0] in "LNM" or cat == "Co":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _phrase_in(query: list[str], words: list[str]) -> bool:
    """``query`` words in a row in ``words``, the last one as a beginning (FTS "phrase"*)."""
    n = len(query)
    for i in range(len(words) - n + 1):
        if words[i:i + n - 1] == query[:-1] and words[i + n - 1].startswith(query[-1]):
            return True
    return False


def fts_query(text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word a quoted prefix phrase.

    Quotes, stars, NEAR( and other FTS syntax in the input become plain text. Returns None
    when nothing searchable is left.
    """
    # Control characters and lone surrogates cannot be typed into a name (they are refused on
    # input), and SQLite cannot take them in a query string: drop them.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    terms = []
    for word in text.split():
        if not _TOKEN_RE.search(word):
            continue
        terms.append('"' + word.replace('"', '""') + '"*')
    return " ".join(terms) if terms else None


def needs_word_check(query: str) -> bool:
    """Whether FTS alone can mistake ``query``: only text with combining marks other than
    Latin accents (vowel signs, viramas, tone marks) is cut differently by SQLite, so a plain
    query on a million-row log stays a pure index lookup."""
    return any(unicodedata.category(c)[0] == "M" and not "\u0300" <= c <= "\u036f"
               for c in unicodedata.normalize("NFKD", query))


def words_match(query: str, text: str) -> bool:
    """Every typed word of ``query`` begins a word of ``text`` as written (see ``_tokens``):
    the check SQLite's tokenizer cannot make for scripts with vowel signs and viramas."""
    phrases = [t for t in (_tokens(word) for word in query.split()) if t]
    words = _tokens(text)
    return all(_phrase_in(ph, words) for ph in phrases)


def search_patients(db: Database, text: str, *, limit: int = 50) -> list[Patient]:
    """Full-text search on name and phone; diacritics ignored ("Nguyen" finds "Nguyễn").

    SQLite's tokenizer splits Indic, Thai and other scripts at every vowel sign and virama, so
    its matches are only candidates: each is kept when every typed word begins a word of the
    name or phone as written (``_tokens``), else "प्रिया" would also offer "पुरी यादव".
    """
    q = fts_query(text)
    if q is None:
        return []
    cols = ", ".join("p." + c.strip() for c in _PATIENT_COLS.split(","))
    phrases = [t for t in (_tokens(word) for word in text.split()) if t]
    found = []
    for row in db.execute(
            f"SELECT {cols} FROM patients_fts JOIN patients p ON p.id = patients_fts.rowid"
            " WHERE patients_fts MATCH ? ORDER BY rank", [q]):
        name_words, phone_words = _tokens(row[1]), _tokens(row[3] or "")
        if all(_phrase_in(ph, name_words) or _phrase_in(ph, phone_words) for ph in phrases):
            found.append(row)
            if len(found) >= limit:
                break
    return [_row_to_patient(db, r) for r in found]


def count_patients(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM patients").fetchone()[0])


def patients_born_on(db: Database, dobs: list[str]) -> list[tuple[int, str, str]]:
    """(id, name, dob) of every patient born on one of ``dobs`` (ISO dates), for the
    same-person check; in chunks so a large import stays within SQLite's variable limit."""
    out: list[tuple[int, str, str]] = []
    for i in range(0, len(dobs), 500):
        chunk = dobs[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        out += [(int(r[0]), str(r[1]), str(r[2])) for r in db.execute(
            f"SELECT id, name, dob FROM patients WHERE dob IN ({marks})", chunk)]  # noqa: S608
    return out
