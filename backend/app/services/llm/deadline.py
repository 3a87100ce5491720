"""A total time limit per model call, whatever the provider.

The provider's HTTP client has connect and read limits (`LLM_CONNECT_TIMEOUT`,
`LLM_READ_TIMEOUT`), but a read limit restarts with every byte: a server that
sends SSE keep-alives, or one token a minute, never trips it. `DeadlineChatModel`
wraps the provider's model so one call (`ainvoke`, or a whole `astream`) ends
with `LLMTimeoutError` once `LLM_CALL_TIMEOUT` has passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult


class LLMTimeoutError(TimeoutError):
    """The model did not finish its answer within the per-call limit."""


class DeadlineChatModel(BaseChatModel):
    inner: BaseChatModel
    call_timeout: float  # seconds for the whole call, first byte to last token

    @property
    def _llm_type(self) -> str:
        return self.inner._llm_type

    def _timed_out(self) -> LLMTimeoutError:
        return LLMTimeoutError(
            f"the language model did not answer within {self.call_timeout:g} s (LLM_CALL_TIMEOUT)"
        )

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        # Synchronous callers (none in the app) get the HTTP client's own limits only.
        return self.inner._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        return self.inner._stream(messages, stop=stop, **kwargs)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        try:
            async with asyncio.timeout(self.call_timeout):
                return await self.inner._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)
        except TimeoutError as exc:
            raise self._timed_out() from exc

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        # No run_manager for the inner stream: this model's astream reports each token already.
        deadline = asyncio.get_running_loop().time() + self.call_timeout
        chunks = self.inner._astream(messages, stop=stop, **kwargs)
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        chunk = await anext(chunks)
                except StopAsyncIteration:
                    return
                except TimeoutError as exc:
                    raise self._timed_out() from exc
                yield chunk
        finally:
            await chunks.aclose()
