"""The keyring seam: stored only in the keyring, a clear error without one, session-only holder."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from k2desk.fax import secrets


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_password_round_trip_uses_service_k2desk(memory_keyring):
    secrets.set_password("fax-user", "pw-1")
    assert memory_keyring.store == {("k2desk", "fax-user"): "pw-1"}
    assert secrets.get_password("fax-user") == "pw-1"
    assert secrets.delete_password("fax-user") is True
    with pytest.raises(secrets.PasswordNotSet) as info:
        secrets.get_password("fax-user")
    assert "set-password" in str(info.value)


def test_no_keyring_is_a_clear_typed_error(no_keyring):
    with pytest.raises(secrets.KeyringUnavailable) as info:
        secrets.set_password("fax-user", "pw")
    assert "--password-stdin" in str(info.value)
    with pytest.raises(secrets.KeyringUnavailable):
        secrets.get_password("fax-user")


def test_empty_user_name_names_the_setting():
    with pytest.raises(secrets.SecretError) as info:
        secrets.get_password("  ")
    assert "fax.username" in str(info.value)


def test_session_passwords_come_first_and_never_show(no_keyring):
    session = secrets.SessionPasswords()
    session.remember("fax-user", "typed-pw")
    assert secrets.lookup_password("fax-user", session) == "typed-pw"
    assert "typed-pw" not in repr(session)
    session.forget()
    with pytest.raises(secrets.KeyringUnavailable):
        secrets.lookup_password("fax-user", session)
