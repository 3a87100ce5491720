"""The built-in offline model: deterministic answers for every task, no network."""

from app.services.llm.offline.model import OfflineChatModel
from app.services.llm.offline.registry import TaskInput, get_task, register_task, registered_tasks

__all__ = ["OfflineChatModel", "TaskInput", "get_task", "register_task", "registered_tasks"]
