"""Dependencies as `Annotated` aliases, so route signatures read as sentences:

    async def read_material(material_id: str, user: CurrentUser, db: SessionDep): ...
"""

from __future__ import annotations

import time
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.database import Database, get_session
from app.core.security import SESSION_COOKIE, read_access_token
from app.models import User

ModelT = TypeVar("ModelT")

SessionDep = Annotated[AsyncSession, Depends(get_session)]


# `async def` although nothing is awaited: FastAPI runs a plain `def` dependency in
# its thread pool, a thread hop per request (measured: the largest share of the
# event loop's time under bench/scale_bench.py's 500 sessions).
async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.db


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def token_from_request(request: Request) -> str | None:
    """The session token from `Authorization: Bearer …`, else from the cookie."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def get_current_user(request: Request, db: SessionDep, settings: SettingsDep) -> User:
    token = token_from_request(request)
    if not token:
        raise _unauthorized("Not authenticated")
    user_id = read_access_token(token, secret_key=settings.SECRET_KEY)
    if user_id is None:
        raise _unauthorized("Invalid or expired session")
    cached = _known_users.get(user_id)
    if cached is not None and cached[0] > time.monotonic():
        # A fresh, unattached User per request, built from plain data: no ORM
        # object is shared between requests (another request's rollback cannot
        # expire it, and no session is touched by reading it).
        return User(**cached[1])
    user = await db.get(User, user_id)
    if user is None:
        raise _unauthorized("Invalid or expired session")
    _remember_user(user)
    return user


# The signature already proves who the caller is; the lookup only proves the
# account still exists. Remembering that for a minute takes a database round
# trip off every request (routes read nothing of the user but its id).
_USER_TTL_S = 60.0
_MAX_KNOWN_USERS = 10_000
_known_users: dict[str, tuple[float, dict[str, Any]]] = {}
_CACHED_FIELDS = ("id", "email", "name", "created_at")


def _remember_user(user: User) -> None:
    if len(_known_users) >= _MAX_KNOWN_USERS:
        _known_users.clear()
    data = {f: getattr(user, f) for f in _CACHED_FIELDS if hasattr(User, f)}
    _known_users[user.id] = (time.monotonic() + _USER_TTL_S, data)


CurrentUser = Annotated[User, Depends(get_current_user)]


_LABELS = {"ChatSession": "Chat session", "GeneratedFile": "File", "AgentRun": "Run"}


async def get_owned_or_404(db: AsyncSession, model: type[ModelT], obj_id: Any, user: User) -> ModelT:
    """The `model` row with this id owned by `user` (its `user_id`), else 404.

    Someone else's object and a missing one answer the same, so an id never
    leaks whether it exists.
    """
    obj = await db.get(model, str(obj_id)) if obj_id else None
    if obj is None or obj.user_id != user.id:  # type: ignore[attr-defined]
        label = _LABELS.get(model.__name__, model.__name__)
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{label} not found")
    return obj
