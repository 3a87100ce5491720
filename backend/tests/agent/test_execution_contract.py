"""The execution-result route: checks on what is posted, and resuming anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from httpx import ASGITransport, AsyncClient

from app.main import create_app
from tests.agent.browser_harness import BrowserHarness
from tests.agent.conftest import new_session, sales_csv, signed_in_client, upload_material

GOOD_RESULT = {"ok": True, "stdout": "hello\n", "stderr": "", "duration_ms": 12, "files": [], "vars": {}}


async def paused_turn(env):
    turn = await env.harness.chat("analyze this dataset", follow=False)
    execute = turn.of("execute")
    assert turn.names()[-1] == "execute" and len(execute) == 1
    return turn, execute[0]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_unknown_run_and_unknown_exec_are_404(agent_env):
    turn, execute = await paused_turn(agent_env)
    client = agent_env.client
    missing_run = await client.post(f"/api/agent/runs/nope/executions/{execute['exec_id']}", json=GOOD_RESULT)
    assert missing_run.status_code == 404
    missing_exec = await client.post(f"/api/agent/runs/{turn.run_id}/executions/nope", json=GOOD_RESULT)
    assert missing_exec.status_code == 404
    # still waiting: the right result is accepted afterwards
    ok = await client.post(f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}", json=GOOD_RESULT)
    assert ok.status_code == 200


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_someone_elses_run_is_404(agent_env, other_client):
    turn, execute = await paused_turn(agent_env)
    response = await other_client.post(f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}",
                                       json=GOOD_RESULT)
    assert response.status_code == 404
    assert (await other_client.get(f"/api/agent/runs/{turn.run_id}")).status_code == 404
    assert (await agent_env.client.get(f"/api/agent/runs/{turn.run_id}")).json()["status"] == "awaiting_execution"


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_a_consumed_exec_id_is_409(agent_env):
    turn, execute = await paused_turn(agent_env)
    url = f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}"
    first = await agent_env.client.post(url, json=GOOD_RESULT)
    assert first.status_code == 200
    again = await agent_env.client.post(url, json=GOOD_RESULT)
    assert again.status_code == 409


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "body",
    [
        {"stdout": "missing ok"},
        {"ok": "certainly-not-a-bool", "stdout": ""},
        {"ok": True, "files": "not a list"},
        {"ok": True, "unexpected": 1},
        {"ok": True, "duration_ms": -5},
    ],
)
async def test_malformed_result_is_422_and_the_run_keeps_waiting(agent_env, body):
    turn, execute = await paused_turn(agent_env)
    url = f"/api/agent/runs/{turn.run_id}/executions/{execute['exec_id']}"
    assert (await agent_env.client.post(url, json=body)).status_code == 422
    assert (await agent_env.client.post(url, content=b"{not json", headers={"content-type": "application/json"})
            ).status_code == 422
    assert (await agent_env.client.get(f"/api/agent/runs/{turn.run_id}")).json()["status"] == "awaiting_execution"


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_unauthenticated_agent_routes_are_401(client):
    assert (await client.post("/api/agent/chat", json={"session_id": "x", "message": "hi"})).status_code == 401
    assert (await client.post("/api/agent/runs/r/executions/e", json=GOOD_RESULT)).status_code == 401
    assert (await client.get("/api/agent/files", params={"session_id": "x"})).status_code == 401


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_someone_elses_session_cannot_be_chatted_in_or_listed(agent_env, other_client):
    session_id = agent_env.session["id"]
    chat = await other_client.post("/api/agent/chat", json={"session_id": session_id, "message": "analyze"})
    assert chat.status_code == 404
    assert (await other_client.get("/api/agent/files", params={"session_id": session_id})).status_code == 404
    token = await other_client.post("/api/agent/files/token", json={"session_id": session_id, "filename": "a.csv"})
    assert token.status_code == 404


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_download_needs_a_valid_token_for_that_exact_file(agent_env):
    turn = await agent_env.harness.chat("export the data as a csv file")
    name = turn.of("file_ready")[0]["filename"]
    session_id, user_id = agent_env.session["id"], agent_env.client.user["id"]
    token = (await agent_env.client.post("/api/agent/files/token",
                                         json={"session_id": session_id, "filename": name})).json()["token"]
    base = f"/api/agent/download/{user_id}/{session_id}"
    assert (await agent_env.client.get(f"{base}/{name}", params={"token": token})).status_code == 200
    assert (await agent_env.client.get(f"{base}/{name}", params={"token": token[:-2] + "xx"})).status_code == 403
    assert (await agent_env.client.get(f"{base}/other.csv", params={"token": token})).status_code == 403
    assert (await agent_env.client.get(f"{base}/{name}")).status_code == 422
    traversal = await agent_env.client.get(f"{base}/..%2F..%2Fsecret_key", params={"token": token})
    assert traversal.status_code in (403, 404)


@pytest.mark.parametrize("db_backend", ["sqlite", "postgres"], indirect=True)
async def test_a_fresh_app_instance_resumes_a_paused_run(settings, register, tmp_path):
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        client = await signed_in_client(first, register)
        token = client.cookies.get("kepler_session")
        notebook, session = await new_session(client)
        await upload_material(client, notebook["id"], "sales.csv", sales_csv())
        turn = await BrowserHarness(client, session["id"], tmp_path).chat("analyze this dataset", follow=False)
        await client.aclose()
    assert turn.names()[-1] == "execute"

    second = create_app(settings)  # a new process, as far as the run can tell
    async with second.router.lifespan_context(second):
        client = AsyncClient(transport=ASGITransport(app=second), base_url="http://testserver",
                             headers={"Authorization": f"Bearer {token}"})
        harness = BrowserHarness(client, session["id"], tmp_path)
        await harness.follow(turn)
        assert turn.names()[-1] == "done"
        assert turn.of("meta")[0]["intent"] == "DATA_ANALYSIS"
        messages = (await client.get(f"/api/sessions/{session['id']}/messages")).json()
        assert messages[-1]["content"] == turn.answer and turn.answer
        await client.aclose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    backend = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=backend, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def _wait_ready(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
async def test_a_run_started_on_one_server_process_is_resumed_on_another(settings, database_url, tmp_path):
    env = {**os.environ, "DATA_DIR": str(settings.DATA_DIR), "DATABASE_URL": database_url,
           "SECRET_KEY": settings.SECRET_KEY, "LLM_PROVIDER": "offline"}
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start_server(env, ports[0], logs[0])]
    try:
        _wait_ready(ports[0], procs[0], logs[0])  # first one migrates; then the second starts
        procs.append(_start_server(env, ports[1], logs[1]))
        _wait_ready(ports[1], procs[1], logs[1])
        a = AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", timeout=60)
        b = AsyncClient(base_url=f"http://127.0.0.1:{ports[1]}", timeout=60)
        body = (await a.post("/api/auth/register", json={"email": "two@example.com", "password": "pw-long-enough-1",
                                                         "name": ""})).json()
        b.headers["Authorization"] = a.headers["Authorization"] = f"Bearer {body['access_token']}"
        notebook, session = await new_session(a)
        await upload_material(a, notebook["id"], "sales.csv", sales_csv())
        turn = await BrowserHarness(a, session["id"], tmp_path).chat("analyze this dataset", follow=False)
        assert turn.names()[-1] == "execute"
        harness_b = BrowserHarness(b, session["id"], tmp_path)
        await harness_b.follow(turn)  # mounts, uploads and the result all go to process B
        assert turn.names()[-1] == "done"
        assert "token" in turn.names()
        assert (await a.get(f"/api/agent/runs/{turn.run_id}")).json()["status"] == "completed"
        await a.aclose()
        await b.aclose()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)



@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_an_uploaded_html_file_is_never_served_as_html(agent_env):
    session_id = agent_env.session["id"]
    uploaded = await agent_env.client.post(
        "/api/agent/files", data={"session_id": session_id},
        files={"file": ("page.html", b"<script>alert(1)</script>", "text/html")})
    assert uploaded.status_code == 201
    raw = await agent_env.client.get(f"/api/agent/files/{uploaded.json()['id']}/raw")
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["x-content-type-options"] == "nosniff"
    token = (await agent_env.client.post("/api/agent/files/token",
                                         json={"session_id": session_id, "filename": "page.html"})).json()
    download = await agent_env.client.get(token["url"])
    assert download.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_a_generated_file_upload_cannot_escape_the_session_folder(agent_env, settings):
    session_id = agent_env.session["id"]
    uploaded = await agent_env.client.post(
        "/api/agent/files", data={"session_id": session_id},
        files={"file": ("../../../secret_key", b"overwritten", "text/plain")})
    assert uploaded.status_code == 201
    assert uploaded.json()["name"] == "secret_key"
    assert (settings.DATA_DIR / "secret_key").read_bytes() != b"overwritten"
    folder = settings.generated_output_path / agent_env.client.user["id"] / session_id
    assert (folder / "secret_key").read_bytes() == b"overwritten"
