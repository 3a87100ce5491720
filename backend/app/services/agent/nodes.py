"""The small graph nodes: classify, plan, profile, execute.

Each takes the state and returns only the keys it changes. The bigger nodes
live in their own modules: router.tool_router, reflection.reflect,
responder.generate_response, responder.rag_answer.
"""

from __future__ import annotations

import time
from typing import Any

from app.services.agent.events import StdoutEvent
from app.services.agent.intent import classify_intent
from app.services.agent.planner import build_plan
from app.services.agent.router import current, emit, finish_step
from app.services.agent.state import AgentState
from app.services.agent.tools.data_profiler import profile_dataset, summarise_profile
from app.services.agent.tools.file_generator import generate_file, merge_generated_files


async def classify(state: AgentState) -> dict[str, Any]:
    files = state.get("workspace_files", [])
    intent = classify_intent(
        state["message"],
        has_data=any(f["type"] == "data" for f in files),
        has_documents=any(f["type"] == "document" for f in files),
        generated_files=state.get("generated_files", []),
    )
    return {"intent": intent}


async def plan(state: AgentState) -> dict[str, Any]:
    return {"plan": build_plan(state), "current_step": 0}


async def data_profiler(state: AgentState) -> dict[str, Any]:
    try:
        update = await profile_dataset(state)
    except Exception as exc:  # a corrupt file must not end the turn: the code step can still try
        return finish_step(state, status="error", stderr=f"Could not profile the dataset: {exc}")
    done = finish_step({**state, **update}, status="success", stdout=summarise_profile(update["analysis_context"]))
    return {**update, **done}


async def execute_code(state: AgentState) -> dict[str, Any]:
    """Runs the current step's code in the browser (pauses the graph until the result arrives)."""
    step = current(state)
    result = await generate_file(state, step, emit)
    if result.stdout:
        emit(StdoutEvent(step_number=state["current_step"] + 1, text=result.stdout))
    update: dict[str, Any] = {
        "last_stdout": result.stdout,
        "last_stderr": result.stderr,
        "last_ok": result.ok,
        "code_vars": result.vars or state.get("code_vars", {}),
        "pending_exec_id": None,
    }
    if result.files:
        update["generated_files"] = merge_generated_files(state.get("generated_files", []), result.files)
        update["turn_files"] = merge_generated_files(state.get("turn_files", []), result.files)
    action = step.get("edit_action")
    if action and result.ok:
        update["edit_history"] = [
            *state.get("edit_history", []),
            {"op": action["op"], "filename": action["target"]["filename"], "instruction": action["instruction"],
             "at": time.time()},
        ]
    return update
