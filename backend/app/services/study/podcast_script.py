"""Podcast script: the two-host dialogue, written by the chat model from the materials."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field, ValidationError, field_validator

from app.services.llm.prompts import extract_json, render_prompt
from app.services.study.media_sources import SourceText

HOSTS = {"A": "Alex", "B": "Sam"}
MAX_TURNS = 40
MAX_TURN_CHARS = 1200
TARGET_WORDS = 350


class ScriptTurn(BaseModel):
    speaker: str
    text: str = Field(min_length=1)

    @field_validator("speaker", mode="before")
    @classmethod
    def _host_letter(cls, value: Any) -> str:
        """"A", "Host A", "host_b", or a host's name → "A"/"B"."""
        raw = str(value).strip()
        for letter, name in HOSTS.items():
            if raw.lower() in (letter.lower(), f"host {letter.lower()}", f"host_{letter.lower()}", name.lower()):
                return letter
        raise ValueError(f"unknown speaker {raw!r}")

    @field_validator("text", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> str:
        return " ".join(str(value).split())[:MAX_TURN_CHARS]


class PodcastScript(BaseModel):
    title: str = ""
    turns: list[ScriptTurn] = Field(min_length=2)


class ScriptError(ValueError):
    """The model's answer is not a usable script."""


def answer_text(reply: Any) -> str:
    """The text of a chat model reply (`.text` is a property in langchain-core 1.x, a method in 0.3)."""
    text = getattr(reply, "text", None)
    if isinstance(text, str):
        return str(text)
    if callable(text):
        text = text()
    return text if isinstance(text, str) else str(reply.content)


def parse_script(answer: str) -> PodcastScript:
    try:
        data = extract_json(answer)
        script = PodcastScript.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise ScriptError(f"the model did not return a valid podcast script: {exc}") from exc
    if {t.speaker for t in script.turns} != {"A", "B"}:
        raise ScriptError("the model's podcast script does not have both hosts speaking")
    script.turns = script.turns[:MAX_TURNS]
    return script


async def write_podcast_script(model: BaseChatModel, sources: list[SourceText], title: str | None) -> dict:
    """`{"title", "hosts", "turns": [{"speaker", "name", "text"}]}` for these materials."""
    context = {
        "title": title or "",
        "materials": [s.as_context() for s in sources],
        "hosts": HOSTS,
    }
    prompt = render_prompt(
        "podcast_script_prompt",
        context=context,
        host_a=HOSTS["A"],
        host_b=HOSTS["B"],
        max_turns=MAX_TURNS,
        target_words=TARGET_WORDS,
    )
    reply = await model.ainvoke([HumanMessage(content=prompt)])
    script = parse_script(answer_text(reply))
    return {
        "title": (title or script.title or "Study podcast").strip()[:255],
        "hosts": dict(HOSTS),
        "turns": [{"speaker": t.speaker, "name": HOSTS[t.speaker], "text": t.text} for t in script.turns],
    }
