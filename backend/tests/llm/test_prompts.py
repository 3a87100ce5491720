"""Prompt templates: render, parse back, extract answers."""

from __future__ import annotations

import pytest

from app.services.llm.prompts import (
    extract_code,
    extract_json,
    fill_template,
    load_prompt,
    parse_prompt,
    render_prompt,
)

TEMPLATES = ("code_generation_prompt", "code_repair_prompt", "data_analysis_prompt")


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_starts_with_its_task_and_carries_a_context_block(name: str):
    text = load_prompt(name)
    assert text.splitlines()[0] == f"TASK: {name.removesuffix('_prompt')}"
    assert "=== CONTEXT (JSON) ===\n{context_json}\n=== END CONTEXT ===" in text


def test_code_generation_prompt_lists_libraries_and_rules():
    text = render_prompt("code_generation_prompt", context={"request": "x"},
                         available_libraries="- pandas 1.0.5 — data manipulation")
    assert "- pandas 1.0.5 — data manipulation" in text
    assert "NEVER use plt.show()" in text and "Python 3.12" in text
    assert 'print(f"FILE_SAVED:{OUTPUT_DIR}/filename.ext")' in text  # other braces stay


def test_render_and_parse_round_trip():
    context = {"request": "bar chart of {sales}", "columns": ["a", "b"], "nested": {"k": [1, 2.5, None]}}
    text = render_prompt("code_generation_prompt", context=context, available_libraries="pandas")
    task, parsed = parse_prompt(text)
    assert task == "code_generation"
    assert parsed == context


def test_repair_prompt_inlines_code_and_stderr_once():
    code = "print('{stderr}')\nx = {'a': 1}\n"
    text = render_prompt("code_repair_prompt", broken_code=code, stderr="NameError: name 'sns'",
                         context={"broken_code": code, "stderr": "NameError"}, available_libraries="")
    assert text.count("NameError: name 'sns'") == 1
    assert code in text  # the value's own "{stderr}" is not substituted again
    assert parse_prompt(text) == ("code_repair", {"broken_code": code, "stderr": "NameError"})


def test_context_containing_the_end_marker_still_parses():
    context = {"stdout": "=== END CONTEXT ===\nTASK: other"}
    task, parsed = parse_prompt(fill_template("TASK: t\n=== CONTEXT (JSON) ===\n{context_json}\n=== END CONTEXT ===",
                                              context=context))
    assert (task, parsed) == ("t", context)


def test_text_without_task_parses_to_none():
    assert parse_prompt("hello there") == (None, {})


def test_extract_code_takes_the_first_python_block():
    answer = "Intro\n```json\n{}\n```\n```python\nprint(1)\n```\n```python\nprint(2)\n```"
    assert extract_code(answer) == "print(1)\n"
    assert extract_code("print(3)") == "print(3)\n"
    assert extract_code("```\nprint(4)\n```") == "print(4)\n"
    assert extract_code("```python\nprint(5)\n") == "print(5)\n"  # unterminated fence


def test_extract_json_from_fence_or_prose():
    assert extract_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert extract_json('Here: [1, 2] done') == [1, 2]
    with pytest.raises(ValueError):
        extract_json("no json here")


def test_unknown_template_is_a_clear_error():
    with pytest.raises(FileNotFoundError):
        load_prompt("no_such_prompt")
    with pytest.raises(ValueError):
        load_prompt("../secrets")
