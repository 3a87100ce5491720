"""The agent's state: one LangGraph thread per run, checkpointed after every node.

Nodes return only the keys they change (LangGraph merges them). Lists are
replaced, not appended, so a node that runs twice (the interrupted node re-runs
from its first line on resume) never duplicates an entry.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Intent = Literal["DATA_ANALYSIS", "FILE_GENERATION", "CONTENT_GENERATION", "QUESTION", "GENERAL"]
ToolName = Literal["data_profiler", "code_executor", "file_generator", "rag_answer", "generate_response"]


class WorkspaceFile(TypedDict):
    """A material as the browser worker sees it (spec 2.1 `workspace_files`)."""

    id: str
    filename: str  # what the user uploaded
    var_name: str  # python identifier used in the workspace header
    real_path: str  # /workspace/uploads/<workspace_name>
    text_path: str  # /workspace/uploads/<workspace_name>.txt (extracted text)
    ext: str
    type: str  # "data" | "document"
    url: str  # raw bytes, same origin
    text_url: str  # extracted text, same origin


class GeneratedFileInfo(TypedDict):
    """A file the agent created this session (spec 2.1 `generated_files`)."""

    filename: str
    path: str  # path in the worker FS, relative to /workspace
    download_url: str
    size: int
    type: str
    file_id: str | None


class EditAction(TypedDict):
    op: Literal["append", "replace", "delete"]
    target: GeneratedFileInfo
    instruction: str


class PlanStep(TypedDict, total=False):
    id: str
    tool: ToolName
    label: str
    header: str  # workspace header prepended to generated code
    code: str  # the body the model wrote (repaired in place)
    file_type: str | None
    edit_action: EditAction | None
    status: Literal["pending", "running", "success", "error"]
    started_at: float


class StepLogEntry(TypedDict, total=False):
    tool: str
    label: str
    status: Literal["success", "error"]
    time_taken: float
    code: str
    stdout: str
    stderr: str
    repairs: list[dict[str, Any]]


class AgentState(TypedDict, total=False):
    # identity of the turn
    run_id: str
    user_id: str
    session_id: str
    notebook_id: str
    message: str
    material_ids: list[str]
    started_at: float
    # decisions
    intent: Intent
    plan: list[PlanStep]
    current_step: int
    exec_counter: int  # makes exec ids deterministic: "<run>-<n>"
    pending_exec_id: str | None
    # spec 2.1
    workspace_files: list[WorkspaceFile]
    material_paths: dict[str, str]  # material id -> server storage path (never shown to the model)
    generated_files: list[GeneratedFileInfo]
    last_stdout: str
    last_stderr: str
    last_ok: bool
    analysis_context: dict[str, Any]
    edit_history: list[dict[str, Any]]
    step_log: list[StepLogEntry]
    repair_attempts: int
    code_vars: dict[str, str]
    # results
    turn_files: list[GeneratedFileInfo]  # files created or edited in this turn (saved on the message)
    repairs: list[dict[str, Any]]  # repairs of the current step
    tools_used: list[str]
    answer: str
    citations: list[dict[str, Any]]
    failure: str | None


def initial_state(
    *,
    run_id: str,
    user_id: str,
    session_id: str,
    notebook_id: str,
    message: str,
    workspace_files: list[WorkspaceFile],
    material_paths: dict[str, str],
    generated_files: list[GeneratedFileInfo],
    material_ids: list[str],
    started_at: float,
) -> AgentState:
    return AgentState(
        run_id=run_id,
        user_id=user_id,
        session_id=session_id,
        notebook_id=notebook_id,
        message=message,
        material_ids=material_ids,
        started_at=started_at,
        plan=[],
        current_step=0,
        exec_counter=0,
        pending_exec_id=None,
        workspace_files=workspace_files,
        material_paths=material_paths,
        generated_files=generated_files,
        last_stdout="",
        last_stderr="",
        last_ok=True,
        analysis_context={},
        edit_history=[],
        step_log=[],
        repair_attempts=0,
        code_vars={},
        turn_files=[],
        repairs=[],
        tools_used=[],
        answer="",
        citations=[],
        failure=None,
    )
