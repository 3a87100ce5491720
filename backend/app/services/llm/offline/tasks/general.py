"""Offline `general`: the polite answer for prompts no other task handles."""

from __future__ import annotations

from app.services.llm.offline.registry import TaskInput, register_task

GENERAL_ANSWER = (
    "I'm KeplerLab's built-in offline assistant. I can analyse and chart your data, export "
    "CSV, Excel, Word and PDF files, draw simple diagrams and work with your uploaded "
    "materials. For open-ended questions, connect a language model in the settings "
    "(an OpenAI-compatible server, Anthropic or Ollama)."
)


@register_task("general")
def answer_generally(task: TaskInput) -> str:
    return GENERAL_ANSWER
