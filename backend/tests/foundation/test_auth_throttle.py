"""Sign-in and registration throttling (issue 15): 429 with Retry-After and a
human message, per account and per client address, counted in the database
(shared by replicas); equal work for known and unknown emails; Secure cookies
over HTTPS."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from httpx import ASGITransport, AsyncClient

from app.core import security
from app.main import create_app
from app.services import auth_throttle

WRONG = "not the password"


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: `clock.now += seconds`."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(auth_throttle, "_now", lambda: Clock.now)
    return Clock


def login(client, email, password):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def client_at(app, address: str) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, client=(address, 5000)), base_url="http://testserver")


async def test_failed_sign_ins_lock_the_account_then_the_right_password_works_again(
    client, register, settings, monkeypatch, clock
):
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ACCOUNT", 3)
    await register(client, email="ann@example.com", password="right password")
    for _ in range(3):
        assert (await login(client, "ann@example.com", WRONG)).status_code == 401
    clock.now += 60
    locked = await login(client, "ann@example.com", "right password")  # even the right one, while locked
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == str(settings.AUTH_THROTTLE_WINDOW - 60)
    assert locked.json()["detail"] == "Too many failed sign-in attempts for this account. Try again in 14 minutes."

    clock.now += settings.AUTH_THROTTLE_WINDOW - 60
    assert (await login(client, "ann@example.com", "right password")).status_code == 200
    # a success clears the account's failures: three more wrong ones are needed to lock it again
    for _ in range(2):
        assert (await login(client, "ann@example.com", WRONG)).status_code == 401
    assert (await login(client, "ann@example.com", "right password")).status_code == 200


async def test_an_unknown_email_is_locked_the_same_way(client, settings, monkeypatch, clock):
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ACCOUNT", 2)
    for _ in range(2):
        assert (await login(client, "ghost@example.com", WRONG)).status_code == 401
    locked = await login(client, "ghost@example.com", WRONG)
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed sign-in attempts for this account.")


async def test_failures_from_one_address_lock_that_address_only(app, client, register, settings, monkeypatch, clock):
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ADDRESS", 4)
    await register(client, email="bob@example.com", password="right password")
    for i in range(4):  # a different email each time: the per-account limit never triggers
        assert (await login(client, f"guess{i}@example.com", WRONG)).status_code == 401
    refused = await login(client, "bob@example.com", "right password")
    assert refused.status_code == 429
    assert "from this address" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) == settings.AUTH_THROTTLE_WINDOW
    async with client_at(app, "198.51.100.7") as elsewhere:
        assert (await login(elsewhere, "bob@example.com", "right password")).status_code == 200


async def test_successful_sign_ins_are_not_counted(client, register, settings, monkeypatch):
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ACCOUNT", 2)
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ADDRESS", 2)
    await register(client, email="cat@example.com", password="right password")
    for _ in range(5):
        assert (await login(client, "cat@example.com", "right password")).status_code == 200


async def test_registration_is_throttled_per_address(app, client, register, settings, monkeypatch, clock):
    monkeypatch.setattr(settings, "REGISTRATIONS_PER_ADDRESS", 2)
    await register(client)
    await register(client)
    refused = await client.post("/api/auth/register", json={"email": "third@example.com", "password": "long enough"})
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many registrations from this address. Try again in")
    assert "retry-after" in refused.headers
    async with client_at(app, "198.51.100.8") as elsewhere:
        await register(elsewhere)
    clock.now += settings.AUTH_THROTTLE_WINDOW + 1
    await register(client)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_another_replica_on_the_same_database_sees_the_lock(client, settings, monkeypatch, clock):
    monkeypatch.setattr(settings, "LOGIN_ATTEMPTS_PER_ACCOUNT", 2)
    for _ in range(2):
        assert (await login(client, "dee@example.com", WRONG)).status_code == 401
    replica = create_app(settings)  # its own engine and process-level state; same database
    try:
        async with AsyncClient(transport=ASGITransport(app=replica), base_url="http://testserver") as other:
            assert (await login(other, "dee@example.com", WRONG)).status_code == 429
    finally:
        await replica.state.db.dispose()


async def test_known_and_unknown_emails_cost_one_equal_argon2_verification(client, register, monkeypatch):
    await register(client, email="eve@example.com", password="right password")
    verified: list[str] = []
    real = security._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            verified.append(password_hash)
            return real.verify(password_hash, password)

    monkeypatch.setattr(security, "_hasher", CountingHasher())
    assert (await login(client, "eve@example.com", WRONG)).status_code == 401
    assert (await login(client, "nobody@example.com", WRONG)).status_code == 401
    assert len(verified) == 2
    known, unknown = verified
    assert known != unknown and unknown == security._DUMMY_HASH
    # the same argon2 type, memory, time and parallelism: the same work
    assert extract_parameters(known) == extract_parameters(unknown)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_the_session_cookie_is_secure_over_https(app, register, make_client):
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    def cookie_of(response):
        return response.headers["set-cookie"]

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as plain:
        r = await plain.post("/api/auth/register", json={"email": "p@example.com", "password": "long enough"})
        assert "secure" not in cookie_of(r).lower()
    async with AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver") as tls:
        r = await tls.post("/api/auth/register", json={"email": "t@example.com", "password": "long enough"})
        assert "; secure" in cookie_of(r).lower()
        r = await tls.post("/api/auth/logout")
        assert "; secure" in cookie_of(r).lower()
    # behind a TLS proxy: plain HTTP to uvicorn, which trusts X-Forwarded-Proto from the proxy
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1")
    async with AsyncClient(transport=ASGITransport(app=proxied), base_url="http://testserver") as behind:
        r = await behind.post(
            "/api/auth/login",
            json={"email": "t@example.com", "password": "long enough"},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert r.status_code == 200 and "; secure" in cookie_of(r).lower()
