"""The self-healing loop (spec 5.4): read the error, fix the code, run it again.

After a code step ran in the browser: success closes the step; an error (or a
run that ended without the outputs the request asked for) is repaired
(deterministic rules first, then the model) and re-run, up to
MAX_CODE_REPAIR_ATTEMPTS times; after that the turn ends with an honest
explanation of what failed. A run the person stopped ends without repair.
Every attempt is recorded with its error line, its diff and its outcome.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from app.core.config import Settings
from app.services.agent.error_reading import error_summary, is_timeout
from app.services.agent.events import DiffLine, RepairAttemptEvent, RepairSuccessEvent
from app.services.agent.router import CODE_TOOLS, current, emit, finish_step, with_step
from app.services.agent.state import AgentState
from app.services.agent.tools.code_repair import RepairContext, repair_code_detailed
from app.services.code_execution.sandbox_env import available_libraries_text

MAX_DIFF_LINES = 12
STDOUT_TAIL_CHARS = 2_000


def code_diff(old: str, new: str) -> list[DiffLine]:
    changed = [
        DiffLine(op=line[0], line=line[1:])
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return changed[:MAX_DIFF_LINES]


def run_failed(state: AgentState) -> bool:
    return not state.get("last_ok", True)


def repair_context(state: AgentState) -> RepairContext:
    """What the repair (rules and model) knows about the run that failed."""
    profile = state.get("analysis_context", {})
    files = state.get("workspace_files", [])
    stdout = state.get("last_stdout", "")
    step = current(state)
    return RepairContext(
        columns=profile.get("columns"),
        dtypes=profile.get("dtypes"),
        available_paths=[f["real_path"] for f in files] + [f["text_path"] for f in files if f["type"] == "document"],
        available_libraries=available_libraries_text(),
        stdout_tail=stdout[-STDOUT_TAIL_CHARS:],
        timed_out=bool(state.get("last_timed_out")),
        timeout_s=int(state.get("timeout_s") or 0),
        expected=step.get("expected") or {},
        variables=dict(state.get("code_vars", {})),
    )


def _with_outcome(repairs: list[dict[str, Any]], outcome: str) -> list[dict[str, Any]]:
    """The repairs with the last attempt's outcome filled in (known once its re-run ended)."""
    if not repairs or repairs[-1].get("outcome"):
        return repairs
    return [*repairs[:-1], {**repairs[-1], "outcome": outcome}]


def failure_text(label: str, attempts: int, summary: str, *, timed_out: bool, settings: Settings,
                 timeout_s: int) -> str:
    if timed_out:
        limit = timeout_s or settings.CODE_EXECUTION_TIMEOUT
        more = (f" Say “take longer” in your next message to allow up to {settings.MAX_CODE_EXECUTION_TIMEOUT} s."
                if limit < settings.MAX_CODE_EXECUTION_TIMEOUT else "")
        tried = f" after {attempts} repair attempt(s)" if attempts else ""
        return f"“{label}” ran out of time: it was stopped after {limit} s{tried}.{more}"
    if attempts:
        return f"“{label}” still failed after {attempts} repair attempt(s): {summary}"
    return f"“{label}” failed and no fix was found: {summary}"


async def reflect(state: AgentState, *, llm: BaseChatModel, settings: Settings) -> dict[str, Any]:
    step = current(state)
    if step["tool"] not in CODE_TOOLS:
        return {}
    attempts = state.get("repair_attempts", 0)
    repairs = list(state.get("repairs", []))
    stdout, stderr = state.get("last_stdout", ""), state.get("last_stderr", "")

    if not run_failed(state):
        if attempts:
            emit(RepairSuccessEvent(attempt=attempts))
        return {
            **finish_step(state, status="success", stdout=stdout, stderr=stderr,
                          repairs=_with_outcome(repairs, "fixed")),
            "repair_attempts": 0,
            "repairs": [],
        }

    summary = error_summary(stderr)
    repairs = _with_outcome(repairs, f"still failing: {summary}")
    label = re.sub(r"^\W+", "", step["label"]).strip() or step["tool"]  # without the leading emoji
    if state.get("last_stopped"):
        return {
            **finish_step(state, status="error", stdout=stdout, stderr=stderr, repairs=repairs),
            "repair_attempts": 0, "repairs": [], "failure": f"“{label}” was stopped before it finished.",
        }

    if attempts < settings.MAX_CODE_REPAIR_ATTEMPTS:
        repair = await repair_code_detailed(step["code"], stderr, llm, context=repair_context(state))
        if repair.changed:
            attempt = attempts + 1
            diff = code_diff(step["code"], repair.code)
            emit(RepairAttemptEvent(attempt=attempt, max_attempts=settings.MAX_CODE_REPAIR_ATTEMPTS,
                                    error_summary=summary, fixed_by=repair.fixed_by, summary=repair.summary,
                                    diff=diff))
            repairs.append({"attempt": attempt, "error_summary": summary, "fixed_by": repair.fixed_by,
                            "summary": repair.summary, "stderr": stderr,
                            "diff": [d.model_dump() for d in diff], "outcome": ""})
            return {"plan": with_step(state, code=repair.code), "repair_attempts": attempt, "repairs": repairs,
                    "repair_total": state.get("repair_total", 0) + 1}

    timed_out = bool(state.get("last_timed_out")) or is_timeout(stderr)
    failure = failure_text(label, attempts, summary, timed_out=timed_out, settings=settings,
                           timeout_s=int(state.get("timeout_s") or 0))
    return {
        **finish_step(state, status="error", stdout=stdout, stderr=stderr, repairs=repairs),
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
