"""Sign-off of the interaction table by this pharmacy (who, when), like vetting a snippet.

The shipped table is built and cited by the k2desk editors; a pharmacy still has to review it
and sign it off. Until it does, ``doctor``, the Library page and every interaction finding say
``NOT_SIGNED_OFF``. A sign-off covers one table version with exactly its content (SHA-256 of the
file): an update to the table needs a new sign-off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from k2desk.domain.text import check_text
from k2desk.library.interactions import table_path
from k2desk.services import interactions as interactions_svc
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.operators import require_pharmacist
from k2desk.storage import table_signoff as repo
from k2desk.storage.table_signoff import TableSignoff

NOT_SIGNED_OFF = "interaction table not yet signed off by this pharmacy"


@dataclass(frozen=True, slots=True)
class TableStatus:
    """The shipped table's version and content hash, and this pharmacy's sign-off of it."""

    version: int
    sha256: str
    signoff: TableSignoff | None

    @property
    def signed_off(self) -> bool:
        return self.signoff is not None

    @property
    def text(self) -> str:
        """One line for doctor, the Library page and the findings."""
        if self.signoff is None:
            return f"{NOT_SIGNED_OFF} (version {self.version})"
        return (f"interaction table version {self.version} signed off by {self.signoff.signed_by} "
                f"on {self.signoff.signed_at[:10]}")


def table_sha256() -> str:
    """SHA-256 of the shipped interaction table file, as it is on disk."""
    return hashlib.sha256(table_path().read_bytes()).hexdigest()


def table_status(ctx: AppContext) -> TableStatus:
    """Is the shipped table, as it is now, signed off by this pharmacy?"""
    version, sha = interactions_svc.table().version, table_sha256()
    return TableStatus(version, sha, repo.latest_signoff(ctx.store.db, version=version, sha256=sha))


def sign_off_table(ctx: AppContext, by: str, note: str = "", pin: str | None = None) -> TableStatus:
    """Record that pharmacist ``by`` reviewed and signed off the shipped table, with its audit
    event. Once operators exist only a pharmacist may (``pin`` as for any pharmacist action)."""
    by, note = by.strip(), note.strip()
    issues = check_text(by, "by", label="Signed off by", required=True, max_length=100)
    issues += check_text(note, "note", label="Note", max_length=1000)
    if issues:
        raise InputRefused(issues)
    by = require_pharmacist(ctx, by, action="sign off the interaction table", pin=pin, field="by")
    version, sha = interactions_svc.table().version, table_sha256()
    with ctx.store.write() as db:
        repo.add_signoff(db, version=version, sha256=sha, by=by, note=note, operator=ctx.operator)
    # The banners' "table not yet signed off" line is part of what a patient page shows.
    ctx.changes.publish(Changes(library=True, acknowledgement=True))
    return table_status(ctx)
