"""Repair of generated code that failed in the browser.

Deterministic fixes first (`app.services.llm.repair_rules`: missing import,
wrong module name, wrong column or path, markdown fences; removes `plt.show()`
and `input()`), then the model with `prompts/code_repair_prompt.txt` at
temperature 0. Never raises: when nothing can be fixed, the code comes back
unchanged with `changed=False`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from app.services.llm.prompts import extract_code, render_prompt
from app.services.llm.repair_rules import apply_repair_rules, clean_up, last_error_line, parses

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeRepair:
    code: str
    fixed_by: Literal["rule", "model"]
    summary: str  # one human line, e.g. "Added missing import of seaborn (import seaborn as sns)"
    changed: bool


async def repair_code(broken_code: str, stderr: str, llm: Any) -> str:
    """The fixed code (or `broken_code` unchanged when no fix was found)."""
    return (await repair_code_detailed(broken_code, stderr, llm)).code


async def repair_code_detailed(
    broken_code: str,
    stderr: str,
    llm: Any,
    *,
    columns: list[str] | None = None,
    available_paths: list[str] | None = None,
    available_libraries: str = "",
) -> CodeRepair:
    fix = apply_repair_rules(broken_code, stderr, columns=columns, available_paths=available_paths)
    if fix is not None and fix.code != broken_code:
        return CodeRepair(code=fix.code, fixed_by="rule", summary=fix.summary, changed=True)

    error = last_error_line(stderr) or "the error"
    prompt = render_prompt(
        "code_repair_prompt",
        broken_code=broken_code,
        stderr=stderr,
        available_libraries=available_libraries or "(see the code's imports)",
        context={
            "broken_code": broken_code,
            "stderr": stderr,
            "columns": columns or [],
            "available_paths": available_paths or [],
        },
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
