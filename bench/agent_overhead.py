"""Agent overhead benchmark: what a turn costs the server when the browser runs the code.

Prints
  1. server CPU ms per analysis turn (offline model), measured from the server
     process's /proc counters, versus the CPU ms of running the same generated
     code server-side in a subprocess (what executing it on the server would
     cost), and their ratio (target ≤ 0.05);
  2. time to the first SSE event of a turn, p50 / p99, with 1 and with 100
     concurrent sessions on one uvicorn worker (target ≤ 30 ms p50, ≤ 100 ms p99).

Usage:  .venv/bin/python bench/agent_overhead.py [--turns 5] [--concurrency 100]
It starts its own server on 127.0.0.1 with a temporary data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from tests.agent.browser_harness import BrowserHarness  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """User + system CPU of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_csv(rows: int = 2_000) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "region", "product", "units", "price", "returns"])
    regions, products = ["North", "South", "East", "West"], ["Widget", "Gadget", "Gizmo"]
    for i in range(rows):
        writer.writerow([f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", regions[i % 4], products[i % 3],
                         50 + (i * 37) % 150, [10.5, 25.0, 99.0][i % 3], (i * 7) % 16])
    return buffer.getvalue().encode()


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATA_DIR": str(data_dir), "LLM_PROVIDER": "offline", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"],
                            cwd=ROOT / "backend", env=env, stdout=subprocess.DEVNULL,
                            stderr=(data_dir.parent / "server.log").open("w"))
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


async def signed_in(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    body = (await client.post("/api/auth/register", json={"email": email, "password": "benchmark-password"})).json()
    client.headers["Authorization"] = f"Bearer {body['access_token']}"
    return client


async def new_session(client: httpx.AsyncClient) -> tuple[str, str]:
    notebook = (await client.post("/api/notebooks", json={"title": "Bench"})).json()
    session = (await client.post(f"/api/notebooks/{notebook['id']}/sessions", json={"title": "b"})).json()
    return notebook["id"], session["id"]


async def wait_for_indexing(client: httpx.AsyncClient, material_id: str) -> None:
    for _ in range(600):
        state = (await client.get(f"/api/materials/{material_id}/index")).json()
        if state.get("status") in ("ready", "failed"):
            return
        await asyncio.sleep(0.2)


async def measure_cpu(base: str, pid: int, turns: int, workdir: Path) -> tuple[list[float], list[float]]:
    client = await signed_in(base, "cpu@example.com")
    notebook_id, session_id = await new_session(client)
    material = (await client.post(f"/api/notebooks/{notebook_id}/materials",
                                  files={"file": ("sales.csv", sample_csv(), "text/csv")})).json()
    await wait_for_indexing(client, material["id"])  # embedding the upload is not part of a turn
    harness = BrowserHarness(client, session_id, workdir, upload_files=True)
    server_ms, code_ms = [], []
    await harness.chat("analyze this dataset")  # warm-up: imports, profile cache, model load
    for _ in range(turns):
        server_before, children_before = cpu_ms(pid), children_cpu_ms()
        turn = await harness.chat("analyze this dataset")  # the whole turn, result post included
        server_ms.append(cpu_ms(pid) - server_before)
        code_ms.append(children_cpu_ms() - children_before)
        assert turn.names()[-1] == "done", turn.names()
    await client.aclose()
    return server_ms, code_ms


async def first_event_latency(base: str, sessions: int) -> list[float]:
    clients = []
    for i in range(sessions):
        client = await signed_in(base, f"latency{i}-{sessions}@example.com")
        _, session_id = await new_session(client)
        clients.append((client, session_id))

    async def one(client: httpx.AsyncClient, session_id: str) -> float:
        started = time.perf_counter()
        elapsed = None
        async with client.stream("POST", "/api/agent/chat", json={"session_id": session_id, "message": "hello"}) as r:
            async for line in r.aiter_lines():  # read to the end so the turn finishes cleanly
                if elapsed is None and line.startswith("event:"):
                    elapsed = (time.perf_counter() - started) * 1000
        if elapsed is None:
            raise RuntimeError(f"no event (HTTP {r.status_code})")
        return elapsed

    for client, session_id in clients:  # each session's first turn happened before the burst
        await one(client, session_id)
    latencies = await asyncio.gather(*(one(c, s) for c, s in clients))
    for client, _ in clients:
        await client.aclose()
    return list(latencies)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = start_server(Path(tmp) / "data", port)
        base = f"http://127.0.0.1:{port}"
        try:
            server_ms, code_ms = await measure_cpu(base, proc.pid, args.turns, Path(tmp))
            per_turn, code = statistics.median(server_ms), statistics.median(code_ms)
            print(f"server CPU per analysis turn (median of {args.turns}): {per_turn:.1f} ms")
            print(f"same generated code run server-side in a subprocess: {code:.1f} ms CPU")
            print(f"ratio server/subprocess: {per_turn / code:.3f}  (target <= 0.05)")
            for sessions in (1, args.concurrency):
                lat = await first_event_latency(base, sessions)
                print(f"time to first SSE event, {sessions} concurrent session(s): "
                      f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms  (target p50 <= 30, p99 <= 100)")
        except BaseException:
            print((Path(tmp) / "server.log").read_text()[-3000:])
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    asyncio.run(main())
