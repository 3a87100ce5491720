"""Offline `code_repair`: the deterministic fix for the error, else the code unchanged."""

from __future__ import annotations

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.llm.prompts import extract_code
from app.services.llm.repair_rules import apply_repair_rules


@register_task("code_repair")
def repair(task: TaskInput) -> str:
    ctx = task.context
    code = str(ctx.get("broken_code") or "")
    if "```" in code:
        code = extract_code(code)
    fix = apply_repair_rules(
        code,
        str(ctx.get("stderr") or ""),
        columns=[str(c) for c in ctx.get("columns") or []] or None,
        available_paths=[str(p) for p in ctx.get("available_paths") or []] or None,
    )
    return "```python\n" + (fix.code if fix else code).rstrip("\n") + "\n```"
