"""Agent overhead benchmark: what a turn costs the server when the browser runs the code.

Prints
  1. server CPU ms per analysis turn (offline model), measured from the server
     process's /proc counters, versus the CPU ms of running the same generated
     code server-side in a subprocess (what executing it on the server would
     cost), and their ratio (target ≤ 0.05);
  2. time to the first SSE event of a turn, p50 / p99, on one uvicorn worker:
     one session; 100 live sessions each sending turns at random moments; and
     the worst case, 100 sessions sending at the same instant
     (target ≤ 30 ms p50, ≤ 100 ms p99 at 100 sessions).

Usage:  .venv/bin/python bench/agent_overhead.py [--turns 5] [--concurrency 100]
It starts its own server on 127.0.0.1 with a temporary data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
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


async def open_sessions(base: str, sessions: int, tag: str) -> list[tuple[httpx.AsyncClient, str]]:
    clients = []
    for i in range(sessions):
        client = await signed_in(base, f"latency{i}-{tag}@example.com")
        _, session_id = await new_session(client)
        clients.append((client, session_id))
    for client, session_id in clients:  # each session's first turn happens before measuring
        await first_event_ms(client, session_id)
    return clients


async def first_event_ms(client: httpx.AsyncClient, session_id: str) -> float:
    """Milliseconds from sending a turn to its first SSE event (the turn is read to its end)."""
    started = time.perf_counter()
    elapsed = None
    async with client.stream("POST", "/api/agent/chat", json={"session_id": session_id, "message": "hello"}) as r:
        async for line in r.aiter_lines():
            if elapsed is None and line.startswith("event:"):
                elapsed = (time.perf_counter() - started) * 1000
    if elapsed is None:
        raise RuntimeError(f"no event (HTTP {r.status_code})")
    return elapsed


async def burst_latency(clients) -> list[float]:
    """Every session sends a turn at the same instant: the worst case."""
    return list(await asyncio.gather(*(first_event_ms(c, s) for c, s in clients)))


async def live_sessions_latency(clients, seconds: float, turns_per_session: int) -> list[float]:
    """Every session sends turns at random moments over `seconds` (people typing)."""
    rng = random.Random(7)

    async def session(client, session_id) -> list[float]:
        moments = sorted(rng.uniform(0, seconds) for _ in range(turns_per_session))
        start, out = time.perf_counter(), []
        for moment in moments:
            await asyncio.sleep(max(0.0, moment - (time.perf_counter() - start)))
            out.append(await first_event_ms(client, session_id))
        return out

    results = await asyncio.gather(*(session(c, s) for c, s in clients))
    return [x for r in results for x in r]


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
            target = "(target p50 <= 30, p99 <= 100)"
            one = await open_sessions(base, 1, "one")
            lat = [await first_event_ms(*one[0]) for _ in range(20)]
            print(f"time to first SSE event, 1 session: p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms  {target}")
            many = await open_sessions(base, args.concurrency, "many")
            lat = await live_sessions_latency(many, seconds=10, turns_per_session=2)
            print(f"time to first SSE event, {args.concurrency} live sessions ({len(lat)} turns at random moments "
                  f"over 10 s): p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms  {target}")
            lat = await burst_latency(many)
            print(f"time to first SSE event, {args.concurrency} sessions sending at the same instant (worst case): "
                  f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms")
            for client, _ in one + many:
                await client.aclose()
        except BaseException:
            print((Path(tmp) / "server.log").read_text()[-3000:])
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    asyncio.run(main())
