"""Append-only named schema migrations (sqlite-utils ``Migrations``).

Never edit a migration that has shipped: add a new one at the end.
"""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("k2desk")


def run_script(db: Database, script: str) -> None:
    """Run each statement of ``script`` inside the migration's transaction.

    ``executescript`` would COMMIT first and then run statement by statement, so a crash
    half-way would leave a partly created schema that is not recorded as applied.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


@MIGRATIONS(name="0001_initial")
def m0001_initial(db: Database) -> None:
    run_script(db,
        """
        CREATE TABLE operators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            initials TEXT NOT NULL DEFAULT '',
            pin_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            dob TEXT NOT NULL,
            phone TEXT,
            address TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            nkda INTEGER NOT NULL DEFAULT 0 CHECK (nkda IN (0, 1)),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE medications (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            started TEXT,
            stopped TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX medications_patient ON medications(patient_id);
        CREATE TABLE allergies (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            text TEXT NOT NULL
        );
        CREATE INDEX allergies_patient ON allergies(patient_id);
        CREATE VIRTUAL TABLE patients_fts USING fts5(
            name, phone, content='patients', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2"
        );
        CREATE TRIGGER patients_fts_ai AFTER INSERT ON patients BEGIN
            INSERT INTO patients_fts(rowid, name, phone) VALUES (new.id, new.name, new.phone);
        END;
        CREATE TRIGGER patients_fts_ad AFTER DELETE ON patients BEGIN
            INSERT INTO patients_fts(patients_fts, rowid, name, phone)
                VALUES ('delete', old.id, old.name, old.phone);
        END;
        CREATE TRIGGER patients_fts_au AFTER UPDATE ON patients BEGIN
            INSERT INTO patients_fts(patients_fts, rowid, name, phone)
                VALUES ('delete', old.id, old.name, old.phone);
            INSERT INTO patients_fts(rowid, name, phone) VALUES (new.id, new.name, new.phone);
        END;
        CREATE TABLE prescribers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            npi TEXT NOT NULL DEFAULT '',
            dea TEXT NOT NULL DEFAULT '',
            licence TEXT NOT NULL DEFAULT '',
            phone TEXT,
            fax TEXT,
            address TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE snippet_state (
            id INTEGER PRIMARY KEY,
            snippet_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'vetted', 'rejected', 'retired')),
            operator TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX snippet_state_snippet ON snippet_state(snippet_id, version);
        CREATE TABLE acknowledgements (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER REFERENCES patients(id),
            finding TEXT NOT NULL,
            severity TEXT NOT NULL,
            operator TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TABLE handouts (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            snippets TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'en',
            acknowledgement_id INTEGER REFERENCES acknowledgements(id),
            record TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            prescriber_id INTEGER REFERENCES prescribers(id),
            status TEXT NOT NULL DEFAULT 'draft',
            fields TEXT NOT NULL,
            acknowledgement_id INTEGER REFERENCES acknowledgements(id),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX orders_patient ON orders(patient_id);
        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            ingredient TEXT NOT NULL,
            strength TEXT NOT NULL,
            unit TEXT NOT NULL
        );
        CREATE TABLE overrides (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            field TEXT NOT NULL,
            reason TEXT NOT NULL,
            operator TEXT NOT NULL,
            at TEXT NOT NULL
        );
        -- PDF bytes live apart from the rows the log lists and searches, keyed by SHA-256.
        CREATE TABLE pdf_blobs (
            sha256 TEXT PRIMARY KEY,
            data BLOB NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            patient_id INTEGER REFERENCES patients(id),
            source_table TEXT NOT NULL,
            source_id INTEGER NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL REFERENCES pdf_blobs(sha256),
            size INTEGER NOT NULL,
            pages INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            operator TEXT NOT NULL
        );
        CREATE INDEX documents_created ON documents(created_at);
        CREATE INDEX documents_patient ON documents(patient_id);
        CREATE TABLE fax_jobs (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            to_number TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            next_attempt_at TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            details TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
            SELECT RAISE(ABORT, 'audit_events is append-only');
        END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
            SELECT RAISE(ABORT, 'audit_events is append-only');
        END;
        """
    )


@MIGRATIONS(name="0002_documents_links")
def m0002_documents_links(db: Database) -> None:
    # A handout or order can rest on several acknowledgements (one per major finding); the
    # single acknowledgement_id column keeps the first, this table keeps them all. The order's
    # interaction notices are stored as printed, so a reprint or re-render shows the same review.
    # One execute per statement: executescript would COMMIT the migration transaction early.
    for sql in (
        """CREATE TABLE acknowledgement_links (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL CHECK (entity IN ('order', 'handout')),
            entity_id INTEGER NOT NULL,
            acknowledgement_id INTEGER NOT NULL REFERENCES acknowledgements(id)
        )""",
        "CREATE INDEX acknowledgement_links_entity ON acknowledgement_links(entity, entity_id)",
        "ALTER TABLE orders ADD COLUMN interactions TEXT NOT NULL DEFAULT '[]'",
        "CREATE INDEX overrides_entity ON overrides(entity, entity_id)",
        "CREATE INDEX documents_source ON documents(source_table, source_id)",
    ):
        db.execute(sql)


@MIGRATIONS(name="0003_imported_snippets")
def m0003_imported_snippets(db: Database) -> None:
    # Snippets and citations a pharmacy imported from another pharmacy's export. The shipped
    # library stays in resources/; these rows are the definitions (JSON, same keys as the TOML).
    run_script(db,
        """
        CREATE TABLE imported_snippets (
            snippet_id TEXT PRIMARY KEY,
            version INTEGER NOT NULL CHECK (version >= 1),
            definition TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        );
        CREATE TABLE imported_citations (
            citation_id TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        );
        """
    )


@MIGRATIONS(name="0004_order_drafts")
def m0004_order_drafts(db: Database) -> None:
    # An order being typed in the window, saved as the person types (a crash loses at most the
    # field being typed). A draft is unchecked input: it never prints; creating the order deletes it.
    for sql in (
        """CREATE TABLE order_drafts (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            data TEXT NOT NULL,
            overrides TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            operator TEXT NOT NULL
        )""",
        "CREATE INDEX order_drafts_patient ON order_drafts(patient_id)",
    ):
        db.execute(sql)


@MIGRATIONS(name="0005_log_search")
def m0005_log_search(db: Database) -> None:
    # Full-text index of the document log: patient name, kind, title and the document id as
    # text; never the PDF bytes. Its own copy of the text (not external content), because the
    # patient's name lives in another table; triggers keep it in step with both tables.
    # One execute per statement: executescript would COMMIT the migration transaction early.
    row = ("COALESCE((SELECT name FROM patients WHERE id = new.patient_id), ''), new.kind, new.title,"
           " CAST(new.id AS TEXT)")
    for sql in (
        """CREATE VIRTUAL TABLE documents_fts USING fts5(
            patient_name, kind, title, ref, tokenize="unicode61 remove_diacritics 2",
            prefix='1 2 3'
        )""",
        f"""CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, patient_name, kind, title, ref) VALUES (new.id, {row});
        END""",
        f"""CREATE TRIGGER documents_fts_au AFTER UPDATE OF id, patient_id, kind, title ON documents BEGIN
            DELETE FROM documents_fts WHERE rowid = old.id;
            INSERT INTO documents_fts(rowid, patient_name, kind, title, ref) VALUES (new.id, {row});
        END""",
        """CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
            DELETE FROM documents_fts WHERE rowid = old.id;
        END""",
        """CREATE TRIGGER documents_fts_patient_au AFTER UPDATE OF name ON patients BEGIN
            UPDATE documents_fts SET patient_name = new.name
                WHERE rowid IN (SELECT id FROM documents WHERE patient_id = new.id);
        END""",
        """INSERT INTO documents_fts(rowid, patient_name, kind, title, ref)
            SELECT d.id, COALESCE(p.name, ''), d.kind, d.title, CAST(d.id AS TEXT)
            FROM documents d LEFT JOIN patients p ON p.id = d.patient_id""",
    ):
        db.execute(sql)


@MIGRATIONS(name="0006_roles_and_ack_scope")
def m0006_roles_and_ack_scope(db: Database) -> None:
    # Roles: every operator is a pharmacist or a technician. Operators made before roles existed
    # were the pharmacy's own people, so they start as pharmacists (Settings changes that).
    # Acknowledgements: each one is for one document kind ('handout' or 'order', made with that
    # document) or 'pending' (recorded on its own: the next document for the patient uses it,
    # and it lapses at expires_at, the end of the local day). Like every acknowledgement it
    # covers one finding, keyed by agent and medication text as typed. An order's
    # acknowledgement says how the prescriber or clinic was reached (contact_method, _note).
    # Rows from before this migration are marked 'legacy': they stay linked to their documents
    # but never cover a new one. login is the OS account that recorded the row.
    for sql in (
        "ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'pharmacist'"
        " CHECK (role IN ('pharmacist', 'technician'))",
        "ALTER TABLE acknowledgements ADD COLUMN purpose TEXT NOT NULL DEFAULT 'legacy'"
        " CHECK (purpose IN ('legacy', 'pending', 'handout', 'order'))",
        "ALTER TABLE acknowledgements ADD COLUMN expires_at TEXT",
        "ALTER TABLE acknowledgements ADD COLUMN contact_method TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE acknowledgements ADD COLUMN contact_note TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE acknowledgements ADD COLUMN login TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX acknowledgements_patient ON acknowledgements(patient_id, purpose)",
        "CREATE INDEX acknowledgement_links_ack ON acknowledgement_links(acknowledgement_id)",
    ):
        db.execute(sql)


@MIGRATIONS(name="0007_interaction_table_signoff")
def m0007_interaction_table_signoff(db: Database) -> None:
    # The pharmacy's sign-off of one version of the shipped interaction table (who, when), like
    # vetting a snippet. Keyed by version and the file's SHA-256: an edited table is unsigned.
    # Append-only: the latest row for a version and hash is the one that counts.
    for sql in (
        """CREATE TABLE interaction_table_signoffs (
            id INTEGER PRIMARY KEY,
            table_version INTEGER NOT NULL,
            table_sha256 TEXT NOT NULL,
            signed_by TEXT NOT NULL,
            signed_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            operator TEXT NOT NULL
        )""",
        "CREATE INDEX interaction_table_signoffs_key"
        " ON interaction_table_signoffs(table_version, table_sha256)",
    ):
        db.execute(sql)


@MIGRATIONS(name="0008_order_status_history")
def m0008_order_status_history(db: Database) -> None:
    # Every status an order has been in, with when, who and the note (how the signed original
    # came in, why it was cancelled). Orders stored before this table existed get their history
    # rebuilt from the audit trail: the 'create' event is the draft, each 'status' event a move.
    # The note was only kept for the latest move (pharmacy_use.status_note) and for the signed
    # original (pharmacy_use.signed_original_received); any other note reads "(not recorded)".
    db.execute(
        """CREATE TABLE order_status_history (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            audit_event_id INTEGER REFERENCES audit_events(id)
        )""")
    db.execute("CREATE INDEX order_status_history_order ON order_status_history(order_id, id)")
    # The order log filters by creation day and reads each order's lines by order id.
    db.execute("CREATE INDEX IF NOT EXISTS orders_created ON orders(created_at)")
    db.execute("CREATE INDEX IF NOT EXISTS order_lines_order ON order_lines(order_id, position)")
    orders = {int(r[0]): (r[1], json.loads(r[2])) for r in db.execute(
        "SELECT id, status, fields FROM orders")}
    moves: dict[int, list[tuple[str, str, str, int]]] = {}
    for eid, at, operator, action, entity_id, details in db.execute(
            "SELECT id, at, operator, action, entity_id, details FROM audit_events"
            " WHERE entity='order' AND action IN ('create', 'status') ORDER BY id"):
        try:
            oid = int(entity_id)
        except (TypeError, ValueError):
            continue
        if oid not in orders:
            continue
        d = json.loads(details)
        status = d.get("status", "draft") if action == "create" else d.get("to")
        if status:
            moves.setdefault(oid, []).append((str(status), at, operator, int(eid)))
    not_recorded = "(not recorded)"
    for oid, (current, values) in orders.items():
        rows = moves.get(oid, [])
        if not rows or rows[0][0] != "draft":
            continue  # no audit trail to rebuild from; the order keeps an empty history
        for n, (status, at, operator, eid) in enumerate(rows):
            if status == "draft":
                note = ""
            elif status == "signed-original-received" and values.get("pharmacy_use.signed_original_received"):
                note = values["pharmacy_use.signed_original_received"]
            elif n == len(rows) - 1 and status == current and "pharmacy_use.status_note" in values:
                # The latest move's note was kept (empty: none was given); a cancellation
                # without one reads "(not recorded)", since a reason is now always asked for.
                note = values["pharmacy_use.status_note"] or (not_recorded if status == "cancelled" else "")
            else:
                note = not_recorded
            db.execute("INSERT INTO order_status_history (order_id, status, at, operator, note,"
                       " audit_event_id) VALUES (?, ?, ?, ?, ?, ?)", [oid, status, at, operator, note, eid])


@MIGRATIONS(name="0009_pin_attempts")
def m0009_pin_attempts(db: Database) -> None:
    # Wrong PINs per operator (issue 18): how many in a row, and until when the next try waits.
    # Kept in the database so closing and reopening the window does not reset the count.
    db.execute(
        """CREATE TABLE pin_attempts (
            operator TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            last_failed_at TEXT,
            locked_until TEXT
        )""")
    # The same-person check on adding a patient looks patients up by date of birth.
    db.execute("CREATE INDEX IF NOT EXISTS patients_dob ON patients(dob)")


@MIGRATIONS(name="0010_known_prescribers")
def m0010_known_prescribers(db: Database) -> None:
    # Known prescribers are the prescribers rows saved with earlier orders (one per distinct set
    # of details); the order editor finds them by name or NPI and ranks them by their latest
    # order. These indexes keep that pick-list a lookup, not a scan, as orders pile up.
    db.execute("CREATE INDEX IF NOT EXISTS prescribers_npi ON prescribers(npi)")
    db.execute("CREATE INDEX IF NOT EXISTS prescribers_name ON prescribers(name COLLATE NOCASE)")
    db.execute("CREATE INDEX IF NOT EXISTS orders_prescriber ON orders(prescriber_id, created_at)")


@MIGRATIONS(name="0011_row_seals")
def m0011_row_seals(db: Database) -> None:
    # Each covered row's content SHA-256 (storage.seals), under the audit event that sealed it.
    # The rows already here are sealed by the baseline event the opening store records right
    # after its migrations (storage.db), trusted as they are at that moment.
    db.execute(
        """CREATE TABLE row_seals (
            event_id INTEGER NOT NULL REFERENCES audit_events(id),
            tbl TEXT NOT NULL,
            rid INTEGER NOT NULL,
            digest TEXT
        )""")
    db.execute("CREATE INDEX row_seals_row ON row_seals(tbl, rid, event_id)")
    db.execute("CREATE INDEX row_seals_event ON row_seals(event_id)")


@MIGRATIONS(name="0012_i24_blob_store")
def m0012_i24_blob_store(db: Database) -> None:
    # PDF bytes move out of the database into files named by their SHA-256 (storage.blobs), so
    # a daily backup copies the rows whole and only the PDFs it does not hold yet. Each file is
    # durable before this transaction commits; a stop half-way leaves files and the old table,
    # and the next open does it again. ``pdf_blobs`` stays as the catalogue (sha256, size) the
    # documents rows reference. The opening store compacts the file afterwards (storage.db).
    from k2desk.storage.blobs import _SHA, blob_root, write_blob

    root = blob_root(db)
    for sha, data in db.execute("SELECT sha256, CAST(data AS BLOB) FROM pdf_blobs ORDER BY rowid"):
        # Written as stored, under the name its row gives: bytes changed behind k2desk's back stay
        # changed, and `log verify` names them. A name that is no SHA-256 cannot be a file.
        if _SHA.fullmatch(str(sha)):
            write_blob(root, bytes(data), str(sha))
    db.execute("ALTER TABLE pdf_blobs ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE pdf_blobs SET size = length(data)")
    db.execute("ALTER TABLE pdf_blobs DROP COLUMN data")


@MIGRATIONS(name="0013_i23_reading_grades")
def m0013_i23_reading_grades(db: Database) -> None:
    # Each snippet version's reading grade per language, computed once (issue #23: grading loads
    # a pronouncing dictionary, over a second). Keyed by snippet, version and language (issue #25
    # adds Spanish reading levels); the text's SHA-256 is kept so a stored grade is used only for
    # exactly the text it was computed from. An ordinary table: storage.seals covers its rows.
    db.execute(
        """CREATE TABLE reading_grades (
            id INTEGER PRIMARY KEY,
            snippet_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            language TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            grade REAL NOT NULL,
            UNIQUE (snippet_id, version, language)
        )""")


@MIGRATIONS(name="0014_i25_patient_language")
def m0014_i25_patient_language(db: Database) -> None:
    # Issue 25. The patient's preferred language for handouts (English unless chosen); the
    # baseline seal after migrating covers every patient row with its new column.
    db.execute("ALTER TABLE patients ADD COLUMN language TEXT NOT NULL DEFAULT 'en'")
    # The pharmacy's own decisions about translations, append-only like snippet_state: each names
    # the translation version, the English version and the SHA-256 of the English text it was
    # made on, so a new English version or text leaves it behind.
    db.execute(
        """CREATE TABLE translation_state (
            id INTEGER PRIMARY KEY,
            snippet_id TEXT NOT NULL,
            language TEXT NOT NULL,
            version INTEGER NOT NULL,
            snippet_version INTEGER NOT NULL,
            source_sha256 TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'vetted', 'rejected', 'retired')),
            operator TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("CREATE INDEX translation_state_key ON translation_state(snippet_id, language)")
    # Translations another pharmacy's library export brought in (JSON, same keys as the TOML).
    db.execute(
        """CREATE TABLE imported_translations (
            id INTEGER PRIMARY KEY,
            snippet_id TEXT NOT NULL,
            language TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            definition TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            UNIQUE (snippet_id, language)
        )""")


@MIGRATIONS(name="0015_i23_log_seek")
def m0015_i23_log_seek(db: Database) -> None:
    # The Log page finds the row at position N by walking an index in the log's order (newest
    # first by created_at, then id: storage.log_view.seek). documents_created serves the whole
    # log and a date filter; this one serves a kind filter (and a kind with dates) the same way.
    db.execute("CREATE INDEX IF NOT EXISTS documents_kind_created ON documents(kind, created_at)")
