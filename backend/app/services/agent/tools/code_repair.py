"""Repair of generated code that failed in the browser.

Deterministic fixes first (`app.services.llm.repair_rules`: missing import,
wrong module name, wrong column or path, markdown fences; removes `plt.show()`
and `input()`), then the model with `prompts/code_repair_prompt.txt` at
temperature 0. Never raises: when nothing can be fixed, the code comes back
unchanged with `changed=False`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from app.services.agent.error_reading import last_error_line
from app.services.llm.prompts import extract_code, render_prompt
from app.services.llm.repair_rules import apply_repair_rules, clean_up, parses

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeRepair:
    code: str
    fixed_by: Literal["rule", "model"]
    summary: str  # one human line, e.g. "Added missing import of seaborn (import seaborn as sns)"
    changed: bool


@dataclass(frozen=True)
class RepairContext:
    """What is known about the failed run besides its code and stderr."""

    columns: list[str] | None = None  # the dataset's real columns
    dtypes: dict[str, str] | None = None
    available_paths: list[str] | None = None  # the real mounts
    available_libraries: str = ""
    stdout_tail: str = ""
    timed_out: bool = False
    timeout_s: int = 0
    expected: dict[str, Any] = field(default_factory=dict)  # request_reading.ExpectedOutputs.as_dict()
    variables: dict[str, str] = field(default_factory=dict)  # name -> type after the run

    def for_model(self, broken_code: str, stderr: str) -> dict[str, Any]:
        return {
            "broken_code": broken_code,
            "stderr": stderr,
            "stdout_tail": self.stdout_tail,
            "timed_out": self.timed_out,
            "timeout_reason": (f"The run was stopped after {self.timeout_s} s (the time limit): make it faster, "
                               "e.g. vectorise loops, sample large data, cut iterations." if self.timed_out else ""),
            "columns": self.columns or [],
            "dtypes": self.dtypes or {},
            "available_paths": self.available_paths or [],
            "expected_outputs": self.expected,
            "variables": self.variables,
        }


async def repair_code(broken_code: str, stderr: str, llm: Any) -> str:
    """The fixed code (or `broken_code` unchanged when no fix was found)."""
    return (await repair_code_detailed(broken_code, stderr, llm)).code


async def repair_code_detailed(broken_code: str, stderr: str, llm: Any, *,
                               context: RepairContext | None = None) -> CodeRepair:
    context = context or RepairContext()
    fix = apply_repair_rules(broken_code, stderr, columns=context.columns, available_paths=context.available_paths,
                             timed_out=context.timed_out, expected=context.expected, variables=context.variables)
    if fix is not None and fix.code != broken_code:
        return CodeRepair(code=fix.code, fixed_by="rule", summary=fix.summary, changed=True)

    error = last_error_line(stderr) or "the error"
    prompt = render_prompt(
        "code_repair_prompt",
        broken_code=broken_code,
        stderr=stderr,
        stdout_tail=context.stdout_tail or "(nothing)",
        available_libraries=context.available_libraries or "(see the code's imports)",
        context=context.for_model(broken_code, stderr),
    )
    try:
        answer = await _ask_at_temperature_zero(llm, prompt)
    except Exception as exc:  # a provider that is down must not break the run
        log.warning("code repair model call failed: %s", exc)
        return CodeRepair(code=broken_code, fixed_by="model", summary=f"Could not repair: {exc}", changed=False)

    fixed, _ = clean_up(extract_code(answer))
    if not fixed.strip() or not parses(fixed) or fixed.strip() == broken_code.strip():
        return CodeRepair(code=broken_code, fixed_by="model", summary=f"No fix found for {error}", changed=False)
    return CodeRepair(code=fixed, fixed_by="model", summary=f"Rewrote the code to fix {error}", changed=True)


async def _ask_at_temperature_zero(llm: Any, prompt: str) -> str:
    if llm is None:
        from app.services.llm.factory import get_chat_model

        llm = get_chat_model(temperature=0.0)
    model = llm
    bind = getattr(llm, "bind", None)
    if callable(bind):
        try:
            model = bind(temperature=0.0)
        except Exception:
            model = llm
    try:
        message = await model.ainvoke(prompt)
    except Exception as exc:
        if model is llm or "temperature" not in str(exc).lower():
            raise
        message = await llm.ainvoke(prompt)  # some models reject an explicit temperature
    content = getattr(message, "content", message)
    if isinstance(content, list):
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)
