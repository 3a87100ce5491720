"""A stand-in for the browser in API tests.

It does what the page does: reads the SSE stream, and for each `execute` event
fetches the mounts over HTTP, runs the code in a local CPython subprocess (in
the test process, never in the server), uploads the files the run wrote under
OUTPUT_DIR, posts the result and follows the continuation stream. The code's
absolute `/workspace` paths are mapped to a temporary folder.
"""

from __future__ import annotations

import json
import mimetypes
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from httpx import AsyncClient

from app.services.agent.events import parse_sse
from app.services.code_execution.contract import ExecuteRequest


@dataclass
class Event:
    name: str
    data: dict

    @property
    def model(self):
        return parse_sse(self.name, json.dumps(self.data))


def parse_stream(text: str) -> list[Event]:
    events: list[Event] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if name and data:
            events.append(Event(name, json.loads("\n".join(data))))
    return events


@dataclass
class Turn:
    events: list[Event] = field(default_factory=list)
    executions: list[dict] = field(default_factory=list)  # {request, result}
    posted_statuses: list[int] = field(default_factory=list)

    def names(self) -> list[str]:
        return [e.name for e in self.events]

    def of(self, name: str) -> list[dict]:
        return [e.data for e in self.events if e.name == name]

    @property
    def answer(self) -> str:
        return "".join(e["text"] for e in self.of("token"))

    @property
    def run_id(self) -> str:
        return self.of("run")[0]["run_id"]


class BrowserHarness:
    def __init__(self, client: AsyncClient, session_id: str, workdir: Path, *, timeout_s: float | None = None,
                 upload_files: bool = True) -> None:
        self.client = client
        self.session_id = session_id
        self.root = workdir / "browser"
        self.workspace = self.root / "workspace"
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.timeout_s = timeout_s
        self.upload_files = upload_files

    async def chat(self, message: str, material_ids: list[str] | None = None, *, follow: bool = True) -> Turn:
        body = {"session_id": self.session_id, "message": message}
        if material_ids is not None:
            body["material_ids"] = material_ids
        response = await self.client.post("/api/agent/chat", json=body)
        assert response.status_code == 200, response.text
        turn = Turn(events=parse_stream(response.text))
        if follow:
            await self.follow(turn)
        return turn

    async def follow(self, turn: Turn, max_executions: int = 10) -> Turn:
        """Run every `execute` the stream asks for until the turn is done."""
        for _ in range(max_executions):
            pending = [e for e in turn.events if e.name == "execute"]
            if not pending or len(pending) == len(turn.executions):
                return turn
            request = ExecuteRequest.model_validate(pending[-1].data)
            result = await self.execute(request)
            turn.executions.append({"request": request, "result": result})
            response = await self.post_result(request, result)
            turn.posted_statuses.append(response.status_code)
            assert response.status_code == 200, response.text
            turn.events.extend(parse_stream(response.text))
        raise AssertionError("too many executions in one turn")

    async def post_result(self, request: ExecuteRequest, result: dict):
        return await self.client.post(f"/api/agent/runs/{request.run_id}/executions/{request.exec_id}", json=result)

    def local(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    async def execute(self, request: ExecuteRequest) -> dict:
        for mount in request.mounts:
            response = await self.client.get(mount.url)
            assert response.status_code == 200, f"mount {mount.url}: {response.status_code}"
            target = self.local(mount.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.content)
        output_dir = self.workspace / request.output_dir
        output_dir.mkdir(parents=True, exist_ok=True)
        before = {p: p.stat().st_mtime_ns for p in output_dir.rglob("*") if p.is_file()}
        code = request.code.replace('"/workspace/', f'"{self.workspace}/')
        started = time.monotonic()
        try:
            proc = subprocess.run([sys.executable, "-c", code], cwd=self.workspace, capture_output=True, text=True,
                                  timeout=self.timeout_s or request.timeout_s, env={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(self.root / "mpl"),
                                                                                   "PATH": "/usr/bin:/bin"})
            ok, stdout, stderr = proc.returncode == 0, proc.stdout, proc.stderr
            timed_out = False
        except subprocess.TimeoutExpired as exc:
            timed_out = True
            ok, stdout = False, (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            stderr = f"TimeoutError: execution exceeded {request.timeout_s} s and was stopped\n"
        duration_ms = int((time.monotonic() - started) * 1000)
        files = []
        for path in sorted(output_dir.rglob("*")):
            if not path.is_file() or before.get(path) == path.stat().st_mtime_ns:
                continue
            relative = str(path.relative_to(self.workspace))
            entry = {"name": path.name, "path": relative, "size": path.stat().st_size,
                     "type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"}
            if self.upload_files:
                response = await self.client.post(
                    "/api/agent/files",
                    data={"session_id": self.session_id, "run_id": request.run_id, "path": relative},
                    files={"file": (path.name, path.read_bytes(), entry["type"])},
                )
                assert response.status_code == 201, response.text
                entry["file_id"] = response.json()["id"]
            files.append(entry)
        return {"ok": ok, "stdout": stdout, "stderr": stderr, "duration_ms": duration_ms, "files": files,
                "vars": {}, "timed_out": timed_out}
