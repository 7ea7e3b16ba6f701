"""Where k2desk keeps its data: --data-dir > K2DESK_DATA_DIR > the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "K2DESK_DATA_DIR"
DB_FILENAME = "k2desk.sqlite3"
BACKUP_DIRNAME = "backups"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """Pick the data directory by precedence, without creating it."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("k2desk", appauthor=False))


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIRNAME
