"""Operators and their optional PINs (stored only as a salted scrypt hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.models import Operator
from k2desk.domain.text import check_text
from k2desk.services.context import AppContext, check_operator
from k2desk.services.errors import InputRefused, NotFound
from k2desk.storage import operators as repo

# scrypt cost: ~30 ms per check on a counter PC; a 4-digit PIN is weak by nature, the hash only
# keeps it from being read off the database file.
_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """A self-describing salted scrypt hash of ``pin``: ``scrypt$N$r$p$salt$hash`` (hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Check ``pin`` against a stored hash in constant time."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(pin.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n),
                                r=int(r), p=int(p), dklen=len(digest_hex) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def check_pin(pin: str, field: str = "pin") -> list[FieldIssue]:
    if pin and not (pin.isdigit() and 4 <= len(pin) <= 12):
        return [error(field, "pin_invalid", "A PIN is 4 to 12 digits; leave it empty for no PIN.")]
    return []


def list_operators(ctx: AppContext) -> list[Operator]:
    """Active operators, by name."""
    return repo.list_operators(ctx.store.db)


def add_operator(ctx: AppContext, name: str, initials: str = "", pin: str = "") -> int:
    """Add (or re-activate) an operator; the PIN, if any, is stored only as a salted hash."""
    issues = check_operator(name.strip())
    issues += check_text(initials, "initials", label="Initials", max_length=5)
    issues += check_pin(pin)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        return repo.add_operator(db, name.strip(), initials.strip().upper(),
                                 hash_pin(pin) if pin else None, ctx.operator)


def set_operator_pin(ctx: AppContext, name: str, pin: str) -> None:
    """Set or (with an empty PIN) clear an operator's PIN."""
    op = repo.get_operator(ctx.store.db, name)
    if op is None or op.id is None:
        raise NotFound(f"There is no operator named {name!r}.")
    issues = check_pin(pin)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        repo.set_pin(db, op.id, hash_pin(pin) if pin else None, ctx.operator)


def remove_operator(ctx: AppContext, name: str) -> None:
    """Deactivate an operator (kept for the audit trail)."""
    op = repo.get_operator(ctx.store.db, name)
    if op is None or op.id is None:
        raise NotFound(f"There is no operator named {name!r}.")
    with ctx.store.write() as db:
        repo.deactivate_operator(db, op.id, ctx.operator)


def sign_in(ctx: AppContext, name: str, pin: str = "") -> Operator:
    """Make ``name`` the current operator, checking the PIN if one is set.

    With no operators configured yet, any valid name is accepted (a fresh install).
    """
    issues = check_operator(name)
    if issues:
        raise InputRefused(issues)
    db = ctx.store.db
    op = repo.get_operator(db, name)
    if op is None:
        if repo.list_operators(db):
            raise InputRefused([error("operator", "unknown_operator",
                                      f"{name!r} is not an operator here; choose one from the list.")])
        op = Operator(name=name)
    else:
        stored = repo.pin_hash(db, name)
        if stored is not None and not pin_matches(pin, stored):
            raise InputRefused([error("pin", "pin_wrong", "That PIN is not right; try again.")])
    ctx.operator = op.name
    return op
