"""Dispatches the current plan step to its tool (spec 5.3).

Every step is announced with a `step` event when it starts and closed with a
`step_done` event and a `step_log` entry when it ends. Stdout goes to the step
log only, never into the answer text.
"""

from __future__ import annotations

import json
import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.config import get_stream_writer
from pydantic import BaseModel

from app.services.agent.events import CodeWrittenEvent, StepDoneEvent, StepEvent
from app.services.agent.state import AgentState, PlanStep, StepLogEntry
from app.services.agent.tools.code_executor import exec_id_for
from app.services.agent.tools.workspace_builder import strip_workspace_header
from app.services.code_execution.sandbox_env import available_libraries_text, runtime_info
from app.services.llm.prompts import extract_code, render_prompt

CODE_TOOLS = ("code_executor", "file_generator")
# Steps the drawer shows; writing the answer is not "work the agent ran".
LOGGED_TOOLS = ("data_profiler", "code_executor", "file_generator", "rag_answer")


def emit(event: BaseModel) -> None:
    """Send one SSE event to whoever is streaming this run (no-op otherwise)."""
    get_stream_writer()(event)


def current(state: AgentState) -> PlanStep:
    return state["plan"][state["current_step"]]


def with_step(state: AgentState, **changes: Any) -> list[PlanStep]:
    """The plan with the current step updated (state lists are replaced, not mutated)."""
    plan = [dict(s) for s in state["plan"]]
    plan[state["current_step"]].update(changes)
    return plan  # type: ignore[return-value]


def finish_step(state: AgentState, *, status: str, stdout: str = "", stderr: str = "",
                repairs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Close the current step: `step_done` event, `step_log` entry, advance the plan."""
    step = current(state)
    taken = round(time.time() - step.get("started_at", time.time()), 3)
    number = state["current_step"] + 1
    emit(StepDoneEvent(tool=step["tool"], label=step["label"], status=status, step_number=number,
                       time_taken=taken, code=step.get("code", ""), stdout=stdout, stderr=stderr,
                       repairs=list(repairs or [])))
    update: dict[str, Any] = {"plan": with_step(state, status=status), "current_step": state["current_step"] + 1}
    if step["tool"] in LOGGED_TOOLS:
        entry = StepLogEntry(tool=step["tool"], label=step["label"], status=status, time_taken=taken,
                             code=step.get("code", ""), stdout=stdout, stderr=stderr, repairs=list(repairs or []))
        update["step_log"] = [entry]  # appended by the state's reducer
        update["tools_used"] = list(dict.fromkeys([*state.get("tools_used", []), step["tool"]]))
    return update


def code_generation_context(state: AgentState, step: PlanStep) -> dict[str, Any]:
    """What the model is told; server paths and URLs stay out."""
    return {
        "request": state["message"],
        "intent": state["intent"],
        "file_type": step.get("file_type"),
        "workspace_files": [
            {k: f[k] for k in ("var_name", "filename", "real_path", "text_path", "ext", "type")}
            for f in state.get("workspace_files", [])
        ],
        "analysis_context": state.get("analysis_context", {}),
        "generated_files": [
            {k: f[k] for k in ("filename", "path", "type")} for f in state.get("generated_files", [])
        ],
        "edit_action": step.get("edit_action"),
        "runtime": runtime_info(),
        "previous_vars": state.get("code_vars", {}),
        "workspace_header": step.get("header", ""),
        # the data file this turn works on (request_reading.choose_dataset) and what the run must produce
        "material_id": state.get("dataset_id"),
        "dataset": next((f["var_name"] for f in state.get("workspace_files", []) if f["id"] == state.get("dataset_id")),
                        None),
        "expected_outputs": step.get("expected") or {},
    }


async def write_code(state: AgentState, step: PlanStep, llm: BaseChatModel) -> str:
    prompt = render_prompt(
        "code_generation_prompt",
        context=json.loads(json.dumps(code_generation_context(state, step), default=str)),
        available_libraries=available_libraries_text(),
    )
    reply = await llm.ainvoke([HumanMessage(content=prompt)])
    return strip_workspace_header(extract_code(str(reply.content))).strip() + "\n"


async def tool_router(state: AgentState, *, llm: BaseChatModel) -> dict[str, Any]:
    step = current(state)
    number = state["current_step"] + 1
    update: dict[str, Any] = {}
    if step.get("status") == "pending":
        emit(StepEvent(label=step["label"], tool=step["tool"], step_number=number, total_steps=len(state["plan"])))
        step = {**step, "status": "running", "started_at": time.time()}
        update["plan"] = with_step(state, status="running", started_at=step["started_at"])
    if step["tool"] in CODE_TOOLS:
        code = step.get("code") or await write_code(state, step, llm)
        emit(CodeWrittenEvent(tool=step["tool"], step_number=number, code=code))
        counter = state.get("exec_counter", 0) + 1
        plan = update.get("plan") or state["plan"]
        plan = [dict(s) for s in plan]
        plan[state["current_step"]]["code"] = code
        update.update(plan=plan, exec_counter=counter, pending_exec_id=exec_id_for(state["run_id"], counter))
    return update


def route_step(state: AgentState) -> str:
    """Which node runs the current step."""
    if state["current_step"] >= len(state["plan"]):
        return "generate_response"
    tool = current(state)["tool"]
    if tool in CODE_TOOLS:
        return "execute_code"
    return tool  # data_profiler | rag_answer | generate_response
