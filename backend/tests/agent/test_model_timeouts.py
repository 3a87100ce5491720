"""A model server that hangs: the turn ends with an `error` event within the
configured limits, and the next turn works.

The server is a real OpenAI-compatible HTTP endpoint on 127.0.0.1 (a tiny
asyncio server in the test) whose behaviour the test switches: `silent`
accepts the request and never answers; `stall` starts a streamed answer and
then sends only SSE keep-alive comments (bytes keep coming, so a read timeout
alone never fires); `ok` streams a short answer.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select

from app.main import create_app
from app.models import AgentRun
from app.services.llm.deadline import LLMTimeoutError
from app.services.llm.factory import get_chat_model
from tests.agent.browser_harness import BrowserHarness
from tests.agent.conftest import new_session, signed_in_client

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class HangingModelServer:
    def __init__(self) -> None:
        self.mode = "silent"
        self.requests = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            self.requests += 1
            if self.mode == "silent":
                await asyncio.sleep(3600)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            if self.mode == "stall":
                writer.write(_chunk("Let me think"))
                while True:  # keep-alives only: the read timeout keeps being reset
                    writer.write(b": ping\n\n")
                    await writer.drain()
                    await asyncio.sleep(0.2)
            writer.write(_chunk("All good here.") + _chunk(None, "stop") + b"data: [DONE]\n\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


@pytest.fixture
async def model_server():
    server = HangingModelServer()
    url = await server.start()
    server.url = url
    yield server
    await server.stop()


@pytest.fixture
def hanging_model_app(settings, model_server):
    async def _make(**limits):
        model_settings = settings.model_copy(update={"LLM_PROVIDER": "openai", "LLM_BASE_URL": model_server.url,
                                                     "LLM_MODEL": "local", **limits})
        application = create_app(settings)
        application.state.llm_factory = lambda *args, **kwargs: get_chat_model(*args, settings=model_settings,
                                                                               **kwargs)
        return application

    return _make


async def _turn(harness: BrowserHarness, message: str):
    started = time.monotonic()
    turn = await harness.chat(message)
    return turn, time.monotonic() - started


async def _run_and_recover(application, register, tmp_path, model_server, mode: str, limit: float):
    async with application.router.lifespan_context(application):
        client = await signed_in_client(application, register)
        _notebook, session = await new_session(client)
        harness = BrowserHarness(client, session["id"], tmp_path)
        model_server.mode = mode
        turn, elapsed = await _turn(harness, "hello, how are you?")
        assert model_server.requests >= 1  # the model was really asked
        assert elapsed < limit + 5, elapsed
        names = turn.names()
        assert "error" in names and names[-1] == "done", names
        error = turn.of("error")[0]
        assert "language model" in error["message"].lower()
        assert turn.of("done")[-1]["status"] == "failed"

        # the failed run is recorded as failed, and the next turn is answered normally
        async with application.state.db.sessionmaker() as db:
            run = await db.get(AgentRun, turn.run_id)
            assert run.status == "failed" and run.error
        model_server.mode = "ok"
        turn, _ = await _turn(harness, "hello again")
        assert "error" not in turn.names()
        assert "All good here." in turn.answer
        assert turn.of("done")[-1]["status"] == "completed"
        async with application.state.db.sessionmaker() as db:
            statuses = (await db.execute(select(AgentRun.status).where(
                AgentRun.session_id == session["id"]))).scalars().all()
        assert sorted(statuses) == ["completed", "failed"]
        await client.aclose()


async def test_a_server_that_never_answers_ends_the_turn_with_an_error(hanging_model_app, register, tmp_path,
                                                                        model_server):
    # the read timeout is what fires here (1 s, retried by the client), well inside the total limit
    application = await hanging_model_app(LLM_CONNECT_TIMEOUT=1, LLM_READ_TIMEOUT=1, LLM_CALL_TIMEOUT=6)
    await _run_and_recover(application, register, tmp_path, model_server, "silent", limit=6)


async def test_a_stream_that_stalls_with_keepalives_ends_at_the_total_limit(hanging_model_app, register, tmp_path,
                                                                             model_server):
    # keep-alives reset the read timeout, so only the per-call limit can end this one
    application = await hanging_model_app(LLM_CONNECT_TIMEOUT=1, LLM_READ_TIMEOUT=30, LLM_CALL_TIMEOUT=2)
    await _run_and_recover(application, register, tmp_path, model_server, "stall", limit=2)


@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
async def test_every_provider_gives_up_at_the_total_limit(settings, model_server, provider):
    # the read limit is far away: only the per-call deadline can end these calls
    base_url = model_server.url if provider == "openai" else model_server.url.removesuffix("/v1")
    model = get_chat_model(settings=settings.model_copy(update={
        "LLM_PROVIDER": provider, "LLM_BASE_URL": base_url, "LLM_API_KEY": "test-key", "LLM_MODEL": "local",
        "LLM_CONNECT_TIMEOUT": 1, "LLM_READ_TIMEOUT": 30, "LLM_CALL_TIMEOUT": 1.5}))
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError, match="LLM_CALL_TIMEOUT"):
        await model.ainvoke("hello")
    with pytest.raises(LLMTimeoutError):
        async for _chunk in model.astream("hello"):
            pass
    assert time.monotonic() - started < 2 * 1.5 + 3
    assert model_server.requests >= 2
