"""ScriptedChatModel: answers per task in order, '__raise__', offline fallback."""

from __future__ import annotations

import json

import pytest

from app.services.llm.prompts import render_prompt
from app.services.llm.scripted import ScriptedChatModel, ScriptedProviderError, reset_scripts


def repair_prompt() -> str:
    return render_prompt("code_repair_prompt", broken_code="print(x)", stderr="NameError",
                         context={"broken_code": "print(x)", "stderr": "NameError"}, available_libraries="")


def test_answers_are_given_in_order_then_fall_back_to_offline():
    model = ScriptedChatModel(script={"code_repair": ["first", "second"]})
    answers = [model.invoke(repair_prompt()).content for _ in range(3)]
    assert answers[:2] == ["first", "second"]
    assert answers[2] == "```python\nprint(x)\n```"  # the offline repair: no rule applies
    assert [task for task, _ in model.calls] == ["code_repair"] * 3


def test_unscripted_task_is_answered_by_the_offline_model():
    model = ScriptedChatModel(script={"code_repair": ["x"]})
    assert "offline assistant" in model.invoke("TASK: nonexistent_task\nhello").content


def test_raise_marker_raises_like_a_provider_that_is_down():
    model = ScriptedChatModel(script={"code_repair": ["__raise__", "ok"]})
    with pytest.raises(ScriptedProviderError):
        model.invoke(repair_prompt())
    assert model.invoke(repair_prompt()).content == "ok"


async def test_async_and_streaming_give_the_same_answer():
    model = ScriptedChatModel(script={"general": ["one two  three\nfour", "one two  three\nfour"]})
    assert (await model.ainvoke("TASK: general")).content == "one two  three\nfour"
    chunks = [c.content async for c in model.astream("TASK: general") if c.content]
    assert len(chunks) == 4 and "".join(chunks) == "one two  three\nfour"


def test_file_script_progress_is_shared_by_instances(tmp_path):
    reset_scripts()
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"general": ["a", "b"]}))
    first, second = ScriptedChatModel(script_path=str(path)), ScriptedChatModel(script_path=str(path))
    assert first.invoke("TASK: general").content == "a"
    assert second.invoke("TASK: general").content == "b"
    assert len(first.calls) == 2
