"""Hardening (issue 15): security headers, cross-origin refusal, hashing off the
event loop, no ORM objects shared between requests, /raw as an attachment."""

from __future__ import annotations

import threading

import pytest

from app.core import security


async def test_every_response_has_security_headers(client):
    for path in ("/api/runtime", "/api/auth/me", "/api/nowhere"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "img-src 'self' data: blob:" in csp and "connect-src 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_a_route_that_sets_its_own_csp_keeps_it(app, client):
    from fastapi.responses import HTMLResponse

    @app.get("/api/_own_csp_probe")
    def probe():
        return HTMLResponse("x", headers={"Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'"})

    app.router.routes.insert(0, app.router.routes.pop())  # before the SPA catch-all
    response = await client.get("/api/_own_csp_probe")
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


async def test_cookie_request_from_another_origin_is_refused(user_client, notebook, upload, sample_files):
    other = {"Origin": "http://testserver:5174"}
    r = await user_client.post("/api/notebooks", json={"title": "x"}, headers=other)
    assert r.status_code == 403
    r = await user_client.post("/api/notebooks", json={"title": "x"}, headers={"Sec-Fetch-Site": "same-site"})
    assert r.status_code == 403
    r = await user_client.post(
        f"/api/notebooks/{notebook['id']}/materials",
        files={"file": ("a.txt", sample_files.txt(), "text/plain")},
        headers=other,
    )
    assert r.status_code == 403
    assert (await user_client.get(f"/api/notebooks/{notebook['id']}/materials")).json() == []
    r = await user_client.post("/api/auth/logout", headers=other)
    assert r.status_code == 403
    assert (await user_client.get("/api/auth/me")).status_code == 200  # still signed in


async def test_same_origin_and_bearer_requests_work(user_client, client):
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert (await user_client.post("/api/notebooks", json={"title": "a"}, headers=same)).status_code == 201
    assert (await user_client.post("/api/notebooks", json={"title": "b"},
                                   headers={"Origin": "http://testserver"})).status_code == 201
    bearer = {"Authorization": f"Bearer {user_client.token}", "Origin": "http://elsewhere:9"}
    assert (await client.post("/api/notebooks", json={"title": "c"}, headers=bearer)).status_code == 201


async def test_material_raw_is_an_attachment(user_client, notebook, upload, sample_files):
    material = (await upload(user_client, notebook["id"], "notes.txt", sample_files.txt())).json()
    response = await user_client.get(f"/api/materials/{material['id']}/raw")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_password_hashing_runs_off_the_event_loop(client, register, monkeypatch):
    threads: list[str] = []
    real_hash, real_verify = security.hash_password, security.verify_password

    def spy_hash(password):
        threads.append(threading.current_thread().name)
        return real_hash(password)

    def spy_verify(password_hash, password):
        threads.append(threading.current_thread().name)
        return real_verify(password_hash, password)

    monkeypatch.setattr(security, "hash_password", spy_hash)
    monkeypatch.setattr(security, "verify_password", spy_verify)
    await register(client, email="thread@example.com", password="right password")
    await client.post("/api/auth/login", json={"email": "thread@example.com", "password": "right password"})
    # an unknown email is verified too (against a dummy hash): the same cost as a known one
    r = await client.post("/api/auth/login", json={"email": "ghost@example.com", "password": "whatever1"})
    assert r.status_code == 401
    assert len(threads) == 3
    assert threading.main_thread().name not in threads


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_the_user_cache_hands_out_no_shared_orm_object(user_client, app):
    from fastapi import Depends
    from sqlalchemy import inspect

    from app.core.deps import get_current_user

    seen = []

    @app.get("/api/_whoami_probe")
    async def probe(user=Depends(get_current_user)):
        seen.append(user)
        return {"id": user.id}

    app.router.routes.insert(0, app.router.routes.pop())
    for _ in range(2):
        assert (await user_client.get("/api/_whoami_probe")).json()["id"] == user_client.user["id"]
    assert seen[0] is not seen[1]
    assert inspect(seen[1]).session is None  # the cached one is not attached to any session


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_an_oversized_json_body_is_413_before_sign_in(client, settings):
    big = b'{"email": "a@b.co", "password": "' + b"x" * (settings.max_json_body_bytes + 10) + b'"}'
    r = await client.post("/api/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413

    async def chunks():
        for _ in range(settings.max_json_body_bytes // 65536 + 2):
            yield b"x" * 65536

    r = await client.post("/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
