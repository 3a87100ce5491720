"""Register, log in, log out, who am I."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.config import Settings
from app.core.deps import CurrentUser, SessionDep, SettingsDep
from app.core.security import (
    SESSION_COOKIE,
    create_access_token,
    hash_password_async,
    verify_password_async,
)
from app.models import User
from app.services import auth_throttle
from app.services.auth_throttle import Limit, client_address

router = APIRouter(prefix="/api/auth", tags=["auth"])

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalise_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(_normalise_email)]


class RegisterIn(BaseModel):
    email: Email
    password: str = Field(min_length=8, max_length=1024)
    name: str = Field(default="", max_length=200)


class LoginIn(BaseModel):
    email: Email
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str


class AuthOut(BaseModel):
    user: UserOut
    access_token: str
    token_type: str = "bearer"


def _cookie_secure(request: Request, settings: Settings) -> bool:
    """Secure when configured, or when this request came over HTTPS (behind a
    TLS proxy that is uvicorn's X-Forwarded-Proto, trusted with --proxy-headers)."""
    return settings.COOKIE_SECURE or request.url.scheme == "https"


def _signed_in(request: Request, response: Response, user: User, settings: Settings) -> AuthOut:
    token = create_access_token(user.id, secret_key=settings.SECRET_KEY)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.ACCESS_TOKEN_TTL,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request, settings),
        path="/",
    )
    return AuthOut(user=UserOut.model_validate(user), access_token=token)


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=AuthOut)
async def register(
    body: RegisterIn, request: Request, response: Response, db: SessionDep, settings: SettingsDep
):
    key = f"register-address:{client_address(request)}"
    refusal = "Too many registrations from this address"
    await auth_throttle.check(db, [Limit(key, settings.REGISTRATIONS_PER_ADDRESS, refusal)],
                              settings.AUTH_THROTTLE_WINDOW)
    await auth_throttle.record(db, [key], settings.AUTH_THROTTLE_WINDOW)  # commits: no connection held
    # Hash before the session touches the database again: no pooled connection is held meanwhile.
    password_hash = await hash_password_async(body.password)
    user = User(
        email=body.email,
        name=body.name.strip() or body.email.split("@")[0],
        password_hash=password_hash,
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "An account with this email already exists") from None
    return _signed_in(request, response, user, settings)


@router.post("/login", response_model=AuthOut)
async def login(body: LoginIn, request: Request, response: Response, db: SessionDep, settings: SettingsDep):
    window = settings.AUTH_THROTTLE_WINDOW
    account = f"login-account:{body.email}"
    address = f"login-address:{client_address(request)}"
    await auth_throttle.check(db, [
        Limit(account, settings.LOGIN_ATTEMPTS_PER_ACCOUNT, "Too many failed sign-in attempts for this account"),
        Limit(address, settings.LOGIN_ATTEMPTS_PER_ADDRESS, "Too many failed sign-in attempts from this address"),
    ], window)
    user = await db.scalar(select(User).where(User.email == body.email))
    # Counted before the check (a parallel burst is counted at once); the commit
    # also returns the connection to the pool before hashing.
    pending = await auth_throttle.record(db, [account, address], window)
    # Known or unknown email: one argon2 verification either way (a dummy hash for unknown).
    if not await verify_password_async(user.password_hash if user else None, body.password) or user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Wrong email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await auth_throttle.forget(db, keys=[account], ids=pending)
    return _signed_in(request, response, user, settings)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, settings: SettingsDep) -> Response:
    """Clears the cookie. (Tokens are stateless: a copied Bearer token stays
    valid until it expires.)"""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_cookie_secure(request, settings)
    )
    return response


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser):
    return user
