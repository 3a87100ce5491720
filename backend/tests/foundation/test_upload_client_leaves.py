"""A real uvicorn server: a client that sends a slow DOCX and hangs up while it is
being read. The extraction worker is killed and nothing is saved (the old code
read on for minutes and then saved the material for nobody)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests import hostile_files

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
BACKEND = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def _extraction_workers(server_pid: int) -> list[int]:
    """Grandchildren of the server: the forkserver's children (the embedding warm-up is a thread)."""
    return [w for child in _children(server_pid) for w in _children(child)]


@pytest.fixture
def live_server(settings, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATA_DIR": str(settings.DATA_DIR), "DATABASE_URL": settings.DATABASE_URL,
           "LLM_PROVIDER": "offline", "EXTRACTION_TIMEOUT": "300"}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=BACKEND, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(base + "/api/runtime", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield proc, base, port
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
        log.close()


def test_client_hanging_up_during_extraction_saves_nothing(live_server, settings, tmp_path):
    proc, base, port = live_server
    client = httpx.Client(base_url=base, timeout=60)
    token = client.post("/api/auth/register", json={"email": "leaver@example.com",
                                                    "password": "correct horse battery", "name": ""}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    notebook = client.post("/api/notebooks", json={"title": "Leaving"}).json()
    request = client.build_request("POST", f"/api/notebooks/{notebook['id']}/materials",
                                   files={"file": ("long.docx", hostile_files.long_docx(paragraphs=400_000))})
    head = f"POST {request.url.raw_path.decode()} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in request.headers.items()) + "\r\n"

    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode() + request.read())  # the whole body: the upload is received
        deadline = time.monotonic() + 30
        while not _extraction_workers(proc.pid):
            assert time.monotonic() < deadline, "no extraction worker started"
            time.sleep(0.05)
    # hung up; the server notices within its poll interval and kills the worker
    deadline = time.monotonic() + 10
    while _extraction_workers(proc.pid):
        assert time.monotonic() < deadline, "the extraction worker outlived the client"
        time.sleep(0.1)

    assert client.get(f"/api/notebooks/{notebook['id']}/materials").json() == []
    roots = (settings.materials_path, settings.upload_tmp_path)
    assert [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()] == []
    assert "Traceback" not in (tmp_path / "server.log").read_text()
