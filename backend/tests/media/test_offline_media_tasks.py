"""The offline model's podcast_script and slide_outline tasks, through the real OfflineChatModel."""

from __future__ import annotations

from app.services.llm.offline.registry import get_task
from app.services.llm.prompts import extract_json, render_prompt
from app.services.study.media_sources import SourceText
from app.services.study.podcast_script import write_podcast_script
from app.services.study.presentation_outline import write_slide_outline
from tests.media.conftest import MATERIAL, SECTION_TITLES


def _sources() -> list[SourceText]:
    return [SourceText("m1", "photosynthesis.txt", MATERIAL.read_text(encoding="utf-8"))]


def _offline_model():
    from app.services.llm.offline import OfflineChatModel

    return OfflineChatModel()


def test_both_tasks_are_discovered_by_the_offline_registry():
    assert get_task("podcast_script") is not None
    assert get_task("slide_outline") is not None


def test_the_prompts_name_their_tasks_and_carry_the_context():
    prompt = render_prompt("podcast_script_prompt", context={"title": "T", "materials": []}, host_a="Alex",
                           host_b="Sam", max_turns=10, target_words=100)
    assert prompt.splitlines()[0] == "TASK: podcast_script"
    assert '"title": "T"' in prompt
    assert render_prompt("slide_outline_prompt", context={}, max_sections=8).startswith("TASK: slide_outline")


async def test_offline_script_has_an_intro_an_outro_and_both_hosts_taking_turns():
    script = await write_podcast_script(_offline_model(), _sources(), None)
    turns = script["turns"]
    assert turns[0]["speaker"] == "A" and "Welcome" in turns[0]["text"]
    assert turns[-1]["speaker"] == "B" and "Thanks for listening" in turns[-1]["text"]
    assert all(a["speaker"] != b["speaker"] for a, b in zip(turns, turns[1:], strict=False))
    assert {t["name"] for t in turns} == {"Alex", "Sam"}


async def test_offline_script_asks_about_each_section_and_explains_with_the_material():
    script = await write_podcast_script(_offline_model(), _sources(), "Plants")
    assert script["title"] == "Plants"
    questions = " ".join(t["text"] for t in script["turns"] if t["speaker"] == "A")
    for title in ("Photosynthesis", "Light Reactions", "Calvin Cycle"):
        assert title in questions
    explanations = [t["text"] for t in script["turns"][2:-2] if t["speaker"] == "B"]
    assert len(explanations) >= 3
    material = " ".join(MATERIAL.read_text(encoding="utf-8").split())
    for text in explanations:
        assert text in material  # the material's own sentences, not invented ones


async def test_offline_outline_frames_title_agenda_sections_and_summary():
    outline = await write_slide_outline(_offline_model(), _sources(), None)
    kinds = [s["kind"] for s in outline["slides"]]
    assert kinds == ["title", "agenda", "section", "section", "section", "summary"]
    sections = outline["slides"][2:5]
    assert [s["title"] for s in sections] == SECTION_TITLES
    assert outline["slides"][1]["bullets"] == SECTION_TITLES
    material = " ".join(MATERIAL.read_text(encoding="utf-8").split())
    for slide in sections:
        assert 1 <= len(slide["bullets"]) <= 6
        assert all(len(b.split()) <= 16 for b in slide["bullets"])
        assert slide["notes"] and slide["notes"] in material


def test_unheaded_prose_becomes_one_section_per_paragraph_with_keyword_titles():
    from app.services.llm.offline.tasks.slide_outline import build_outline

    text = (
        "Mitochondria produce energy for the cell. Mitochondria have their own DNA.\n\n"
        "Ribosomes build proteins from amino acids. Ribosomes read messenger RNA."
    )
    outline = build_outline({"materials": [{"name": "cells.txt", "text": text}]})
    assert [s["title"].split(",")[0].split(" and ")[0] for s in outline["slides"]] == ["Mitochondria", "Ribosomes"]


def test_a_long_material_is_merged_down_to_the_section_limit():
    from app.services.llm.offline.tasks.slide_outline import outline_sections

    text = "\n\n".join(f"Topic {i}\n\nSentence number {i} explains topic {i} in detail." for i in range(20))
    sections = outline_sections(text, max_sections=8)
    assert len(sections) == 8
    assert sum(len(s.sentences) for s in sections) == 20


def test_the_offline_answer_is_a_json_fence():
    from app.services.llm.offline.registry import TaskInput

    answer = get_task("slide_outline")(TaskInput(name="slide_outline", context={"materials": [
        {"name": "n", "text": MATERIAL.read_text(encoding="utf-8")}]}))
    assert answer.startswith("```json\n")
    assert extract_json(answer)["slides"]


async def test_a_model_answer_without_json_is_a_clear_script_error():
    import pytest
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from app.services.study.podcast_script import ScriptError

    with pytest.raises(ScriptError, match="valid podcast script"):
        await write_podcast_script(FakeListChatModel(responses=["Sorry, I can't."]), _sources(), None)
    one_host = '```json\n{"title": "x", "turns": [{"speaker": "A", "text": "hi"}, {"speaker": "A", "text": "yo"}]}\n```'
    with pytest.raises(ScriptError, match="both hosts"):
        await write_podcast_script(FakeListChatModel(responses=[one_host]), _sources(), None)
