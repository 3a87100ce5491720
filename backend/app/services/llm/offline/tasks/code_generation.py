"""Offline `code_generation`: a Python program for the request, in a ```python fence."""

from __future__ import annotations

from app.services.llm.offline.codegen import generate_code
from app.services.llm.offline.registry import TaskInput, register_task


@register_task("code_generation")
def write_code(task: TaskInput) -> str:
    context = dict(task.context)
    if not context.get("request"):
        context["request"] = task.prompt
    return "```python\n" + generate_code(context) + "```"
