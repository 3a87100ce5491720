"""Load benchmark: login, list, upload and the agent's first event under concurrency.

For each database (SQLite, PostgreSQL) it starts its own uvicorn server on
127.0.0.1 with a temporary DATA_DIR (PostgreSQL: a throwaway cluster like
scripts/test.sh starts, unless --postgres-url is given), registers users, then
for each level (default 1 / 50 / 200 concurrent users) runs every operation
once per user at the same instant and prints p50 / p99 latency and the error
rate (HTTP >= 500, connection errors and requests unfinished when the level's
time bound, 60 s, ran out; expected 4xx such as 429 are counted apart).
Finally `GET /api/runtime` is sampled while 50 logins run (target p99 < 100 ms).

    .venv/bin/python bench/load_bench.py [--db sqlite,postgres] [--levels 1,50,200]
        [--ops login,list,upload,agent] [--backend backend] [--baseline /tmp/before/backend]

`--baseline` points at another checkout's backend folder (e.g. `git worktree
add /tmp/before <commit>`, sharing this .venv): each database is measured with
the baseline first, then with `--backend`, by the same client, and a table puts
the two side by side (PostgreSQL: one throwaway cluster, a fresh database each).
The load generator shares the machine with the server, so latencies are
pessimistic; errors are real.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark-password"
LEVEL_BOUND_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- servers --------------------------------------------------------------------


class ThrowawayPostgres:
    """initdb + pg_ctl start on a free 127.0.0.1 port; stopped and removed on exit."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = bins[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="load-bench-pg."))
        self.port = free_port()
        self.as_pg: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_pg, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> str:
        data = str(self.dir / "data")
        self._run(str(self.bin / "initdb"), "-D", data, "--auth=trust", "-U", "postgres")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=300"
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-l", str(self.dir / "server.log"), "-o", opts, "-w", "start")
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc) -> None:
        subprocess.run([*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                        "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_server(backend: Path, data_dir: Path, port: int, database_url: str) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "LLM_PROVIDER": "offline",
        "LOG_LEVEL": "WARNING",
        "PYODIDE_BUNDLE_DIR": str(ROOT / "pyodide_bundle" / "dist"),
        # The benchmark registers and signs in hundreds of users from one address.
        "LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
        "REGISTRATIONS_PER_ADDRESS": "100000",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    log = (data_dir.parent / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                             "--backlog", "4096"],
                            cwd=backend, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {(data_dir.parent / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/runtime", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


# --- users and operations ---------------------------------------------------------


@dataclass
class BenchUser:
    email: str
    token: str
    notebook_id: str
    session_id: str


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # 5xx, connection errors, unfinished in the bound
    refused: int = 0  # 4xx answers (e.g. 429)
    kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def csv_bytes(i: int) -> bytes:
    out = io.StringIO()
    out.write("region,month,sales\n")
    for r in range(50):
        out.write(f"R{r % 4},M{r % 12},{(r * 37 + i) % 500}\n")
    return out.getvalue().encode()


async def make_users(base: str, count: int) -> list[BenchUser]:
    users: list[BenchUser] = []
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:

        async def one(i: int) -> BenchUser:
            async with sem:
                email = f"load{i}-{uuid.uuid4().hex[:6]}@example.com"
                r = await client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
                r.raise_for_status()
                token = r.json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                nb = (await client.post("/api/notebooks", json={"title": "Load"}, headers=headers)).json()
                s = (await client.post(f"/api/notebooks/{nb['id']}/sessions", json={"title": "l"},
                                       headers=headers)).json()
                return BenchUser(email, token, nb["id"], s["id"])

        for i in range(0, count, 50):
            users += await asyncio.gather(*(one(j) for j in range(i, min(count, i + 50))))
    return users


async def op_login(client: httpx.AsyncClient, user: BenchUser, i: int) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})


async def op_list(client: httpx.AsyncClient, user: BenchUser, i: int) -> httpx.Response:
    return await client.get(f"/api/notebooks/{user.notebook_id}/materials",
                            headers={"Authorization": f"Bearer {user.token}"})


async def op_upload(client: httpx.AsyncClient, user: BenchUser, i: int, owner: BenchUser) -> httpx.Response:
    """Every concurrent upload goes into one notebook of one user (the hard case)."""
    return await client.post(f"/api/notebooks/{owner.notebook_id}/materials",
                             files={"file": (f"data{i}.csv", csv_bytes(i), "text/csv")},
                             headers={"Authorization": f"Bearer {owner.token}"})


async def op_agent(client: httpx.AsyncClient, user: BenchUser, i: int) -> float:
    """Milliseconds to the first SSE event; the turn is read to its end."""
    started = time.perf_counter()
    first = None
    async with client.stream("POST", "/api/agent/chat", json={"session_id": user.session_id, "message": "hello"},
                             headers={"Authorization": f"Bearer {user.token}"}) as r:
        if r.status_code >= 400:
            await r.aread()
            raise httpx.HTTPStatusError(str(r.status_code), request=r.request, response=r)
        async for line in r.aiter_lines():
            if first is None and line.startswith("event:"):
                first = (time.perf_counter() - started) * 1000
            if line.startswith("event: error"):
                raise RuntimeError("error event")
    if first is None:
        raise RuntimeError("no event")
    return first


async def run_level(base: str, op: str, users: list[BenchUser]) -> Outcome:
    outcome = Outcome()
    limits = httpx.Limits(max_connections=len(users) + 10, max_keepalive_connections=len(users) + 10)
    async with httpx.AsyncClient(base_url=base, timeout=LEVEL_BOUND_S, limits=limits) as client:

        async def one(i: int, user: BenchUser) -> None:
            started = time.perf_counter()
            try:
                if op == "agent":
                    outcome.latencies.append(await op_agent(client, user, i))
                    return
                if op == "upload":
                    r = await op_upload(client, user, i, users[0])
                else:
                    r = await {"login": op_login, "list": op_list}[op](client, user, i)
            except httpx.HTTPStatusError as exc:
                status = exc.response.status_code
                if status >= 500:
                    outcome.error(f"HTTP {status}")
                else:
                    outcome.refused += 1
                return
            except (httpx.HTTPError, RuntimeError, OSError) as exc:
                outcome.error(type(exc).__name__)
                return
            if r.status_code >= 500:
                outcome.error(f"HTTP {r.status_code}")
            elif r.status_code >= 400:
                outcome.refused += 1
            else:
                outcome.latencies.append((time.perf_counter() - started) * 1000)

        tasks = [asyncio.create_task(one(i, u)) for i, u in enumerate(users)]
        done, pending = await asyncio.wait(tasks, timeout=LEVEL_BOUND_S)
        for task in pending:
            task.cancel()
            outcome.error("unfinished in 60 s")
        await asyncio.gather(*pending, return_exceptions=True)
    return outcome


async def runtime_while_logins(base: str, users: list[BenchUser], logins: int = 50) -> tuple[list[float], Outcome]:
    """`GET /api/runtime` sampled back to back while `logins` logins run (each user logs in
    repeatedly until the sampling ends, so the load lasts the whole window)."""
    samples: list[float] = []
    outcome = Outcome()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=logins + 10)
    async with httpx.AsyncClient(base_url=base, timeout=LEVEL_BOUND_S, limits=limits) as client:

        async def login_loop(user: BenchUser) -> None:
            while not stop.is_set():
                try:
                    r = await op_login(client, user, 0)
                    if r.status_code >= 500:
                        outcome.error(f"HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    outcome.error(type(exc).__name__)

        loops = [asyncio.create_task(login_loop(u)) for u in users[:logins]]
        await asyncio.sleep(1.0)  # let the logins pile up
        async with httpx.AsyncClient(base_url=base, timeout=LEVEL_BOUND_S) as probe:
            end = time.perf_counter() + 8
            while time.perf_counter() < end:
                started = time.perf_counter()
                r = await probe.get("/api/runtime")
                if r.status_code == 200:
                    samples.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait(loops, timeout=LEVEL_BOUND_S)
    return samples, outcome


def row(op: str, level: int, o: Outcome) -> str:
    total = len(o.latencies) + o.errors + o.refused
    rate = 100 * o.errors / total if total else 0.0
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(o.kinds.items()))
    return (f"  {op:<7} {level:>4} users  p50 {pct(o.latencies, 0.5):8.0f} ms  p99 {pct(o.latencies, 0.99):8.0f} ms"
            f"  errors {o.errors:>3}/{total} ({rate:4.1f} %)  4xx {o.refused}" + (f"  [{kinds}]" if kinds else ""))


@dataclass
class Result:
    rows: list[tuple[str, int, Outcome]] = field(default_factory=list)
    runtime: list[float] = field(default_factory=list)
    runtime_login_errors: int = 0
    log_counts: dict[str, int] = field(default_factory=dict)


LOG_NEEDLES = ("QueuePool limit", "database is locked", "another operation is in progress")


async def bench_one(label: str, backend: Path, database_url: str, levels: list[int], ops: list[str]) -> Result:
    result = Result()
    with tempfile.TemporaryDirectory(prefix="load-bench.") as tmp:
        port = free_port()
        proc = start_server(backend, Path(tmp) / "data", port, database_url)
        base = f"http://127.0.0.1:{port}"
        try:
            print(f"[{label}] backend {backend}", flush=True)
            users = await make_users(base, max(max(levels), 50))
            for op in ops:
                for level in levels:
                    outcome = await run_level(base, op, users[:level])
                    result.rows.append((op, level, outcome))
                    print(row(op, level, outcome), flush=True)
            result.runtime, outcome = await runtime_while_logins(base, users)
            result.runtime_login_errors = outcome.errors
            print(f"  GET /api/runtime while 50 logins run: p50 {pct(result.runtime, 0.5):.0f} ms, "
                  f"p99 {pct(result.runtime, 0.99):.0f} ms ({len(result.runtime)} samples; login errors "
                  f"{outcome.errors})  (target p99 < 100 ms)", flush=True)
        except BaseException:
            print((Path(tmp) / "server.log").read_text()[-3000:])
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            errors = (Path(tmp) / "server.log").read_text(errors="replace")
            for needle in LOG_NEEDLES:
                if needle in errors:
                    result.log_counts[needle] = errors.count(needle)
                    print(f"  server log: {errors.count(needle)} x {needle!r}")
    return result


def side_by_side(db: str, results: dict[str, Result]) -> None:
    """A Markdown table: one row per operation and level, a column pair per backend."""
    labels = list(results)
    head = " | ".join(f"{lab} p50 / p99 ms | {lab} errors" for lab in labels)
    print(f"\n{db}\n\n| operation | users | {head} |")
    print("|---|---:|" + "---:|---:|" * len(labels))
    keys = [(op, level) for op, level, _ in results[labels[0]].rows]
    for op, level in keys:
        cells = []
        for lab in labels:
            outcome = next((o for k, n, o in results[lab].rows if (k, n) == (op, level)), None)
            if outcome is None:
                cells += ["–", "–"]
                continue
            total = len(outcome.latencies) + outcome.errors + outcome.refused
            cells += [f"{pct(outcome.latencies, 0.5):.0f} / {pct(outcome.latencies, 0.99):.0f}",
                      f"{outcome.errors}/{total}"]
        print(f"| {op} | {level} | " + " | ".join(cells) + " |")
    cells = []
    for lab in labels:
        r = results[lab]
        cells += [f"{pct(r.runtime, 0.5):.0f} / {pct(r.runtime, 0.99):.0f}", f"{r.runtime_login_errors} (logins)"]
    print("| GET /api/runtime during 50 logins | 50 | " + " | ".join(cells) + " |")
    for lab in labels:
        if results[lab].log_counts:
            print(f"\n{lab} server log: " + ", ".join(f"{v} x {k!r}" for k, v in results[lab].log_counts.items()))
    print(flush=True)


@asynccontextmanager
async def postgres_database(admin_url: str):
    """A fresh database on the server of `admin_url`, dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    name = f"load_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--levels", default="1,50,200")
    parser.add_argument("--ops", default="login,list,upload,agent")
    parser.add_argument("--backend", type=Path, default=ROOT / "backend")
    parser.add_argument("--baseline", type=Path, default=None, help="backend folder of the code to compare with")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    ops = [x.strip() for x in args.ops.split(",") if x.strip()]
    targets = {"after": args.backend.resolve()}
    if args.baseline:
        targets = {"before": args.baseline.resolve(), **targets}
    for db in args.db.split(","):
        results: dict[str, Result] = {}
        if db == "sqlite":
            for label, backend in targets.items():
                results[label] = await bench_one(f"SQLite, {label}", backend, "", levels, ops)
        elif db == "postgres":
            with nullcontext(args.postgres_url) if args.postgres_url else ThrowawayPostgres() as admin:
                for label, backend in targets.items():
                    async with postgres_database(admin) as url:
                        results[label] = await bench_one(f"PostgreSQL, {label}", backend, url, levels, ops)
        else:
            raise SystemExit(f"unknown --db {db!r}")
        side_by_side("SQLite" if db == "sqlite" else "PostgreSQL", results)


if __name__ == "__main__":
    asyncio.run(main())
