"""Concurrent use: many uploads into one notebook, lists and chat turns at the
same time get no 5xx (SQLite: "database is locked", pool exhaustion), and every
upload is stored once under its own workspace name. Both backends (PostgreSQL
when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio

from tests.agent.conftest import new_session

UPLOADS, LISTS, CHATS = 50, 50, 10


def _csv(i: int) -> bytes:
    return ("region,sales\n" + "".join(f"R{r},{r * i}\n" for r in range(30))).encode()


async def test_concurrent_uploads_lists_and_chats_get_no_server_errors(user_client, make_client, register):
    notebook, session = await new_session(user_client)
    materials_url = f"/api/notebooks/{notebook['id']}/materials"
    others = []
    for _ in range(CHATS):  # other people chatting meanwhile, each in a notebook of their own
        other = make_client()
        await register(other)
        others.append((other, (await new_session(other))[1]))

    async def upload(i: int):
        return await user_client.post(materials_url, files={"file": ("data.csv", _csv(i), "text/csv")})

    async def chat(client, chat_session):
        return await client.post("/api/agent/chat", json={"session_id": chat_session["id"], "message": "hello"})

    responses = await asyncio.gather(
        *(upload(i) for i in range(UPLOADS)),
        *(user_client.get(materials_url) for _ in range(LISTS)),
        *(chat(client, s) for client, s in others),
        return_exceptions=True,  # the test transport raises a server error instead of answering 500
    )

    failed = [r if isinstance(r, BaseException) else (r.request.url.path, r.status_code, r.text[:200])
              for r in responses if isinstance(r, BaseException) or r.status_code >= 500]
    assert failed == []
    uploads, lists, chats = responses[:UPLOADS], responses[UPLOADS:UPLOADS + LISTS], responses[UPLOADS + LISTS:]
    assert [r.status_code for r in uploads] == [201] * UPLOADS, [r.text for r in uploads if r.status_code != 201]
    assert all(r.status_code == 200 for r in lists)
    assert all(r.status_code == 200 and "event: done" in r.text and "event: error" not in r.text for r in chats)

    stored = (await user_client.get(materials_url)).json()
    assert len(stored) == UPLOADS
    # same file name fifty times: each got a distinct workspace name, none lost
    assert len({m["workspace_name"] for m in stored}) == UPLOADS
