"""Reading a file a person named as input (an order JSON, a patient CSV, a library export).

Every input file has a size limit: at most ``limit + 1`` bytes are ever read, so a huge file or
an endless one (``/dev/zero``) gets a clear message instead of filling the memory (issue 18).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

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
        mode = os.stat(p).st_mode
    except OSError:
        mode = 0
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        # Opening a pipe waits for a writer that may never come: the program would hang.
        raise InputRefused([error("file", "not_a_file",
                                  f"{p} is a pipe, not a file; save {what} to a file and give that.")])
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


class JsonRefused(ValueError):
    """JSON text that parses but cannot be taken as meant: a key given twice, or nested so deep
    that reading it would exhaust the stack. ``str()`` says which, in plain words."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise JsonRefused(f'the key "{key}" appears twice in one object (which one would be '
                              "meant?); give each key once")
        seen[key] = value
    return seen


def load_json(text: str) -> Any:
    """``json.loads`` that refuses a key given twice (the first would be dropped silently) and a
    nesting too deep to read (RecursionError) with JsonRefused; JSONDecodeError as usual."""
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except RecursionError:
        raise JsonRefused("it is nested too deeply to be an order or a library export") from None
