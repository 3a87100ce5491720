"""Passwords, session tokens and signed file tokens.

- Passwords: argon2id (argon2-cffi).
- Session tokens: itsdangerous `URLSafeTimedSerializer` (HMAC with SECRET_KEY,
  its own salt) carrying the user id and an expiry; sent as the httpOnly cookie
  `kepler_session` or as `Authorization: Bearer <token>`.
- File tokens: same serializer with another salt, bound to (user, session,
  filename) and an expiry; used by the agent's download route.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.config import Settings, get_settings

SESSION_COOKIE = "kepler_session"
_SESSION_SALT = "keplerlab.session.v1"
_FILE_SALT = "keplerlab.file-token.v1"

_COST_SETTINGS = ("PASSWORD_HASH_MEMORY_KIB", "PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_PARALLELISM")


def _hasher_with(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)


# The settings' defaults until create_app() calls configure_password_hashing (no
# settings are read at import: that would create DATA_DIR/secret_key as a side effect).
_hasher = _hasher_with(*(Settings.model_fields[name].default for name in _COST_SETTINGS))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash of a random password: an unknown email is verified against it so
# that it costs as long as a known one (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def configure_password_hashing(settings: Settings) -> None:
    """New hashes, and the dummy, at the settings' argon2 cost (stored hashes keep theirs)."""
    global _hasher, _DUMMY_HASH
    cost = tuple(getattr(settings, name) for name in _COST_SETTINGS)
    if cost != (_hasher.memory_cost, _hasher.time_cost, _hasher.parallelism):
        _hasher = _hasher_with(*cost)
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _lower_priority() -> None:
    # Linux nice values are per thread (and inherited by argon2's lane threads): under a
    # burst of logins the hashing yields the CPU to the event loop, which keeps serving.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# One thread per core for argon2 (each hash also runs its own lane threads): the
# default pool (40 threads) let a burst of 50 logins starve every other request.
_hashing = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2",
                              initializer=_lower_priority)


async def hash_password_async(password: str) -> str:
    """argon2 in a worker thread: the event loop keeps serving while it runs."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """Off the event loop; a missing hash (unknown email) verifies the dummy, same cost."""
    ok = await asyncio.get_running_loop().run_in_executor(_hashing, verify_password,
                                                          password_hash or _DUMMY_HASH, password)
    return ok and password_hash is not None


def _serializer(salt: str, secret_key: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key or get_settings().SECRET_KEY, salt=salt)


def _load(salt: str, token: str, secret_key: str | None) -> dict | None:
    """The payload of a well-signed, unexpired token, else None."""
    try:
        data = _serializer(salt, secret_key).loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int | float):
        return None
    if data["exp"] <= time.time():
        return None
    return data


def create_access_token(
    user_id: str, expires_in: int | None = None, *, secret_key: str | None = None
) -> str:
    ttl = get_settings().ACCESS_TOKEN_TTL if expires_in is None else expires_in
    return _serializer(_SESSION_SALT, secret_key).dumps({"uid": user_id, "exp": time.time() + ttl})


def read_access_token(token: str, *, secret_key: str | None = None) -> str | None:
    """The user id in a valid session token, else None (bad signature, expired, garbage)."""
    data = _load(_SESSION_SALT, token, secret_key)
    uid = data.get("uid") if data else None
    return uid if isinstance(uid, str) else None


def create_file_token(
    user_id: str,
    session_id: str,
    filename: str,
    expires_in: int | None = None,
    *,
    secret_key: str | None = None,
) -> str:
    ttl = get_settings().FILE_TOKEN_TTL if expires_in is None else expires_in
    payload = {"u": user_id, "s": session_id, "f": filename, "exp": time.time() + ttl}
    return _serializer(_FILE_SALT, secret_key).dumps(payload)


def verify_file_token(
    token: str, user_id: str, session_id: str, filename: str, *, secret_key: str | None = None
) -> bool:
    data = _load(_FILE_SALT, token, secret_key)
    return bool(data) and (data.get("u"), data.get("s"), data.get("f")) == (
        user_id,
        session_id,
        filename,
    )
