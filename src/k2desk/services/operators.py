"""Operators and their optional PINs (stored only as a salted scrypt hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets

from k2desk.domain.issues import FieldIssue, error
from k2desk.domain.models import Operator
from k2desk.domain.roles import PHARMACIST, ROLES, name_key
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
    # Digits 0-9 only: str.isdigit() also takes "²²²²" and full-width "１２３４", which hash
    # differently from the 1234 the same person types on another keyboard and never match again.
    if pin and not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        return [error(field, "pin_invalid", "A PIN is 4 to 12 digits (0-9); leave it empty for "
                                            "no PIN.")]
    return []


def list_operators(ctx: AppContext) -> list[Operator]:
    """Active operators, by name."""
    return repo.list_operators(ctx.store.db)


def check_role(role: str, field: str = "role") -> list[FieldIssue]:
    if role not in ROLES:
        return [error(field, "role_invalid",
                      f"The role {role!r} is not known: choose pharmacist or technician.")]
    return []


# Wrong PINs (issue 18): the first FREE_PIN_TRIES in a row cost nothing; from then on each
# wrong PIN makes the next try wait PIN_DELAY_S seconds, doubling each time up to PIN_DELAY_MAX_S.
# A right PIN starts the count again. A 4-digit PIN then takes days to guess, not seconds.
FREE_PIN_TRIES = 5
PIN_DELAY_S = 30
PIN_DELAY_MAX_S = 15 * 60


def pin_delay(failures: int) -> int:
    """Seconds the next try waits after ``failures`` wrong PINs in a row."""
    if failures < FREE_PIN_TRIES:
        return 0
    return min(PIN_DELAY_S * 2 ** (failures - FREE_PIN_TRIES), PIN_DELAY_MAX_S)


def _wait_text(seconds: float) -> str:
    s = max(1, math.ceil(seconds))
    return f"{s} seconds" if s < 120 else f"{math.ceil(s / 60)} minutes"


def check_pin_attempt(ctx: AppContext, name: str, pin: str | None, stored: str,
                      wrong_message: str, *, by: str | None = None) -> None:
    """Check ``pin`` against ``name``'s stored hash, with the wrong-PIN count kept in the
    database and audited. Used by every PIN prompt (sign-in at the lock screen and a
    pharmacist's confirmation). Raises InputRefused (field ``pin``) when the PIN is wrong or
    when ``name`` must still wait after too many wrong PINs; the PIN is not even checked then."""
    # Read, check and count in one write transaction (BEGIN IMMEDIATE): windows guessing at the
    # same moment take turns, so each one sees the failures counted before it and none slips past
    # the back-off on a stale count.
    refused: InputRefused | None = None
    with ctx.store.write() as w:
        failures, locked_until = repo.pin_attempts(w, name)
        now = dt.datetime.now(dt.UTC)
        if locked_until is not None:
            until = dt.datetime.fromisoformat(locked_until)
            if until > now:
                refused = InputRefused([error(
                    "pin", "pin_locked",
                    f"Too many wrong PINs for {name} in a row: wait "
                    f"{_wait_text((until - now).total_seconds())} before trying again. "
                    "Nothing was done.")])
        if refused is None and pin and pin_matches(pin, stored):
            if failures:
                repo.reset_pin_failures(w, name, by or ctx.operator or name)
            return
        if refused is None:
            failures += 1
            delay = pin_delay(failures)
            until_iso = ((now + dt.timedelta(seconds=delay)).isoformat(timespec="microseconds")
                         if delay else None)
            repo.record_pin_failure(w, name, failures, until_iso, by or ctx.operator or name)
            left = FREE_PIN_TRIES - failures
            after = (f" {left} more wrong {'PIN' if left == 1 else 'PINs'} and the next try waits."
                     if left > 0 else f" Wrong {failures} times in a row: the next try waits "
                     f"{_wait_text(delay)}.")
            refused = InputRefused([error("pin", "pin_wrong", wrong_message + after)])
    raise refused


def roles_in_use(ctx: AppContext) -> bool:
    """True once any operator is configured: from then on roles and PINs apply."""
    return bool(repo.list_operators(ctx.store.db))


def role_of(ctx: AppContext, name: str) -> str | None:
    """The role of the active operator ``name``; None when there is no such operator."""
    op = repo.get_operator(ctx.store.db, name)
    return None if op is None else op.role


def require_pharmacist(ctx: AppContext, name: str | None, *, action: str, pin: str | None = None,
                       field: str = "by") -> str:
    """The name to record for a pharmacist-only ``action`` ("acknowledge an interaction",
    "sign off the interaction table", ...), or InputRefused naming ``field``.

    With no operators configured (a one-person pharmacy) any non-empty name is accepted, as
    before roles existed. Once operators exist, ``name`` must be an active operator whose role
    is pharmacist. On the command line (``ctx.trust_login``) there is no PIN: the OS login is
    trusted and recorded beside the name. In the window, acting as anyone other than the
    signed-in operator takes that pharmacist's PIN, for this one action.
    """
    who = (name or "").strip()
    if not who:
        raise InputRefused([error(field, "required",
                                  f"Name the pharmacist who will {action}.")])
    issues = check_text(who, field, label="Pharmacist", max_length=100)
    if issues:
        raise InputRefused(issues)
    db = ctx.store.db
    if not repo.list_operators(db):
        return who
    op = repo.get_operator(db, who)
    if op is None:
        raise InputRefused([error(field, "unknown_operator",
                                  f"{who!r} is not an operator here; only a pharmacist listed in "
                                  f"Settings ▸ Operators may {action}.")])
    if op.role != PHARMACIST:
        raise InputRefused([error(field, "not_pharmacist",
                                  f"Only a pharmacist may {action}; {op.name} is a {op.role}. "
                                  "Ask a pharmacist to do it.")])
    if not ctx.trust_login and (pin is not None or op.name != ctx.operator):
        stored = repo.pin_hash(db, op.name)
        if stored is None:
            raise InputRefused([error("pin", "pin_missing",
                                      f"{op.name} has no PIN yet, so cannot confirm this here; "
                                      "set one in Settings ▸ Operators.")])
        check_pin_attempt(ctx, op.name, pin, stored,
                          f"That is not {op.name}'s PIN; nothing was done.")
    return op.name


def require_operator(ctx: AppContext) -> None:
    """Once operators exist, the one at the keyboard (``--operator``) must be one of them."""
    db = ctx.store.db
    if repo.list_operators(db) and repo.get_operator(db, ctx.operator) is None:
        raise InputRefused([error("operator", "unknown_operator",
                                  f"{ctx.operator!r} is not an operator here: give --operator "
                                  "with a name from 'k2desk operator list' (or set K2DESK_OPERATOR).")])


def _last_pharmacist_issues(ctx: AppContext, name: str, role: str | None) -> list[FieldIssue]:
    """Refuse leaving operators with no pharmacist (``role`` None: ``name`` is removed): nobody
    could acknowledge an interaction again, nor add a pharmacist back."""
    ops = repo.list_operators(ctx.store.db)
    after = [(o.name, role if o.name == name else o.role) for o in ops
             if not (o.name == name and role is None)]
    if after and not any(r == PHARMACIST for _, r in after) and any(
            o.role == PHARMACIST for o in ops):
        return [error("role" if role else "name", "last_pharmacist",
                      f"{name} is the last pharmacist: make another operator a pharmacist first "
                      "(or remove the technicians too, for a one-person pharmacy).")]
    return []


def _name_clash_issues(ctx: AppContext, name: str) -> list[FieldIssue]:
    """Two operators whose names print the same cannot be told apart on a document."""
    key = name_key(name)
    for op in repo.list_operators(ctx.store.db):
        if op.name != name and name_key(op.name) == key:
            return [error("name", "name_taken",
                          f"{op.name} is already an operator, and {name!r} would print the same "
                          "on a document: use the listed name, or a name that tells them apart.")]
    return []


def _check_manager(ctx: AppContext, by: str | None, pin: str | None) -> str:
    """Who may change operators: anyone while none exist, then a pharmacist."""
    if not repo.list_operators(ctx.store.db):
        return ctx.operator
    return require_pharmacist(ctx, by or ctx.operator, action="change operators", pin=pin)


def add_operator(ctx: AppContext, name: str, initials: str = "", pin: str = "",
                 role: str = PHARMACIST, *, by: str | None = None, by_pin: str | None = None) -> int:
    """Add (or re-activate) an operator; the PIN, if any, is stored only as a salted hash.

    A pharmacist must have a PIN (it confirms their pharmacist-only actions in the window).
    Once operators exist, only a pharmacist may add one.
    """
    issues = check_operator(name.strip())
    issues += check_text(initials, "initials", label="Initials", max_length=5)
    issues += check_pin(pin)
    issues += check_role(role)
    if role == PHARMACIST and not pin and not issues:
        existing = repo.get_operator(ctx.store.db, name.strip())
        issues.append(error("pin", "pin_required",
                            "A pharmacist needs a PIN (4 to 12 digits): it confirms "
                            "pharmacist-only actions when a technician is signed in."
                            + (" Type it again to keep it." if existing and existing.has_pin else "")))
    if not issues:
        issues += _name_clash_issues(ctx, name.strip())
        existing_op = repo.get_operator(ctx.store.db, name.strip())
        if existing_op is not None:
            issues += _last_pharmacist_issues(ctx, existing_op.name, role)
    if issues:
        raise InputRefused(issues)
    recorder = _check_manager(ctx, by, by_pin)
    with ctx.store.write() as db:
        return repo.add_operator(db, name.strip(), initials.strip().upper(),
                                 hash_pin(pin) if pin else None, recorder, role=role,
                                 login=ctx.login)


def set_operator_role(ctx: AppContext, name: str, role: str, *, by: str | None = None,
                      by_pin: str | None = None) -> Operator:
    """Make ``name`` a pharmacist or a technician (a pharmacist's decision)."""
    op = repo.get_operator(ctx.store.db, name)
    if op is None or op.id is None:
        raise NotFound(f"There is no operator named {name!r}.")
    recorder = _check_manager(ctx, by, by_pin)
    issues = check_role(role)
    if role == PHARMACIST and not op.has_pin and not issues:
        issues.append(error("pin", "pin_required",
                            f"{op.name} needs a PIN before becoming a pharmacist: set one first."))
    if not issues:
        issues += _last_pharmacist_issues(ctx, op.name, role)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        repo.set_role(db, op.id, role, recorder, login=ctx.login)
    changed = repo.get_operator(ctx.store.db, op.name)
    assert changed is not None
    return changed


def set_operator_pin(ctx: AppContext, name: str, pin: str) -> None:
    """Set or (with an empty PIN) clear an operator's PIN. A pharmacist's PIN cannot be
    cleared. Operators set their own; a pharmacist may set anyone's."""
    op = repo.get_operator(ctx.store.db, name)
    if op is None or op.id is None:
        raise NotFound(f"There is no operator named {name!r}.")
    issues = check_pin(pin)
    if not pin and op.role == PHARMACIST and not issues:
        issues.append(error("pin", "pin_required",
                            f"{op.name} is a pharmacist and must keep a PIN (4 to 12 digits)."))
    if issues:
        raise InputRefused(issues)
    if op.name != ctx.operator:
        require_pharmacist(ctx, ctx.operator, action="set another operator's PIN")
    with ctx.store.write() as db:
        repo.set_pin(db, op.id, hash_pin(pin) if pin else None, ctx.operator)


def remove_operator(ctx: AppContext, name: str, *, by: str | None = None,
                    by_pin: str | None = None) -> None:
    """Deactivate an operator (kept for the audit trail)."""
    op = repo.get_operator(ctx.store.db, name)
    if op is None or op.id is None:
        raise NotFound(f"There is no operator named {name!r}.")
    recorder = _check_manager(ctx, by, by_pin)
    issues = _last_pharmacist_issues(ctx, op.name, None)
    if issues:
        raise InputRefused(issues)
    with ctx.store.write() as db:
        repo.deactivate_operator(db, op.id, recorder)


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
        if stored is not None:
            # At the lock screen nobody is signed in: the attempt is recorded under the name tried.
            check_pin_attempt(ctx, op.name, pin, stored, "That PIN is not right; try again.",
                              by=op.name)
    ctx.operator = op.name
    return op
