"""Malformed input gets a 4xx, never a 500 (issue 15): NaN/Infinity in JSON, NUL
and lone surrogates in any text (NUL is fatal on PostgreSQL), NUL in the URL,
over-long and path-like generated-file names, a deck whose image is not an image."""

from __future__ import annotations

import pytest
from fastapi import Request

from app.models import ChatSession

JSON = {"Content-Type": "application/json"}


async def post_json(client, url: str, raw: str):
    return await client.post(url, content=raw.encode("utf-8", "surrogatepass"), headers=JSON)


async def titles(client) -> list[str]:
    return [n["title"] for n in (await client.get("/api/notebooks")).json()]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_finite_numbers_in_json_are_422(user_client, number):
    r = await post_json(user_client, "/api/notebooks", f'{{"title": {number}}}')
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_non_finite"


@pytest.mark.parametrize(
    ("escaped", "kind"),
    [("a\\u0000b", "text_nul"), ("a\\ud800b", "text_surrogate"), ("\\udfff", "text_surrogate")],
)
async def test_unstorable_characters_in_json_text_are_422_and_nothing_is_stored(user_client, escaped, kind):
    r = await post_json(user_client, "/api/notebooks", f'{{"title": "{escaped}"}}')
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["body", "title"], "msg": r.json()["detail"][0]["msg"], "type": kind}
    ]
    assert await titles(user_client) == []
    # the same character as a raw (UTF-8 / surrogatepass) byte sequence, and in a key
    raw = escaped.encode().decode("unicode_escape")
    assert (await post_json(user_client, "/api/notebooks", f'{{"title": "{raw}"}}')).status_code == 422
    assert (await post_json(user_client, "/api/notebooks", f'{{"t{raw}": "x"}}')).status_code == 422


async def test_a_surrogate_pair_is_an_ordinary_character(user_client):
    r = await post_json(user_client, "/api/notebooks", '{"title": "Plants \\ud83c\\udf31"}')
    assert r.status_code == 201
    assert await titles(user_client) == ["Plants \U0001f331"]


async def test_nul_in_the_path_or_query_is_422(user_client, notebook):
    assert (await user_client.get("/api/notebooks/%00")).status_code == 422
    assert (await user_client.get("/api/agent/files", params={"session_id": "a\x00"})).status_code == 422
    assert (await user_client.patch(f"/api/notebooks/{notebook['id']}%00", json={"title": "x"})).status_code == 422


async def test_odd_json_bodies_are_4xx(user_client):
    deep = "[" * 100_000 + "]" * 100_000
    assert (await post_json(user_client, "/api/notebooks", deep)).status_code == 422
    latin1 = '{"title": "caf\xe9"}'.encode("latin-1")
    r = await user_client.post("/api/notebooks", content=latin1, headers=JSON)
    assert 400 <= r.status_code < 500
    assert (await post_json(user_client, "/api/notebooks", '{"title": ')).status_code == 422


async def test_nul_in_a_multipart_form_field_is_4xx(user_client):
    r = await user_client.post(
        "/api/agent/files", data={"session_id": "a\x00b"}, files={"file": ("x.txt", b"x", "text/plain")}
    )
    assert 400 <= r.status_code < 500  # 404 on SQLite (no such session), 422 on PostgreSQL (NUL)


@pytest.fixture
async def chat_session(user_client, notebook, db) -> ChatSession:
    session = ChatSession(notebook_id=notebook["id"], user_id=user_client.user["id"], title="s")
    db.add(session)
    await db.commit()
    return session


async def test_generated_file_names_too_long_or_path_like(user_client, chat_session, settings):
    def send(name):
        return user_client.post(
            "/api/agent/files", data={"session_id": chat_session.id}, files={"file": (name, b"data", "text/plain")}
        )

    long = await send("r" * 250 + ".csv")
    assert long.status_code == 422 and "too long" in long.json()["detail"]
    assert (await send("é" * 130 + ".csv")).status_code == 422  # 260 bytes of UTF-8 in 134 characters
    ok = await send("r" * 230 + ".csv")
    assert ok.status_code == 201
    traversal = await send("../../../../escape.txt")
    assert traversal.status_code == 201 and traversal.json()["name"] == "escape.txt"
    folder = settings.generated_output_path / user_client.user["id"] / chat_session.id
    assert (folder / "escape.txt").read_bytes() == b"data"
    assert not (settings.DATA_DIR / "escape.txt").exists()
    assert not list(settings.DATA_DIR.parent.glob("escape.txt"))


async def test_a_deck_whose_image_is_not_an_image_is_422(user_client, notebook, chat_session, upload, sample_files):
    assert (await upload(user_client, notebook["id"], "notes.txt", sample_files.txt())).status_code == 201
    fake = await user_client.post(
        "/api/agent/files",
        data={"session_id": chat_session.id},
        files={"file": ("chart.png", b"<html>not a picture</html>", "image/png")},
    )
    assert fake.status_code == 201
    r = await user_client.post(
        f"/api/notebooks/{notebook['id']}/presentations", json={"image_file_id": fake.json()["id"]}
    )
    assert r.status_code == 422
    assert r.json()["detail"] == "The file is not a chart image"
    assert (await user_client.get(f"/api/notebooks/{notebook['id']}/presentations")).json() == []


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_program_output_keeps_its_text_with_unstorable_characters_replaced(app, user_client):
    seen = {}

    @app.post("/api/agent/runs/{run_id}/executions/{exec_id}")
    async def probe(run_id: str, exec_id: str, request: Request):
        seen.update(await request.json())
        return {}

    app.router.routes.insert(0, app.router.routes.pop())  # before the real route
    r = await post_json(user_client, "/api/agent/runs/r1/executions/e1", '{"ok": true, "stdout": "a\\u0000b\\ud800c"}')
    assert r.status_code == 200, r.text
    assert seen == {"ok": True, "stdout": "a\ufffdb\ufffdc"}

