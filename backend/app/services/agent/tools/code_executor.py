"""Running a step's code: the one place that knows execution is remote.

`execute_in_browser` pauses the graph with `interrupt()`; the page runs the
code in its Pyodide worker and the result POST resumes the graph with that
result. The interrupted node re-runs from its first line on resume, so the
request is built from state alone (the exec id was chosen by an earlier node).
"""

from __future__ import annotations

from langgraph.types import interrupt

from app.core.config import get_settings
from app.services.agent.state import AgentState, PlanStep
from app.services.agent.tools.workspace_builder import mounts_for, output_dir_for
from app.services.code_execution.contract import ExecuteRequest, ExecutionResult, Mount


def exec_id_for(run_id: str, counter: int) -> str:
    """Deterministic id of the n-th execution of a run."""
    return f"{run_id}-x{counter}"


def edit_target_mount(step: PlanStep) -> list[Mount]:
    """An edited file must exist in the worker FS even after a page reload."""
    action = step.get("edit_action")
    if not action or not action["target"].get("file_id"):
        return []
    target = action["target"]
    return [
        Mount(
            material_id=target["file_id"],
            name=target["filename"],
            path=f"/workspace/{target['path']}",
            url=f"/api/agent/files/{target['file_id']}/raw",
        )
    ]


def build_execute_request(state: AgentState, step: PlanStep) -> ExecuteRequest:
    return ExecuteRequest(
        run_id=state["run_id"],
        exec_id=state["pending_exec_id"] or "",
        code=step.get("header", "") + "\n" + step.get("code", ""),
        timeout_s=state.get("timeout_s") or get_settings().CODE_EXECUTION_TIMEOUT,
        package_timeout_s=get_settings().PACKAGE_LOAD_TIMEOUT,
        output_dir=output_dir_for(state["user_id"], state["session_id"]),
        mounts=mounts_for(state, edit_target_mount(step)),
    )


def execute_in_browser(request: ExecuteRequest) -> ExecutionResult:
    """Pause the run until the browser posts the result of `request`."""
    raw = interrupt(request.model_dump())
    return ExecutionResult.model_validate(raw).clipped()
