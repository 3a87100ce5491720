"""Every SSE event the server streams, by name, with its payload model.

The agent graph and the RAG chat write these models and nothing else; the
routes serialise them with `to_sse`. The frontend keeps the mirror of this list
in `frontend/src/api/events.js`.

Order of a turn:  run → (step → [code_written → execute … stdout] → step_done
→ [repair_attempt → code_written → execute … → repair_success]) * → file_ready *
→ token * → meta → done.  A stream that pauses for the browser ends right after
`execute`; the continuation stream (the result POST) carries on from there.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.services.code_execution.contract import ExecuteRequest


class RunEvent(BaseModel):
    """First event of a turn: which run and session it belongs to."""

    run_id: str
    session_id: str


class StepEvent(BaseModel):
    label: str
    tool: str
    step_number: int
    total_steps: int


class StepDoneEvent(BaseModel):
    tool: str
    label: str
    status: Literal["success", "error", "stopped"]
    step_number: int
    time_taken: float  # seconds
    code: str = ""
    stdout: str = ""
    stderr: str = ""
    # each repair of this step: {attempt, error_summary, fixed_by, summary, diff: [{op, line}], outcome}
    # outcome: "fixed" | "still failing: <error line>"
    repairs: list[dict[str, Any]] = Field(default_factory=list)


class CodeWrittenEvent(BaseModel):
    tool: str
    step_number: int
    code: str


class StdoutEvent(BaseModel):
    step_number: int
    text: str


class DiffLine(BaseModel):
    op: Literal["-", "+"]
    line: str


class RepairAttemptEvent(BaseModel):
    attempt: int
    max_attempts: int
    error_summary: str  # the error line of the run that failed
    fixed_by: Literal["rule", "model"]
    summary: str = ""  # the change in words: "Used the real column name 'price' → 'Price'"
    diff: list[DiffLine] = Field(default_factory=list)


class RepairSuccessEvent(BaseModel):
    attempt: int


class FileReadyEvent(BaseModel):
    filename: str
    download_url: str
    size: int
    type: str
    file_id: str | None = None


class TokenEvent(BaseModel):
    text: str


class Citation(BaseModel):
    index: int
    material_id: str
    material_name: str
    location: str  # "page 3", "Sheet1 rows 2–40", "section 2"
    snippet: str


class MetaEvent(BaseModel):
    run_id: str | None = None
    intent: str
    tools_used: list[str] = Field(default_factory=list)
    total_time: float = 0.0
    citations: list[Citation] = Field(default_factory=list)
    failure: str | None = None  # set when a step still failed after every repair


class DoneEvent(BaseModel):
    run_id: str | None = None
    message_id: str | None = None
    status: Literal["completed", "failed", "stopped"] = "completed"  # stopped: the person pressed Stop


class ErrorEvent(BaseModel):
    message: str
    code: str = "error"


EVENT_NAMES: dict[type[BaseModel], str] = {
    RunEvent: "run",
    StepEvent: "step",
    StepDoneEvent: "step_done",
    CodeWrittenEvent: "code_written",
    ExecuteRequest: "execute",
    StdoutEvent: "stdout",
    RepairAttemptEvent: "repair_attempt",
    RepairSuccessEvent: "repair_success",
    FileReadyEvent: "file_ready",
    TokenEvent: "token",
    MetaEvent: "meta",
    DoneEvent: "done",
    ErrorEvent: "error",
}


def event_name(event: BaseModel) -> str:
    return EVENT_NAMES[type(event)]


def to_sse(event: BaseModel) -> dict[str, Any]:
    """The dict sse-starlette's EventSourceResponse sends as one event."""
    return {"event": event_name(event), "data": event.model_dump_json()}


def parse_sse(name: str, data: str) -> BaseModel:
    """Inverse of `to_sse`, for tests and tools that read the stream."""
    for model, model_name in EVENT_NAMES.items():
        if model_name == name:
            return model.model_validate(json.loads(data))
    raise KeyError(f"unknown SSE event {name!r}")
