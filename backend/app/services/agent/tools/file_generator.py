"""Runs a code step and turns what it wrote into downloadable files (spec 3.4).

Header + code go to the browser; `FILE_SAVED:` lines in stdout and the files
the worker found new or changed under OUTPUT_DIR become `generated_files`
entries and `file_ready` events.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote

from pydantic import BaseModel

from app.services.agent.events import FileReadyEvent
from app.services.agent.state import AgentState, GeneratedFileInfo, PlanStep
from app.services.agent.tools.code_executor import build_execute_request, execute_in_browser
from app.services.code_execution.contract import ExecutionResult

FILE_SAVED_LINE = re.compile(r"^FILE_SAVED:\s*(\S.*?)\s*$", re.MULTILINE)


@dataclass
class ToolResult:
    ok: bool
    stdout: str
    stderr: str
    duration_ms: int
    files: list[GeneratedFileInfo] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)
    timed_out: bool = False
    stopped: bool = False


def download_url_for(user_id: str, session_id: str, filename: str) -> str:
    """Where the file is downloaded from, once a signed token is added."""
    return f"/api/agent/download/{user_id}/{session_id}/{quote(filename)}"


def saved_paths(stdout: str) -> list[str]:
    return FILE_SAVED_LINE.findall(stdout)


def collect_generated_files(state: AgentState, result: ExecutionResult) -> list[GeneratedFileInfo]:
    """The files a successful run produced, in the order the code announced them.

    Only files the page actually uploaded count (a `FILE_SAVED:` line for a file
    that does not exist is a bug in the code, not a file).
    """
    announced = [PurePosixPath(p).name for p in saved_paths(result.stdout)]
    by_name = {f.name: f for f in result.files}
    order = [n for n in dict.fromkeys(announced) if n in by_name] + [n for n in by_name if n not in announced]
    return [
        GeneratedFileInfo(
            filename=name,
            path=by_name[name].path,
            download_url=download_url_for(state["user_id"], state["session_id"], name),
            size=by_name[name].size,
            type=by_name[name].type or PurePosixPath(name).suffix.lstrip("."),
            file_id=by_name[name].file_id,
        )
        for name in order
    ]


def merge_generated_files(existing: list[GeneratedFileInfo], new: list[GeneratedFileInfo]) -> list[GeneratedFileInfo]:
    """An edited file replaces its earlier entry instead of being listed twice."""
    names = {f["filename"] for f in new}
    return [f for f in existing if f["filename"] not in names] + new


async def generate_file(state: AgentState, step: PlanStep, stream_cb: Callable[[BaseModel], None]) -> ToolResult:
    request = build_execute_request(state, step)
    result = execute_in_browser(request)
    files = collect_generated_files(state, result) if result.ok else []
    for item in files:
        stream_cb(FileReadyEvent(filename=item["filename"], download_url=item["download_url"], size=item["size"],
                                 type=item["type"], file_id=item["file_id"]))
    return ToolResult(ok=result.ok, stdout=result.stdout, stderr=result.stderr, duration_ms=result.duration_ms,
                      files=files, vars=result.vars, timed_out=result.timed_out, stopped=result.stopped)
