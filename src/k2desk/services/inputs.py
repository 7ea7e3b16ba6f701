"""Reading a file a person named as input (an order JSON, a patient CSV, a library export).

Every input file has a size limit: at most ``limit + 1`` bytes are ever read, so a huge file or
an endless one (``/dev/zero``) gets a clear message instead of filling the memory (issue 18).
"""

from __future__ import annotations

from pathlib import Path

from k2desk.domain.issues import error
from k2desk.services.errors import InputRefused

ORDER_JSON_LIMIT = 1 * 1024 * 1024  # an order is a few kilobytes
PATIENT_CSV_LIMIT = 50 * 1024 * 1024  # about 200 000 patients at 250 bytes a row
LIBRARY_LIMIT = 20 * 1024 * 1024  # the bundled library export is well under 1 MB


def _size_text(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def read_input_file(path: Path | str, limit: int, what: str) -> bytes:
    """The bytes of ``path``; refused with a message naming the file when it cannot be read, is
    a folder, or is larger than ``limit`` bytes."""
    p = Path(path)
    if p.is_dir():
        raise InputRefused([error("file", "is_folder",
                                  f"{p} is a folder, but a file is needed here ({what}).")])
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputRefused([error("file", "unreadable",
                                  f"Cannot read {p}: {exc.strerror or exc}.")]) from exc
    if len(data) > limit:
        raise InputRefused([error("file", "too_large",
                                  f"{p} is larger than {_size_text(limit)}, the most accepted for "
                                  f"{what}; nothing was read into the program. Check that this is "
                                  f"the right file.")])
    return data


def decode_utf8(data: bytes, path: Path | str, what: str) -> str:
    """UTF-8 text with or without a byte-order mark (Windows editors write one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRefused([error("file", "unreadable",
                                  f"{Path(path).name}: the {what} is not UTF-8 text (byte "
                                  f"{exc.start + 1} cannot be read); save it as UTF-8.")]) from exc
