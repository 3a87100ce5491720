"""Signed file tokens and session tokens."""

from __future__ import annotations

import pytest

from app.core.security import (
    create_access_token,
    create_file_token,
    hash_password,
    read_access_token,
    verify_file_token,
    verify_password,
)

KEY = "test-secret-key"


def test_file_token_verifies_for_its_user_session_and_file():
    token = create_file_token("u1", "s1", "chart.png", secret_key=KEY)
    assert verify_file_token(token, "u1", "s1", "chart.png", secret_key=KEY)


@pytest.mark.parametrize(
    ("user", "session", "filename"),
    [("u2", "s1", "chart.png"), ("u1", "s2", "chart.png"), ("u1", "s1", "other.png"), ("u1", "s1", "../chart.png")],
)
def test_file_token_is_bound_to_user_session_and_filename(user, session, filename):
    token = create_file_token("u1", "s1", "chart.png", secret_key=KEY)
    assert not verify_file_token(token, user, session, filename, secret_key=KEY)


def test_expired_file_token_fails():
    token = create_file_token("u1", "s1", "a.csv", expires_in=-1, secret_key=KEY)
    assert not verify_file_token(token, "u1", "s1", "a.csv", secret_key=KEY)


def test_tampered_or_foreign_file_token_fails():
    token = create_file_token("u1", "s1", "a.csv", secret_key=KEY)
    assert not verify_file_token(token[:-3] + "xyz", "u1", "s1", "a.csv", secret_key=KEY)
    assert not verify_file_token(token, "u1", "s1", "a.csv", secret_key="another-key")
    assert not verify_file_token("", "u1", "s1", "a.csv", secret_key=KEY)
    assert not verify_file_token("not.a.token", "u1", "s1", "a.csv", secret_key=KEY)


def test_session_token_is_not_a_file_token_and_vice_versa():
    session_token = create_access_token("u1", secret_key=KEY)
    file_token = create_file_token("u1", "s1", "a.csv", secret_key=KEY)
    assert not verify_file_token(session_token, "u1", "s1", "a.csv", secret_key=KEY)
    assert read_access_token(file_token, secret_key=KEY) is None
    assert read_access_token(session_token, secret_key=KEY) == "u1"


def test_file_token_uses_the_app_secret_by_default(settings):
    token = create_file_token("u1", "s1", "a.csv")
    assert verify_file_token(token, "u1", "s1", "a.csv", secret_key=settings.SECRET_KEY)


def test_password_hash_round_trip():
    hashed = hash_password("s3cret pass")
    assert verify_password(hashed, "s3cret pass")
    assert not verify_password(hashed, "wrong")
    assert not verify_password("not-a-hash", "s3cret pass")


def test_new_hashes_use_the_configured_argon2_cost_and_older_hashes_still_verify(monkeypatch):
    from argon2 import PasswordHasher, extract_parameters

    from app.core import security
    from app.core.config import Settings

    older = PasswordHasher().hash("s3cret pass")  # argon2-cffi's default cost (64 MiB, 3 passes, 4 lanes)
    monkeypatch.setattr(security, "_hasher", security._hasher)  # restored afterwards
    monkeypatch.setattr(security, "_DUMMY_HASH", security._DUMMY_HASH)
    security.configure_password_hashing(Settings(SECRET_KEY="k", PASSWORD_HASH_MEMORY_KIB=8192,
                                                 PASSWORD_HASH_TIME_COST=3, PASSWORD_HASH_PARALLELISM=2))
    for hashed in (hash_password("s3cret pass"), security._DUMMY_HASH):
        cost = extract_parameters(hashed)
        assert (cost.memory_cost, cost.time_cost, cost.parallelism) == (8192, 3, 2)
    assert verify_password(older, "s3cret pass") and not verify_password(older, "wrong")


def test_the_default_cost_is_owasps_recommended_minimum():
    from argon2 import extract_parameters

    cost = extract_parameters(hash_password("s3cret pass"))
    assert (cost.type.name, cost.memory_cost, cost.time_cost, cost.parallelism) == ("ID", 19_456, 2, 1)
