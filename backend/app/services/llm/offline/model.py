"""`OfflineChatModel`: the default chat model, deterministic and offline.

It reads the `TASK:` line and the JSON context of the last human message (or of
the system message), runs the handler registered for that task and answers with
its text. Streaming yields the same text in word-sized chunks.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from app.services.llm.offline.registry import TaskInput, get_task
from app.services.llm.offline.tasks.general import GENERAL_ANSWER
from app.services.llm.prompts import parse_prompt


def message_text(message: BaseMessage) -> str:
    """Plain text of a message whose content is a string or a list of blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def task_input_from_messages(messages: Sequence[BaseMessage]) -> TaskInput:
    """The task named by the last human message (else the system message)."""
    human = next((message_text(m) for m in reversed(messages) if m.type == "human"), "")
    system = "\n".join(message_text(m) for m in messages if m.type == "system")
    if not human and messages:
        human = message_text(messages[-1])
    name, context = parse_prompt(human)
    if name is None and system:
        name, system_context = parse_prompt(system)
        context = context or system_context
    return TaskInput(name=name or "", context=context, prompt=human, system=system)


def answer_task(task: TaskInput) -> str:
    """Run the registered handler; unknown tasks get a polite general answer."""
    handler = get_task(task.name)
    if handler is None:
        handler = get_task("general")
    if handler is None:
        return GENERAL_ANSWER
    return handler(task)


def split_for_streaming(text: str) -> list[str]:
    """Word-sized chunks whose concatenation is exactly `text`."""
    return re.findall(r"\s*\S+|\s+$", text) or ([text] if text else [])


class OfflineChatModel(BaseChatModel):
    """Deterministic, network-free chat model answering registered tasks."""

    temperature: float | None = None  # accepted for interface parity, ignored

    @property
    def _llm_type(self) -> str:
        return "keplerlab-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": "keplerlab-offline"}

    def answer(self, messages: Sequence[BaseMessage]) -> str:
        return answer_task(task_input_from_messages(messages))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self.answer(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop=stop, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in split_for_streaming(self.answer(messages)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for piece in split_for_streaming(self.answer(messages)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                await run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
            await asyncio.sleep(0)  # let each token reach the client as its own event
