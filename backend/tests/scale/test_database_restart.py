"""A PostgreSQL restart between turns fails no turn.

A throwaway cluster (initdb + pg_ctl, as the postgres user when run as root,
like scripts/test.sh) on a free 127.0.0.1 port; one turn, `pg_ctl restart -m
fast` (every pooled connection, SQLAlchemy's and the checkpointer's, is now
dead), then two more turns: both must complete. Skipped when the PostgreSQL
server binaries are missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from app.core.config import get_settings
from app.main import create_app
from tests.agent.browser_harness import BrowserHarness
from tests.agent.conftest import new_session

PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, root: Path) -> None:
        self.bin = PG_BINS[-1]
        self.root, self.data, self.port = root, root / "data", _free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_pg:
            shutil.chown(root, "postgres")

    def pg_ctl(self, *args: str) -> None:
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        subprocess.run([*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                        str(self.root / "server.log"), "-o", opts, "-w", "-t", "60", *args],
                       check=True, capture_output=True, timeout=90)

    def start(self) -> str:
        subprocess.run([*self.as_pg, str(self.bin / "initdb"), "-D", str(self.data), "--auth=trust", "-U",
                        "postgres"], check=True, capture_output=True, timeout=120)
        self.pg_ctl("start")
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)


@pytest.fixture
def cluster():
    if not PG_BINS:
        pytest.skip("PostgreSQL server binaries not installed")
    root = Path(tempfile.mkdtemp(prefix="kl-restart-pg."))  # pytest's tmp is root-only; postgres must enter
    cluster = Cluster(root)
    try:
        cluster.url = cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_settings(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


async def test_turns_after_a_postgres_restart_succeed(cluster, pg_settings, register, tmp_path):
    application = create_app(pg_settings)
    async with application.router.lifespan_context(application):
        client = AsyncClient(transport=ASGITransport(app=application), base_url="http://testserver")
        await register(client)
        _notebook, session = await new_session(client)
        harness = BrowserHarness(client, session["id"], tmp_path)

        first = await harness.chat("hello")
        assert first.of("done")[-1]["status"] == "completed", first.names()

        cluster.pg_ctl("restart", "-m", "fast")

        for message in ("hello again", "and once more"):
            turn = await harness.chat(message)
            assert "error" not in turn.names(), turn.of("error")
            assert turn.of("done")[-1]["status"] == "completed"
            assert turn.answer
        history = await client.get(f"/api/sessions/{session['id']}/messages")
        assert history.status_code == 200, history.text
        await client.aclose()
