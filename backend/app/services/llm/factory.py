"""`get_chat_model`: the chat model chosen by settings.

`LLM_PROVIDER`:
- `offline` (default): the built-in deterministic model, no key, no network.
- `openai`: any OpenAI-compatible endpoint (OpenAI, vLLM, LM Studio,
  llama.cpp server, Ollama's /v1) via `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`.
- `anthropic`: Anthropic's API (`LLM_API_KEY`, `LLM_MODEL`, optional `LLM_BASE_URL`).
- `ollama`: Ollama's native API (`LLM_BASE_URL`, `LLM_MODEL`).
- `scripted`: answers from the JSON script at `LLM_SCRIPT_PATH` (tests).

Building a model never touches the network. Network providers get the HTTP
limits `LLM_CONNECT_TIMEOUT` / `LLM_READ_TIMEOUT` and, around every call, the
total `LLM_CALL_TIMEOUT` (`deadline.DeadlineChatModel`).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

PROVIDERS = ("offline", "openai", "anthropic", "ollama", "scripted")

DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-sonnet-4-5",
    "ollama": "llama3.1",
}


class LLMConfigurationError(ValueError):
    """The LLM settings name an unknown provider or lack a required value."""


def get_chat_model(temperature: float | None = None, *, settings: Any = None) -> BaseChatModel:
    """The configured chat model. `settings` defaults to `get_settings()`;
    `temperature` defaults to `LLM_TEMPERATURE` (ignored by offline/scripted)."""
    if settings is None:
        from app.core.config import get_settings

        settings = get_settings()
    provider = str(getattr(settings, "LLM_PROVIDER", "offline") or "offline").strip().lower()
    model = str(getattr(settings, "LLM_MODEL", "") or "").strip() or DEFAULT_MODELS.get(provider, "")
    base_url = str(getattr(settings, "LLM_BASE_URL", "") or "").strip() or None
    api_key = _secret(getattr(settings, "LLM_API_KEY", None))
    if temperature is None:
        temperature = getattr(settings, "LLM_TEMPERATURE", None)
    extra: dict[str, Any] = {} if temperature is None else {"temperature": temperature}

    if provider == "offline":
        from app.services.llm.offline.model import OfflineChatModel

        return OfflineChatModel(**extra)
    if provider == "scripted":
        from app.services.llm.scripted import ScriptedChatModel

        script_path = str(getattr(settings, "LLM_SCRIPT_PATH", "") or "").strip()
        if not script_path:
            raise LLMConfigurationError("LLM_PROVIDER=scripted needs LLM_SCRIPT_PATH (a JSON script file)")
        return ScriptedChatModel(script_path=script_path, **extra)
    network = _network_model(provider, model, base_url, api_key, extra, settings)
    if network is None:
        raise LLMConfigurationError(
            f"unknown LLM_PROVIDER {provider!r}; expected one of: {', '.join(PROVIDERS)}"
        )
    from app.services.llm.deadline import DeadlineChatModel

    return DeadlineChatModel(inner=network, call_timeout=float(getattr(settings, "LLM_CALL_TIMEOUT", 180)))


def _network_model(provider: str, model: str, base_url: str | None, api_key: str,
                   extra: dict[str, Any], settings: Any) -> BaseChatModel | None:
    import httpx

    connect = float(getattr(settings, "LLM_CONNECT_TIMEOUT", 10))
    read = float(getattr(settings, "LLM_READ_TIMEOUT", 60))
    timeout = httpx.Timeout(read, connect=connect)
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        if not api_key:
            if base_url is None:
                raise LLMConfigurationError(
                    "LLM_PROVIDER=openai needs LLM_API_KEY (or LLM_BASE_URL of a local "
                    "OpenAI-compatible server such as vLLM, LM Studio or llama.cpp)"
                )
            api_key = "not-needed"  # local servers ignore the key but the client requires one
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, timeout=timeout, **extra)
    if provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        if not api_key:
            raise LLMConfigurationError("LLM_PROVIDER=anthropic needs LLM_API_KEY")
        # langchain-anthropic takes one number: the read limit, which also bounds connecting.
        kwargs: dict[str, Any] = {"model": model, "api_key": api_key, "timeout": read, **extra}
        if base_url:
            kwargs["base_url"] = base_url
        return ChatAnthropic(**kwargs)
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        kwargs = {"model": model, "client_kwargs": {"timeout": timeout}, **extra}
        if base_url:
            kwargs["base_url"] = base_url
        return ChatOllama(**kwargs)
    return None


def _secret(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value).strip()
