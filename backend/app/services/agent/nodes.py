"""The small graph nodes: classify, plan, profile, execute.

Each takes the state and returns only the keys it changes. The bigger nodes
live in their own modules: router.tool_router, reflection.reflect,
responder.generate_response, responder.rag_answer.
"""

from __future__ import annotations

import time
from typing import Any

from app.core.config import Settings
from app.services.agent.error_reading import clean_stderr, header_line_count, map_traceback_lines
from app.services.agent.events import StdoutEvent
from app.services.agent.intent import classify_intent
from app.services.agent.planner import build_plan, dataset_for
from app.services.agent.request_reading import ExpectedOutputs, missing_outputs, timeout_for
from app.services.agent.router import current, emit, finish_step
from app.services.agent.state import AgentState, PlanStep
from app.services.agent.tools.data_profiler import profile_dataset, summarise_profile
from app.services.agent.tools.file_generator import generate_file


async def classify(state: AgentState) -> dict[str, Any]:
    files = state.get("workspace_files", [])
    intent = classify_intent(
        state["message"],
        has_data=any(f["type"] == "data" for f in files),
        has_documents=any(f["type"] == "document" for f in files),
        generated_files=state.get("generated_files", []),
    )
    return {"intent": intent}


async def plan(state: AgentState, *, settings: Settings) -> dict[str, Any]:
    dataset_id, question = dataset_for(state)
    timeout_s = timeout_for(state["message"], settings.CODE_EXECUTION_TIMEOUT, settings.MAX_CODE_EXECUTION_TIMEOUT)
    update: dict[str, Any] = {"current_step": 0, "dataset_id": dataset_id, "timeout_s": timeout_s}
    if question and state.get("intent") in ("DATA_ANALYSIS", "FILE_GENERATION"):
        respond = PlanStep(id="respond", tool="generate_response", label="✍️ Writing the answer", status="pending")
        return {**update, "plan": [respond], "clarification": question}
    return {**update, "plan": build_plan({**state, "dataset_id": dataset_id})}


async def data_profiler(state: AgentState) -> dict[str, Any]:
    try:
        update = await profile_dataset(state)
    except Exception as exc:  # a corrupt file must not end the turn: the code step can still try
        return finish_step(state, status="error", stderr=f"Could not profile the dataset: {exc}")
    done = finish_step({**state, **update}, status="success", stdout=summarise_profile(update["analysis_context"]))
    return {**update, **done}


def expected_output_error(step: PlanStep, produced: list[str]) -> str:
    """A run that ends without what the request asked for is a failed step (stderr text, or '')."""
    missing = missing_outputs(ExpectedOutputs.from_dict(step.get("expected")), produced)
    if not missing:
        return ""
    wanted = ", ".join("a chart image (.png)" if m == "chart" else f"a .{m} file" for m in missing)
    return (f"MissingOutputError: the request asked for {wanted}, but the run saved none under OUTPUT_DIR. "
            "Save every requested output to OUTPUT_DIR (plt.savefig / to_excel / doc.save …) and print "
            "FILE_SAVED:<path> for each.\n")


async def execute_code(state: AgentState) -> dict[str, Any]:
    """Runs the current step's code in the browser (pauses the graph until the result arrives)."""
    step = current(state)
    result = await generate_file(state, step, emit)
    if result.stdout:
        emit(StdoutEvent(step_number=state["current_step"] + 1, text=result.stdout))
    header_lines = header_line_count(step.get("header", ""))
    stderr = clean_stderr(map_traceback_lines(result.stderr, header_lines))
    ok = result.ok
    if ok and not result.stopped:
        missing = expected_output_error(step, [f["filename"] for f in result.files])
        if missing:
            ok, stderr = False, stderr + missing
    update: dict[str, Any] = {
        "last_stdout": result.stdout,
        "last_stderr": stderr,
        "last_ok": ok,
        "last_timed_out": result.timed_out,
        "last_stopped": result.stopped,
        "last_header_lines": header_lines,
        "code_vars": result.vars or state.get("code_vars", {}),
        "pending_exec_id": None,
    }
    if result.files:  # merged by file name (state reducer): an edited file replaces its entry
        update["generated_files"] = result.files
        update["turn_files"] = result.files
    action = step.get("edit_action")
    if action and ok:
        update["edit_history"] = [
            {"op": action["op"], "filename": action["target"]["filename"], "instruction": action["instruction"],
             "at": time.time()},
        ]
    return update
