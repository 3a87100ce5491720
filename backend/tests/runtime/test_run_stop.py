"""Stop and the sandbox page on the server (issue 11): a stopped result ends the
turn without repair, POST /api/agent/runs/{id}/stop ends a run that waits for
the browser or is mid-turn on the server, and the next message works."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from sqlalchemy import select

from app.models import AgentRun
from tests.agent.browser_harness import parse_stream
from tests.agent.conftest import agent_env, new_session, scripted_app, signed_in_client  # noqa: F401

GOOD_RESULT = {"ok": True, "stdout": "hello\n", "stderr": "", "duration_ms": 12, "files": [], "vars": {}}
STOPPED = {"ok": False, "stopped": True, "stdout": "rows so far: 10\n", "stderr": "Stopped by the user\n",
           "duration_ms": 4200, "files": [], "vars": {}}


async def paused(env, text="analyze this dataset"):
    turn = await env.harness.chat(text, follow=False)
    assert turn.names()[-1] == "execute", turn.names()
    return turn, turn.of("execute")[-1]


async def messages(client, session_id):
    return (await client.get(f"/api/sessions/{session_id}/messages")).json()


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_a_stopped_result_ends_the_turn_without_repair(agent_env):  # noqa: F811
    env = agent_env
    turn, execute = await paused(env)
    url = f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}"
    response = await env.client.post(url, json=STOPPED)
    assert response.status_code == 200
    events = parse_stream(response.text)
    names = [e.name for e in events]
    assert "repair_attempt" not in names and "execute" not in names
    assert names[-1] == "done" and events[-1].data["status"] == "stopped"
    step = next(e.data for e in events if e.name == "step_done")
    assert step["status"] == "stopped" and step["stdout"] == STOPPED["stdout"]
    answer = "".join(e.data["text"] for e in events if e.name == "token")
    assert answer.startswith("Stopped.") and "4.2 s" in answer

    run = (await env.client.get(f"/api/agent/runs/{turn.run_id}")).json()
    assert run["status"] == "stopped" and run["pending_execute"] is None
    last = (await messages(env.client, env.session["id"]))[-1]
    assert last["role"] == "assistant" and last["agent_metadata"]["status"] == "stopped"
    assert last["step_log"][-1]["status"] == "stopped"
    # the exec id is spent: the graph is never resumed from that pause
    assert (await env.client.post(url, json=GOOD_RESULT)).status_code == 409

    # the next message is a normal turn
    again = await env.harness.chat("analyze this dataset")
    assert again.of("done")[-1]["status"] == "completed"


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_stop_endpoint_while_waiting_for_the_browser(agent_env, other_client):  # noqa: F811
    env = agent_env
    turn, execute = await paused(env)
    assert (await other_client.post(f"/api/agent/runs/{turn.run_id}/stop")).status_code == 404
    assert (await env.client.post("/api/agent/runs/nope/stop")).status_code == 404
    response = await env.client.post(f"/api/agent/runs/{turn.run_id}/stop")
    assert response.status_code == 200 and response.json() == {"run_id": turn.run_id, "status": "stopped"}
    # idempotent, and a late result is refused
    assert (await env.client.post(f"/api/agent/runs/{turn.run_id}/stop")).json()["status"] == "stopped"
    late = await env.client.post(f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}", json=GOOD_RESULT)
    assert late.status_code in (404, 409)
    last = (await messages(env.client, env.session["id"]))[-1]
    assert last["agent_metadata"]["status"] == "stopped" and last["content"].startswith("Stopped")
    again = await env.harness.chat("analyze this dataset")
    assert again.of("done")[-1]["status"] == "completed"


class SlowModel(BaseChatModel):
    """A model that takes a minute to answer: the turn is mid-way on the server."""

    @property
    def _llm_type(self) -> str:
        return "slow"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        raise NotImplementedError

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        await asyncio.sleep(60)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="late"))])


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_stop_endpoint_mid_turn_on_the_server(scripted_app, register, tmp_path):  # noqa: F811
    async with scripted_app(model=SlowModel()) as app:
        client = await signed_in_client(app, register)
        _notebook, session = await new_session(client)
        chat = asyncio.create_task(client.post("/api/agent/chat",
                                               json={"session_id": session["id"], "message": "hello there"}))
        run_id = None
        for _ in range(200):
            async with app.state.db.sessionmaker() as db:
                run_id = (await db.execute(select(AgentRun.id).where(AgentRun.session_id == session["id"]))
                          ).scalar_one_or_none()
            if run_id:
                break
            await asyncio.sleep(0.05)
        assert run_id, "the turn never started"
        await asyncio.sleep(0.3)
        stopped = await client.post(f"/api/agent/runs/{run_id}/stop")
        assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
        response = await asyncio.wait_for(chat, timeout=30)
        events = parse_stream(response.text)
        assert events[-1].name == "done" and events[-1].data["status"] == "stopped"
        last = (await messages(client, session["id"]))[-1]
        assert last["agent_metadata"]["status"] == "stopped"
        await client.aclose()


async def test_the_sandbox_page_is_served_with_its_policy(app):
    from httpx import ASGITransport, AsyncClient

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.get("/api/runtime/sandbox")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "connect-src 'none'" in csp and "sandbox allow-scripts" in csp and "frame-ancestors 'self'" in csp
    # the relay script runs because its hash is in the policy (and nothing else inline does)
    bodies = [b for attrs, b in re.findall(r"<script([^>]*)>(.*?)</script>", response.text, flags=re.S)
              if "text/plain" not in attrs]
    assert len(bodies) == 1
    digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
