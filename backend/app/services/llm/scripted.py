"""`ScriptedChatModel`: a chat model that answers from a script, for tests.

The script maps a task name to the answers to give, in order:

    {"code_generation": ["```python\\nprint(1)\\n```", "__raise__"],
     "data_analysis": ["The mean is 3."]}

Each call for a task takes that task's next answer. `"__raise__"` raises
`ScriptedProviderError` (a provider that is down). Unscripted tasks and
exhausted lists are answered by the offline model. The script comes from a dict
(`ScriptedChatModel(script={...})`, state per instance) or a JSON file
(`script_path`, state shared by every instance in the process, so a server that
builds a new model per call still walks the script in order).
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from app.services.llm.offline.model import answer_task, split_for_streaming, task_input_from_messages

RAISE = "__raise__"

_FILE_CURSORS: dict[str, dict[str, int]] = {}
_FILE_CALLS: dict[str, list[tuple[str, str]]] = {}
_lock = threading.Lock()


class ScriptedProviderError(RuntimeError):
    """Raised for a scripted `"__raise__"` answer."""


def reset_scripts() -> None:
    """Forget the progress of every file-based script in this process."""
    with _lock:
        _FILE_CURSORS.clear()
        _FILE_CALLS.clear()


class ScriptedChatModel(BaseChatModel):
    script: dict[str, list[Any]] | None = None
    script_path: str | None = None
    temperature: float | None = None  # accepted, ignored

    _cursors: dict[str, int] = PrivateAttr(default_factory=dict)
    _calls: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "keplerlab-scripted"

    def _load_script(self) -> dict[str, list[Any]]:
        if self.script is not None:
            return self.script
        if not self.script_path:
            return {}
        path = Path(self.script_path)
        if not path.is_file():
            raise FileNotFoundError(f"LLM script not found: {path}")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"LLM script {path} must be a JSON object of task -> [answers]")
        return {key: value if isinstance(value, list) else [value] for key, value in data.items()}

    def _state(self) -> tuple[dict[str, int], list[tuple[str, str]]]:
        if self.script is not None or not self.script_path:
            return self._cursors, self._calls
        key = str(Path(self.script_path).resolve())
        return _FILE_CURSORS.setdefault(key, {}), _FILE_CALLS.setdefault(key, [])

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(task name, prompt text) of every call so far, oldest first."""
        return list(self._state()[1])

    def answer(self, messages: list[BaseMessage]) -> str:
        task = task_input_from_messages(messages)
        answers = self._load_script().get(task.name) or []
        with _lock:
            cursors, calls = self._state()
            calls.append((task.name, task.prompt))
            index = cursors.get(task.name, 0)
            if index < len(answers):
                cursors[task.name] = index + 1
                scripted = answers[index]
            else:
                scripted = None
        if scripted is None:
            return answer_task(task)
        if scripted == RAISE:
            raise ScriptedProviderError(f"scripted provider failure for task {task.name!r}")
        return scripted if isinstance(scripted, str) else json.dumps(scripted)

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
