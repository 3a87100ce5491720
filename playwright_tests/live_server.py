"""A real KeplerLab server for end-to-end tests: uvicorn in a subprocess on a
free 127.0.0.1 port, SQLite + Chroma in a temporary DATA_DIR, the offline
model (unless extra env says otherwise), the built SPA and Pyodide bundle.

    from live_server import live_server  # noqa: F401  (a module-scoped fixture)

    def test_x(live_server, page): page.goto(live_server) ...

For other settings (a scripted model, a short CODE_EXECUTION_TIMEOUT, ...):

    with LiveServer(tmp_dir, {"LLM_PROVIDER": "scripted", "LLM_SCRIPT_PATH": str(script)}) as server:
        page.goto(server.url)

A server that dies or never answers raises with the tail of its log; a fixture
built on `serve()` prints that tail when a test that used it failed.
`start_live_server(data_dir)` / `stop_live_server(proc)` remain for callers
that manage the process themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOG_TAIL_LINES = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


class LiveServer:
    """One uvicorn process serving `app.main:create_app` (a context manager)."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None, *,
                 startup_timeout: float = 90, log_level: str = "warning"):
        self.data_dir = Path(data_dir)
        self.extra_env = {k: str(v) for k, v in (extra_env or {}).items()}
        self.startup_timeout = startup_timeout
        self.log_level = log_level
        self.log_path = self.data_dir / "server.log"
        self.url = ""
        self.proc: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            "DATABASE_URL": "",
            "LLM_PROVIDER": "offline",
            "PYTHONPATH": str(ROOT / "backend"),
            # Every test's browser signs up from 127.0.0.1: no per-address limits
            # (the per-account sign-in limit stays on).
            "REGISTRATIONS_PER_ADDRESS": "0",
            "LOGIN_ATTEMPTS_PER_ADDRESS": "0",
            **self.extra_env,
        }
        env.pop("CHROMA_HOST", None)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
                 "--port", str(port), "--log-level", self.log_level],
                cwd=ROOT / "backend", env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/auth/me", timeout=2)
            except urllib.error.HTTPError:
                return self  # 401: the app is up and routing
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"KeplerLab server did not start ({self.url}); log tail:\n"
                                       f"{self.log_tail()}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_live_server(self.proc)
        self.proc = None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_path, lines)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def start_live_server(data_dir: Path, extra_env: dict[str, str] | None = None, timeout: float = 90):
    """(base_url, process) of a started server; raises with its log if it dies."""
    server = LiveServer(data_dir, extra_env, startup_timeout=timeout).start()
    return server.url, server.proc


def stop_live_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def write_llm_script(path: Path, script: dict[str, list[str]]) -> Path:
    """A JSON script for `LLM_PROVIDER=scripted` (task name -> answers in order)."""
    path.write_text(json.dumps(script, indent=2), encoding="utf-8")
    return path


def scripted_env(script_path: Path, **extra: object) -> dict[str, str]:
    return {"LLM_PROVIDER": "scripted", "LLM_SCRIPT_PATH": str(script_path),
            **{k: str(v) for k, v in extra.items()}}


@contextlib.contextmanager
def serve(request: pytest.FixtureRequest, data_dir: Path,
          extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """A started server for a fixture; prints its log tail if a test failed meanwhile."""
    failed_before = request.session.testsfailed
    with LiveServer(data_dir, extra_env) as server:
        yield server
        if request.session.testsfailed > failed_before:
            _print_to_terminal(request, f"--- server log tail ({server.url}, {data_dir}) ---\n"
                                        f"{server.log_tail()}")


def _print_to_terminal(request: pytest.FixtureRequest, text: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        for line in text.splitlines():
            reporter.write_line(line)
    else:
        print(text, file=sys.stderr)


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    """Base URL of an offline-model server for the test module."""
    with serve(request, tmp_path_factory.mktemp("live-server")) as server:
        yield server.url
