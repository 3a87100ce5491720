"""Register, log in, log out, me; who is refused and how."""

from __future__ import annotations

import pytest

from app.core.security import SESSION_COOKIE, create_access_token


async def test_register_returns_user_token_and_httponly_cookie(client):
    response = await client.post(
        "/api/auth/register", json={"email": "Ada@Example.com", "password": "long enough pw", "name": "Ada"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["name"] == "Ada"
    assert body["access_token"]
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in set_cookie.lower()


async def test_me_works_with_the_cookie(user_client):
    response = await user_client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json() == {k: user_client.user[k] for k in ("id", "email", "name")}


async def test_me_works_with_a_bearer_token_and_no_cookie(user_client, client):
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {user_client.token}"})
    assert response.status_code == 200
    assert response.json()["id"] == user_client.user["id"]


async def test_password_is_stored_as_argon2_hash(client, register, db):
    from sqlalchemy import select

    from app.models import User

    body = await register(client, email="hash@example.com", password="plain text secret")
    user = await db.scalar(select(User).where(User.id == body["user"]["id"]))
    assert user.password_hash.startswith("$argon2id$")
    assert "plain text secret" not in user.password_hash


async def test_duplicate_email_is_409(client, register):
    await register(client, email="twice@example.com")
    response = await client.post(
        "/api/auth/register", json={"email": "TWICE@example.com", "password": "another password"}
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


async def test_login_with_right_password(client, register, make_client):
    await register(client, email="login@example.com", password="right password")
    fresh = make_client()
    response = await fresh.post("/api/auth/login", json={"email": "login@example.com", "password": "right password"})
    assert response.status_code == 200
    assert (await fresh.get("/api/auth/me")).status_code == 200


async def test_login_with_wrong_password_or_unknown_email_is_401(client, register):
    await register(client, email="wrong@example.com", password="right password")
    for email, password in [("wrong@example.com", "not the password"), ("nobody@example.com", "whatever1")]:
        response = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.json()["detail"] == "Wrong email or password"


async def test_logout_clears_the_cookie(user_client):
    response = await user_client.post("/api/auth/logout")
    assert response.status_code == 204
    assert (await user_client.get("/api/auth/me")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": "long enough pw"},
        {"email": "short@example.com", "password": "short"},
        {"password": "long enough pw"},
    ],
)
async def test_invalid_registration_is_422(client, body):
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_malformed_json_body_is_422(client):
    response = await client.post(
        "/api/auth/register", content=b'{"email": "a@b.co", "password": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


PROTECTED = [
    ("GET", "/api/auth/me"),
    ("GET", "/api/notebooks"),
    ("POST", "/api/notebooks"),
    ("GET", "/api/notebooks/x"),
    ("PATCH", "/api/notebooks/x"),
    ("DELETE", "/api/notebooks/x"),
    ("POST", "/api/notebooks/x/materials"),
    ("GET", "/api/notebooks/x/materials"),
    ("GET", "/api/materials/x"),
    ("DELETE", "/api/materials/x"),
    ("GET", "/api/materials/x/raw"),
    ("GET", "/api/materials/x/text"),
    ("GET", "/api/notebooks/x/sessions"),
    ("POST", "/api/notebooks/x/sessions"),
    ("GET", "/api/sessions/x/messages"),
    ("DELETE", "/api/sessions/x"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_every_private_route_is_401_without_a_session(client, method, path):
    response = await client.request(method, path)
    assert response.status_code == 401
    assert response.json()["detail"] == "Not authenticated"


async def test_tampered_token_is_401(user_client, client):
    token = user_client.token
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for headers in ({"Authorization": f"Bearer {tampered}"}, {"Authorization": "Bearer garbage"}):
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 401
    client.cookies.set(SESSION_COOKIE, tampered)
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_expired_token_is_401(user_client, client, settings):
    expired = create_access_token(user_client.user["id"], expires_in=-1, secret_key=settings.SECRET_KEY)
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or expired session"


async def test_token_signed_with_another_key_is_401(user_client, client):
    forged = create_access_token(user_client.user["id"], secret_key="not-the-server-key")
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
