"""The self-healing loop (spec 5.4): read the error, fix the code, run it again.

After a code step ran in the browser: success closes the step; an error is
repaired (deterministic rules first, then the model) and re-run, up to
MAX_CODE_REPAIR_ATTEMPTS times; after that the turn ends with an honest
explanation of what failed.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from app.core.config import get_settings
from app.services.agent.events import DiffLine, RepairAttemptEvent, RepairSuccessEvent
from app.services.agent.router import CODE_TOOLS, current, emit, finish_step, with_step
from app.services.agent.state import AgentState
from app.services.agent.tools.code_repair import repair_code_detailed
from app.services.code_execution.sandbox_env import available_libraries_text

MAX_DIFF_LINES = 12
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def error_summary(stderr: str) -> str:
    """The line of a traceback a person reads first: 'KeyError: 'price''."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in reversed(lines):  # the exception line, even when a note follows it (timeouts)
        if _EXCEPTION_LINE.match(line):
            return line[:300]
    for line in reversed(lines):
        if not line.startswith(("File ", "^", "~")) and (":" in line or "Error" in line):
            return line[:300]
    return (lines[-1] if lines else "the code failed without an error message")[:300]


def code_diff(old: str, new: str) -> list[DiffLine]:
    changed = [
        DiffLine(op=line[0], line=line[1:])
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return changed[:MAX_DIFF_LINES]


def run_failed(state: AgentState) -> bool:
    return not state.get("last_ok", True)


async def reflect(state: AgentState, *, llm: BaseChatModel) -> dict[str, Any]:
    step = current(state)
    if step["tool"] not in CODE_TOOLS:
        return {}
    attempts = state.get("repair_attempts", 0)
    repairs = list(state.get("repairs", []))

    if not run_failed(state):
        if attempts:
            emit(RepairSuccessEvent(attempt=attempts))
        return {
            **finish_step(state, status="success", stdout=state.get("last_stdout", ""),
                          stderr=state.get("last_stderr", ""), repairs=repairs),
            "repair_attempts": 0,
            "repairs": [],
        }

    summary = error_summary(state.get("last_stderr", ""))
    if attempts < get_settings().MAX_CODE_REPAIR_ATTEMPTS:
        context = state.get("analysis_context", {})
        available = [f["real_path"] for f in state.get("workspace_files", [])] + [
            f["text_path"] for f in state.get("workspace_files", []) if f["type"] == "document"
        ]
        repair = await repair_code_detailed(step["code"], state.get("last_stderr", ""), llm,
                                            columns=context.get("columns"), available_paths=available,
                                            available_libraries=available_libraries_text())
        if repair.changed:
            attempt = attempts + 1
            diff = code_diff(step["code"], repair.code)
            emit(RepairAttemptEvent(attempt=attempt, max_attempts=get_settings().MAX_CODE_REPAIR_ATTEMPTS,
                                    error_summary=summary, fixed_by=repair.fixed_by, diff=diff))
            repairs.append({"attempt": attempt, "error_summary": summary, "fixed_by": repair.fixed_by,
                            "summary": repair.summary, "stderr": state.get("last_stderr", ""),
                            "diff": [d.model_dump() for d in diff]})
            return {"plan": with_step(state, code=repair.code), "repair_attempts": attempt, "repairs": repairs}

    label = re.sub(r"^\W+", "", step["label"]).strip() or step["tool"]  # without the leading emoji
    failure = (f"“{label}” still failed after {attempts} repair attempt(s): {summary}"
               if attempts else f"“{label}” failed and no fix was found: {summary}")
    return {
        **finish_step(state, status="error", stdout=state.get("last_stdout", ""),
                      stderr=state.get("last_stderr", ""), repairs=repairs),
        "repair_attempts": 0,
        "repairs": [],
        "failure": failure,
    }


def route_after_reflection(state: AgentState) -> Literal["retry", "continue", "respond"]:
    if state.get("failure"):
        return "respond"
    if state["current_step"] < len(state["plan"]) and current(state).get("status") == "running":
        return "retry"
    return "continue"
