"""Task registry of the offline model.

A task handler is a function `handler(task: TaskInput) -> str` registered with
`@register_task("<task_name>")` in any module under
`app/services/llm/offline/tasks/`. Those modules are imported (pkgutil) the
first time a task is looked up, so adding a task never edits a shared file:

    from app.services.llm.offline.registry import TaskInput, register_task

    @register_task("flashcards")
    def write_flashcards(task: TaskInput) -> str:
        cards = ...  # from task.context
        return "```json\\n" + json.dumps(cards) + "\\n```"
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TaskInput:
    """What a handler receives: the task name, the parsed JSON context, the
    full prompt text (last human message) and the system text, if any."""

    name: str
    context: dict[str, Any] = field(default_factory=dict)
    prompt: str = ""
    system: str = ""


TaskHandler = Callable[[TaskInput], str]

_HANDLERS: dict[str, TaskHandler] = {}
_discovered = False
_lock = threading.Lock()


def register_task(name: str) -> Callable[[TaskHandler], TaskHandler]:
    """Decorator: make `handler` answer prompts whose first line is `TASK: <name>`."""

    def decorate(handler: TaskHandler) -> TaskHandler:
        existing = _HANDLERS.get(name)
        if existing is not None and existing is not handler and (
            existing.__module__, existing.__qualname__) != (handler.__module__, handler.__qualname__):
            raise ValueError(f"offline task {name!r} is already registered by {existing.__module__}")
        _HANDLERS[name] = handler
        return handler

    return decorate


def discover_tasks() -> None:
    """Import every module under `offline/tasks/` once (they self-register)."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if _discovered:
            return
        from app.services.llm.offline import tasks

        for module in pkgutil.iter_modules(tasks.__path__, prefix=f"{tasks.__name__}."):
            importlib.import_module(module.name)
        _discovered = True


def get_task(name: str | None) -> TaskHandler | None:
    """The handler registered for `name`, or None."""
    if not name:
        return None
    discover_tasks()
    return _HANDLERS.get(name)


def registered_tasks() -> list[str]:
    discover_tasks()
    return sorted(_HANDLERS)
