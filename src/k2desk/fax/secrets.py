"""Where the fax gateway password lives: the OS keyring, or this session's memory. Never a file.

The keyring entry is service ``k2desk`` with the ``fax.username`` setting as its user name.
A machine with no usable keyring (a server with no desktop session raises ``NoKeyringError``)
gets a clear :class:`KeyringUnavailable`; the window then asks for the password for this session
only (kept in a :class:`SessionPasswords`), and the command line takes ``--password-stdin``.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "k2desk"

NO_KEYRING_HELP = (
    "There is no usable system keyring on this computer, so the fax password cannot be saved. "
    "Type it for this session only when the window asks, or give it to each command with "
    "--password-stdin (for example: k2desk fax send ... --password-stdin < password-file)."
)


class SecretError(Exception):
    """The password cannot be stored or read; the message says what to do."""


class KeyringUnavailable(SecretError):
    """No usable OS keyring (no backend, locked, or the backend failed)."""


class PasswordNotSet(SecretError):
    """The keyring works but holds no password for this user name."""


def _check_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise SecretError("The fax gateway user name (setting fax.username) is empty; set it first "
                          "with 'k2desk settings set fax.username NAME'.")
    return name


def get_password(username: str) -> str:
    """The stored password for ``username``; raises :class:`PasswordNotSet` or
    :class:`KeyringUnavailable`."""
    name = _check_username(username)
    try:
        value = keyring.get_password(SERVICE, name)
    except NoKeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP) from exc
    except KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring could not be read ({type(exc).__name__}). "
                                 + NO_KEYRING_HELP) from exc
    if not value:
        raise PasswordNotSet(f"No fax gateway password is saved for user {name!r}. Save it with "
                             "'k2desk fax set-password', or give it with --password-stdin.")
    return value


def set_password(username: str, password: str) -> None:
    """Save the password in the OS keyring (only there)."""
    name = _check_username(username)
    if not password:
        raise SecretError("The password is empty; nothing was saved.")
    try:
        keyring.set_password(SERVICE, name, password)
    except NoKeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP) from exc
    except KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring refused the password ({type(exc).__name__}). "
                                 + NO_KEYRING_HELP) from exc
    # A backend may accept the password and keep nothing (keyring's null.Keyring, a collection
    # that drops writes): read it back, so "saved" is never said of a password that is not there.
    try:
        back = keyring.get_password(SERVICE, name)
    except KeyringError:
        back = None
    if back != password:
        raise KeyringUnavailable("The system keyring took the password but does not give it back, "
                                 "so it was not saved. " + NO_KEYRING_HELP)


def delete_password(username: str) -> bool:
    """Remove the saved password; False when there was none."""
    name = _check_username(username)
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return False
    except NoKeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP) from exc
    except KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring failed ({type(exc).__name__}).") from exc
    return True


class SessionPasswords:
    """Passwords typed for this session only: held in memory, never written anywhere.

    The window keeps one of these when the keyring is unavailable and passes the password to
    the fax services; ``repr`` never shows a password.
    """

    def __init__(self) -> None:
        self._by_user: dict[str, str] = {}

    def remember(self, username: str, password: str) -> None:
        self._by_user[username.strip()] = password

    def get(self, username: str) -> str | None:
        return self._by_user.get(username.strip())

    def forget(self) -> None:
        self._by_user.clear()

    def __repr__(self) -> str:
        return f"SessionPasswords(users={sorted(self._by_user)!r})"


def lookup_password(username: str, session: SessionPasswords | None = None) -> str:
    """The session's password for ``username`` if one was typed, else the keyring's."""
    if session is not None:
        typed = session.get(username)
        if typed:
            return typed
    return get_password(username)


PROBE_USER = "k2desk-doctor-probe"


def keyring_can_store() -> tuple[bool, str]:
    """Whether the OS keyring really stores and returns a secret: a backend that exists but
    refuses everything (``keyring.backends.fail.Keyring``, a locked collection) is not usable.
    Writes one throw-away entry under its own user name and removes it again."""
    try:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
    except Exception as exc:  # noqa: BLE001 - any backend failure is reported, not raised
        return False, f"unavailable ({type(exc).__name__})"
    probe = "probe-" + __import__("secrets").token_hex(8)
    try:
        keyring.set_password(SERVICE, PROBE_USER, probe)
        back = keyring.get_password(SERVICE, PROBE_USER)
    except Exception as exc:  # noqa: BLE001 - the backend's own failure is the answer
        return False, f"{name} cannot store a password ({type(exc).__name__})"
    finally:
        try:
            keyring.delete_password(SERVICE, PROBE_USER)
        except Exception:  # noqa: BLE001, S110 - nothing was stored, or it is gone already
            pass
    if back != probe:
        return False, f"{name} did not return the password it was given"
    return True, name
