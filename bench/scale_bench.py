"""Load on two API replicas sharing one PostgreSQL: N sessions (over --users accounts), each
login -> list notebooks -> small upload -> agent turn: its first SSE event, then read on to
the browser's turn (`execute`, reported as server_leg).

    .venv/bin/python bench/scale_bench.py            # 500 sessions starting over 60 s
    .venv/bin/python bench/scale_bench.py --ramp 0   # all 500 at once

It starts its own throwaway PostgreSQL (Debian's server binaries, max_connections
300; or give --database-url to create a throwaway database in an existing one),
a Chroma server (`chroma run` from the venv) and two uvicorn replicas on free
127.0.0.1 ports (RUN_JOB_WORKER=false: uploads are queued for workers, as in
production; add --worker to run one `app.worker` beside them), waits until the
replicas' start-up work is done, signs up the users beforehand (not measured),
then runs the sessions (starting evenly over --ramp seconds), alternating
replicas, and prints p50/p99 per step, the error rate, the most sessions in
flight at once, the CPU seconds each part used per session (independent of the
machine's other work, unlike the latencies) and the load average. Traffic goes
only to 127.0.0.1; the run is bounded by --sessions and --deadline; every
process it started is killed at the end (their logs are kept; the path is printed).
Target: p99 of the first agent event <= 150 ms with 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from load_bench import ThrowawayPostgres  # the same throwaway cluster as the single-server bench
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
PASSWORD = "bench-password-long-enough"
CSV = b"region,month,sales\nNorth,Jan,120\nSouth,Jan,95\nNorth,Feb,130\nSouth,Feb,101\n"
STEPS = ("login", "list", "upload", "first_event", "server_leg")  # server_leg: to `execute` (or `done`)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        todo += children.get(current, [])
    return total


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def create_database(url: str) -> str:
    base = make_url(url)
    name = f"kl_bench_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(base.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    finally:
        await conn.close()


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=BACKEND, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer: {log.read_text()[-2000:]}")


def wait_idle(proc: subprocess.Popen, timeout: float = 180) -> None:
    """Until the process's start-up work (loading the embedding model) is done: under 5% CPU for a second."""
    deadline, last = time.monotonic() + timeout, cpu_seconds(proc.pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_seconds(proc.pid)
        if now - last < 0.05:
            return
        last = now
    raise SystemExit(f"process {proc.pid} still busy after {timeout}s")


async def prepare_user(client: httpx.AsyncClient, i: int, sessions: int) -> list[dict]:
    """A user with `sessions` notebooks, one chat session each (each bench session its own)."""
    email = f"bench-{i}-{uuid.uuid4().hex[:6]}@example.com"
    r = await client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": ""})
    r.raise_for_status()
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    out = []
    for _ in range(sessions):
        notebook = (await client.post("/api/notebooks", json={"title": "Bench"}, headers=headers)).json()
        session = (await client.post(f"/api/notebooks/{notebook['id']}/sessions", json={"title": "Bench"},
                                     headers=headers)).json()
        out.append({"email": email, "notebook": notebook["id"], "session": session["id"]})
    return out


IN_FLIGHT = {"now": 0, "peak": 0}  # sessions between their login and their stream's end


async def run_session(client: httpx.AsyncClient, user: dict, times: dict[str, list[float]], errors: list[str],
                      delay: float = 0.0):
    await asyncio.sleep(delay)
    step = "login"
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["peak"] = max(IN_FLIGHT["peak"], IN_FLIGHT["now"])
    try:
        t = time.perf_counter()
        r = await client.post("/api/auth/login", json={"email": user["email"], "password": PASSWORD})
        r.raise_for_status()
        times["login"].append(time.perf_counter() - t)
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

        step = "list"
        t = time.perf_counter()
        (await client.get("/api/notebooks", headers=headers)).raise_for_status()
        times["list"].append(time.perf_counter() - t)

        step = "upload"
        t = time.perf_counter()
        r = await client.post(f"/api/notebooks/{user['notebook']}/materials", headers=headers,
                              files={"file": ("sales.csv", CSV, "text/csv")})
        r.raise_for_status()
        times["upload"].append(time.perf_counter() - t)

        step = "first_event"
        t = time.perf_counter()
        async with client.stream("POST", "/api/agent/chat", headers=headers,
                                 json={"session_id": user["session"], "message": "analyze this dataset"}) as r:
            r.raise_for_status()
            events = []
            async for line in r.aiter_lines():  # to the stream's end, as the page reads it
                if line.startswith("event:"):
                    if not events:
                        times["first_event"].append(time.perf_counter() - t)
                    events.append(line.partition(":")[2].strip())
        step = "server_leg"
        if not events or events[-1] not in ("execute", "done"):
            raise RuntimeError(f"stream ended after {events[-3:]}, not at the browser's turn or the end")
        times["server_leg"].append(time.perf_counter() - t)
    except Exception as exc:  # counted, reported
        errors.append(f"{step}: {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        IN_FLIGHT["now"] -= 1


async def run_bench(args: argparse.Namespace, server_url: str, pg_pid: int | None
                    ) -> tuple[dict[str, list[float]], list[str], float, dict[str, float]]:
    """Chroma server + two replicas on a throwaway database; prepare the users, run the sessions."""
    db_url = await create_database(server_url)
    tmp = Path(tempfile.mkdtemp(prefix="kl-scale-bench-"))
    chroma_port, ports = free_port(), [free_port(), free_port()]
    env = {**os.environ, "DATA_DIR": str(tmp / "data"), "DATABASE_URL": db_url, "LLM_PROVIDER": "offline",
           "SECRET_KEY": uuid.uuid4().hex * 2, "RUN_JOB_WORKER": "false", "LOG_LEVEL": "WARNING",
           "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port), "ANONYMIZED_TELEMETRY": "False",
           # every simulated person comes from 127.0.0.1: no per-address sign-up/sign-in limit
           "REGISTRATIONS_PER_ADDRESS": "0", "LOGIN_ATTEMPTS_PER_ADDRESS": "0"}
    procs: list[subprocess.Popen] = []
    try:
        log = tmp / "chroma.log"
        procs.append(start([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(tmp / "chroma"),
                            "--host", "127.0.0.1", "--port", str(chroma_port)], env, log))
        wait_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", procs[-1], log)
        for i, port in enumerate(ports):  # one after the other: the first one migrates
            log = tmp / f"replica-{i}.log"
            procs.append(start([sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host",
                                "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                "--backlog", str(max(2048, args.sessions * 2)),
                                # longer than the client's idle expiry (httpx: 5 s), as behind a proxy: otherwise
                                # the server may close a connection just as the client reuses it (ReadError)
                                "--timeout-keep-alive", "30"], env, log))
            wait_http(f"http://127.0.0.1:{port}/docs", procs[-1], log)
        for proc in procs[1:]:
            wait_idle(proc)
        if args.worker:
            procs.append(start([sys.executable, "-m", "app.worker"], env, tmp / "worker.log"))
        limits = httpx.Limits(max_connections=args.sessions + 10, max_keepalive_connections=args.sessions + 10)
        clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=60, limits=limits) for p in ports]
        try:
            t = time.perf_counter()
            per_user = [args.sessions // args.users + (i < args.sessions % args.users) for i in range(args.users)]
            users = []
            for start_at in range(0, args.users, 10):  # sign-up, not measured
                batches = await asyncio.gather(*(prepare_user(clients[i % 2], i, per_user[i])
                                                 for i in range(start_at, min(args.users, start_at + 10))))
                users += [u for batch in batches for u in batch]
            print(f"prepared {args.users} users, {len(users)} sessions in {time.perf_counter() - t:.1f}s")

            times: dict[str, list[float]] = {s: [] for s in STEPS}
            errors: list[str] = []
            parts = {"replicas": [p.pid for p in procs[1:3]], "chroma": [procs[0].pid],
                     "postgres": [pg_pid] if pg_pid else []}
            cpu_before = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in parts.items()}
            cpu_before["load generator"] = time.process_time()
            t = time.perf_counter()
            tasks = [run_session(clients[(i + 1) % 2], u, times, errors, args.ramp * i / len(users))
                     for i, u in enumerate(users)]
            try:
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.deadline)
            except TimeoutError:
                errors.append(f"deadline of {args.deadline}s reached")
            wall = time.perf_counter() - t
            cpu = {name: sum(cpu_seconds(pid) for pid in pids) - cpu_before[name] for name, pids in parts.items()}
            cpu["load generator"] = time.process_time() - cpu_before["load generator"]
        finally:
            for client in clients:
                await client.aclose()
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        await drop_database(db_url)
        shutil.rmtree(tmp / "data", ignore_errors=True)  # the logs stay, for a look at what failed
        shutil.rmtree(tmp / "chroma", ignore_errors=True)
        print(f"server logs: {tmp}")
    return times, errors, wall, cpu


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing PostgreSQL to create the throwaway database in "
                        "(default: start a throwaway cluster)")
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--users", type=int, default=50, help="sessions are spread over this many accounts")
    parser.add_argument("--deadline", type=float, default=300, help="seconds for the measured phase")
    parser.add_argument("--ramp", type=float, default=60,
                        help="sessions start evenly over this many seconds (0: all in the same instant)")
    parser.add_argument("--worker", action="store_true", help="also run one job worker (indexes the uploads)")
    args = parser.parse_args()
    assert 1 <= args.users <= args.sessions <= 2000 and 0 < args.deadline <= 900, "bounded runs only"

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with contextlib.ExitStack() as stack:
        pg_pid = None
        if args.database_url:
            server_url = args.database_url
        else:
            cluster = ThrowawayPostgres()
            server_url = stack.enter_context(cluster)
            pg_pid = int((cluster.dir / "data" / "postmaster.pid").read_text().split()[0])
        times, errors, wall, cpu = await run_bench(args, server_url, pg_pid)
    finished = len(times["first_event"])
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.sessions} sessions across 2 replicas ({os.cpu_count()} cores, shared machine), "
          f"started over {args.ramp:.0f}s, wall {wall:.1f}s, worker {'on' if args.worker else 'off'}; "
          f"at most {IN_FLIGHT['peak']} sessions in flight at once")
    print(f"{'step':<12} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for step in STEPS:
        values = [v * 1000 for v in times[step]]
        print(f"{step:<12} {len(values):>5} {percentile(values, 50):>9.1f} {percentile(values, 99):>9.1f} "
              f"{(max(values) if values else float('nan')):>9.1f}")
    print("CPU seconds in the measured phase (per session): "
          + ", ".join(f"{name} {secs:.1f} ({secs / args.sessions * 1000:.0f} ms)" for name, secs in cpu.items()))
    error_rate = len(errors) / args.sessions
    print(f"errors: {len(errors)} ({error_rate:.1%}); sessions that reached the first event: {finished}")
    for line in sorted(set(errors))[:10]:
        print("  ", line)
    p99 = percentile([v * 1000 for v in times["first_event"]], 99)
    print(f"target p99 first event <= 150 ms with 0 errors: {'met' if p99 <= 150 and not errors else 'NOT met'}"
          f" (p99 {p99:.1f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
