"""The browser-execution contract: what the server asks the browser to run and
what the browser reports back.

Generated code never runs on the server. When a plan step needs code run, the
agent graph pauses with `interrupt(ExecuteRequest)`; the SSE stream carries that
payload to the page as the `execute` event. The page runs the code in its
Pyodide worker and posts an `ExecutionResult` to
`POST /api/agent/runs/{run_id}/executions/{exec_id}`, which resumes the graph.

The frontend mirror of these shapes lives in `frontend/src/runtime/protocol.js`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WORKSPACE_ROOT = "/workspace"
UPLOADS_DIR = f"{WORKSPACE_ROOT}/uploads"

# Bounds on what the browser may report, so a runaway print loop cannot fill the
# database or the model's context.
MAX_STREAM_CHARS = 200_000
MAX_FILES_PER_RUN = 50


class Mount(BaseModel):
    """A material the worker must place in its file system before running."""

    material_id: str
    name: str  # the file name inside /workspace/uploads/
    path: str  # absolute path in the worker FS, e.g. /workspace/uploads/sales.csv
    url: str  # same-origin URL the page fetches the bytes from (with the user's auth)


class ExecuteRequest(BaseModel):
    """Payload of the `execute` SSE event and of the graph's interrupt."""

    run_id: str
    exec_id: str
    code: str
    timeout_s: int  # the user's code only: the page starts counting when the worker says 'running'
    package_timeout_s: int = 180  # the separate bound on loading the packages the code imports
    output_dir: str  # relative to /workspace: output/generated/{user_id}/{session_id}
    mounts: list[Mount] = Field(default_factory=list)


class ProducedFile(BaseModel):
    """A file the run wrote under OUTPUT_DIR, already uploaded by the page via
    `POST /api/agent/files` (so `file_id` is set) or only named (bytes lost)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=255)
    path: str = Field(default="", max_length=1024)
    size: int = Field(default=0, ge=0)
    type: str = Field(default="", max_length=255)
    file_id: str | None = None


class ExecutionResult(BaseModel):
    """Body of `POST /api/agent/runs/{run_id}/executions/{exec_id}`."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    stdout: str = Field(default="", max_length=MAX_STREAM_CHARS * 5)
    stderr: str = Field(default="", max_length=MAX_STREAM_CHARS * 5)
    duration_ms: int = Field(default=0, ge=0)
    files: list[ProducedFile] = Field(default_factory=list, max_length=MAX_FILES_PER_RUN)
    vars: dict[str, str] = Field(default_factory=dict)
    # The page stopped the code: it ran past timeout_s (stderr then carries a
    # TimeoutError naming what the restarted kernel lost, stdout what was printed
    # before) or the person pressed Stop (the turn then ends without repair).
    timed_out: bool = False
    stopped: bool = False
    # Top-level modules the kernel had imported (informational; the page uses it
    # to bring a restarted worker back warm).
    imported: list[str] = Field(default_factory=list, max_length=500)

    def clipped(self) -> ExecutionResult:
        """The same result with stdout/stderr cut to what the agent keeps."""
        return self.model_copy(
            update={"stdout": clip(self.stdout), "stderr": clip(self.stderr)}
        )


RunStatus = Literal["running", "awaiting_execution", "completed", "failed", "stopped"]


def clip(text: str, limit: int = MAX_STREAM_CHARS) -> str:
    """Keep the head and the tail of a long stream (a traceback's end matters most)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut] ...\n{text[-half:]}"
