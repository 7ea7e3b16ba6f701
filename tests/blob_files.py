"""Test helper: where a stored PDF's file is (issue 24: PDFs are files named by SHA-256 in the
``blobs`` folder beside the database), to read or damage it the way a disk or a person could."""

from __future__ import annotations

from pathlib import Path

from k2desk.storage.blobs import BLOB_DIRNAME, blob_path


def pdf_file(data_dir: Path, sha: str) -> Path:
    return blob_path(data_dir / BLOB_DIRNAME, sha)


def document_file(ctx, document_id: int) -> Path:  # noqa: ANN001 - an AppContext
    sha = ctx.store.conn.execute("SELECT sha256 FROM documents WHERE id=?", [document_id]).fetchone()[0]
    return pdf_file(ctx.data_dir, sha)
