"""Settings use cases: show and set values of the declared schema."""

from __future__ import annotations

from k2desk.domain.settings import Value, check_settings_together, parse_setting
from k2desk.services.changes import Changes
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.storage.settings import load_settings, save_setting


def get_settings(ctx: AppContext) -> dict[str, Value]:
    return load_settings(ctx.store.db)


def set_settings(ctx: AppContext, changes: dict[str, str]) -> dict[str, Value]:
    """Check every change (and the rules between settings), then store them all or none."""
    parsed: dict[str, Value] = {}
    issues = []
    for key, raw in changes.items():
        value, problems = parse_setting(key, raw)
        issues += problems
        if value is not None and not problems:
            parsed[key] = value
    if not issues:
        merged = {**load_settings(ctx.store.db), **parsed}
        issues += check_settings_together(merged)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        current = load_settings(db)
        for key, value in parsed.items():
            if current.get(key) != value:
                save_setting(db, key, value, ctx.operator)
    ctx.changes.publish(Changes(settings=True))
    return load_settings(ctx.store.db)
