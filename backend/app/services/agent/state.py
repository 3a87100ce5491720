"""The agent's state: one LangGraph thread per run, checkpointed after every node.

Nodes return only the keys they change (LangGraph merges them). The logs and
file lists have reducers: a node returns only its new entries (`step_log`,
`edit_history` are appended; `generated_files`, `turn_files` are merged by file
name, so an edited file replaces its earlier entry). An interrupted node's
writes are discarded, so its re-run on resume adds each entry once.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

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


def merge_files(existing: list[GeneratedFileInfo] | None, new: list[GeneratedFileInfo] | None
                ) -> list[GeneratedFileInfo]:
    """Reducer: new entries replace earlier ones of the same file name."""
    names = {f["filename"] for f in new or []}
    return [f for f in existing or [] if f["filename"] not in names] + list(new or [])


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
    file_type: str | None  # the main kind (documents win over charts)
    expected: dict[str, Any]  # request_reading.ExpectedOutputs.as_dict(): what the run must produce
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
    material_id: str | None  # the material chosen in the UI ("use this file")
    started_at: float
    # decisions
    intent: Intent
    plan: list[PlanStep]
    current_step: int
    exec_counter: int  # makes exec ids deterministic: "<run>-<n>"
    pending_exec_id: str | None
    dataset_id: str | None  # the data file this turn works on (request_reading.choose_dataset)
    clarification: str | None  # a question back to the person instead of a guess
    timeout_s: int  # per-run limit in the browser ("take longer" raises it)
    # spec 2.1
    workspace_files: list[WorkspaceFile]
    material_paths: dict[str, str]  # material id -> server storage path (never shown to the model)
    generated_files: Annotated[list[GeneratedFileInfo], merge_files]
    last_stdout: str
    last_stderr: str
    last_ok: bool
    analysis_context: dict[str, Any]
    edit_history: Annotated[list[dict[str, Any]], operator.add]
    step_log: Annotated[list[StepLogEntry], operator.add]
    repair_attempts: int
    code_vars: dict[str, str]
    # results
    last_timed_out: bool
    last_stopped: bool
    last_header_lines: int  # lines before the model's code in the last run (traceback mapping)
    turn_files: Annotated[list[GeneratedFileInfo], merge_files]  # files created or edited in this turn (saved on the message)
    repairs: list[dict[str, Any]]  # repairs of the current step (replaced: reset after each step)
    repair_total: int  # repairs applied in this turn (told to the explanation step)
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
    material_id: str | None = None,
) -> AgentState:
    return AgentState(
        run_id=run_id,
        user_id=user_id,
        session_id=session_id,
        notebook_id=notebook_id,
        message=message,
        material_ids=material_ids,
        material_id=material_id,
        started_at=started_at,
        plan=[],
        current_step=0,
        exec_counter=0,
        pending_exec_id=None,
        dataset_id=None,
        clarification=None,
        timeout_s=0,
        workspace_files=workspace_files,
        material_paths=material_paths,
        generated_files=generated_files,
        last_stdout="",
        last_stderr="",
        last_ok=True,
        last_timed_out=False,
        last_stopped=False,
        last_header_lines=0,
        analysis_context={},
        edit_history=[],
        step_log=[],
        repair_attempts=0,
        code_vars={},
        turn_files=[],
        repairs=[],
        repair_total=0,
        tools_used=[],
        answer="",
        citations=[],
        failure=None,
    )
