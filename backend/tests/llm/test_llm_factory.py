"""get_chat_model picks the provider from settings without touching the network."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from langchain_anthropic import ChatAnthropic
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from app.services.llm.deadline import DeadlineChatModel
from app.services.llm.factory import LLMConfigurationError, get_chat_model
from app.services.llm.offline import OfflineChatModel
from app.services.llm.scripted import ScriptedChatModel


def settings(**values) -> SimpleNamespace:
    base = {"LLM_PROVIDER": "offline", "LLM_MODEL": "", "LLM_BASE_URL": None, "LLM_API_KEY": None,
            "LLM_SCRIPT_PATH": None, "LLM_TEMPERATURE": 0.2,
            "LLM_CONNECT_TIMEOUT": 3, "LLM_READ_TIMEOUT": 7, "LLM_CALL_TIMEOUT": 11}
    return SimpleNamespace(**{**base, **values})


def test_default_is_the_offline_model():
    assert isinstance(get_chat_model(settings=settings()), OfflineChatModel)


def network_model(**values):
    """The provider's model inside the per-call deadline wrapper every network model gets."""
    wrapped = get_chat_model(values.pop("temperature", None), settings=settings(**values))
    assert isinstance(wrapped, DeadlineChatModel) and wrapped.call_timeout == 11
    return wrapped.inner


def test_openai_compatible_endpoint_without_key_for_local_servers():
    model = network_model(temperature=0.0, LLM_PROVIDER="openai", LLM_MODEL="qwen2.5-coder",
                          LLM_BASE_URL="http://127.0.0.1:8000/v1")
    assert isinstance(model, ChatOpenAI)
    assert model.request_timeout.connect == 3 and model.request_timeout.read == 7
    assert model.model_name == "qwen2.5-coder" and model.temperature == 0.0
    assert model.openai_api_base == "http://127.0.0.1:8000/v1"


def test_openai_without_key_or_base_url_is_a_clear_error():
    with pytest.raises(LLMConfigurationError, match="LLM_API_KEY"):
        get_chat_model(settings=settings(LLM_PROVIDER="openai"))


def test_anthropic_needs_a_key():
    with pytest.raises(LLMConfigurationError, match="LLM_API_KEY"):
        get_chat_model(settings=settings(LLM_PROVIDER="anthropic"))
    model = network_model(LLM_PROVIDER="anthropic", LLM_API_KEY="sk-test", LLM_MODEL="claude-x")
    assert isinstance(model, ChatAnthropic) and model.model == "claude-x"
    assert model.default_request_timeout == 7
    assert model.temperature == 0.2  # from LLM_TEMPERATURE


def test_ollama_native():
    model = network_model(LLM_PROVIDER="ollama", LLM_BASE_URL="http://localhost:11434")
    assert isinstance(model, ChatOllama) and model.base_url == "http://localhost:11434"
    assert model.client_kwargs["timeout"].connect == 3 and model.client_kwargs["timeout"].read == 7


def test_scripted_reads_the_script_path(tmp_path):
    script = tmp_path / "script.json"
    script.write_text('{"general": ["scripted hello"]}')
    model = get_chat_model(settings=settings(LLM_PROVIDER="scripted", LLM_SCRIPT_PATH=script))
    assert isinstance(model, ScriptedChatModel)
    assert model.invoke("TASK: general\nhi").content == "scripted hello"
    with pytest.raises(LLMConfigurationError, match="LLM_SCRIPT_PATH"):
        get_chat_model(settings=settings(LLM_PROVIDER="scripted"))


def test_unknown_provider_is_a_clear_error():
    with pytest.raises(LLMConfigurationError, match="unknown LLM_PROVIDER 'gemini'"):
        get_chat_model(settings=settings(LLM_PROVIDER="gemini"))


def test_real_settings_object_works(monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setenv("LLM_PROVIDER", "offline")
    get_settings.cache_clear()
    try:
        assert isinstance(get_chat_model(), OfflineChatModel)
    finally:
        get_settings.cache_clear()
