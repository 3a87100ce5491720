"""Offline `podcast_script` task: a two-host conversation built from the material's key points.

Context (JSON): ``{"title": str, "materials": [{"name": str, "text": str}], "max_sections": int,
"hosts": {"A": name, "B": name}}``.
Answer: a ```json fence with ``{"title": str, "turns": [{"speaker": "A"|"B", "text": str}]}``.

Host A introduces and asks, host B explains with the material's own best
sentences; each section opens with a transition question, and the show has an
intro and an outro that name the sections.
"""

from __future__ import annotations

import json
from collections import Counter

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.llm.offline.tasks.slide_outline import (
    content_words,
    display_name,
    key_sentences,
    outline_sections,
)

DEFAULT_HOSTS = {"A": "Alex", "B": "Sam"}
DEFAULT_MAX_SECTIONS = 5

_FIRST_QUESTION = "Let's start with {topic}. What's the big idea there?"
_QUESTIONS = (
    "Next up is {topic}. How would you explain it?",
    "Let's move on to {topic}. What should we know?",
    "And what about {topic}?",
    "So where does {topic} come in?",
)
_FOLLOW_UPS = (
    "That makes sense. Is there more to it?",
    "Interesting. Anything else worth remembering?",
    "Got it. What else stands out?",
)


def _topic(title: str) -> str:
    """A section title as it reads mid-sentence: "The Calvin Cycle" -> "the Calvin Cycle"."""
    first, _, rest = title.partition(" ")
    if first.lower() in ("the", "a", "an", "why", "how", "what", "when", "where", "our", "key"):
        return f"{first.lower()} {rest}".strip()
    return title


def _join_titles(titles: list[str]) -> str:
    titles = [_topic(t) for t in titles]
    if len(titles) <= 1:
        return "".join(titles)
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def build_script(context: dict) -> dict:
    materials = context.get("materials") or []
    hosts = {**DEFAULT_HOSTS, **(context.get("hosts") or {})}
    title = (context.get("title") or "").strip() or (
        display_name(materials[0].get("name", "")) if materials else "our study notes"
    )
    full_text = "\n\n".join(m.get("text", "") for m in materials)
    sections = outline_sections(full_text, max_sections=int(context.get("max_sections") or DEFAULT_MAX_SECTIONS))
    doc_counts = Counter(content_words(full_text))
    topics = [s.title for s in sections]

    turns = [
        {
            "speaker": "A",
            "text": f"Welcome to the KeplerLab study podcast. I'm {hosts['A']}, and with me is "
            f"{hosts['B']}. Today we're talking about {title}.",
        },
        {
            "speaker": "B",
            "text": f"Thanks, {hosts['A']}. We'll cover {_join_titles(topics)}."
            if topics
            else f"Thanks, {hosts['A']}. Let's dive in.",
        },
    ]
    for i, section in enumerate(sections):
        topic = _topic(section.title)
        question = _FIRST_QUESTION if i == 0 else _QUESTIONS[(i - 1) % len(_QUESTIONS)]
        turns.append({"speaker": "A", "text": question.format(topic=topic)})
        points = key_sentences(section, doc_counts, 3)
        turns.append({"speaker": "B", "text": " ".join(points[:2])})
        if len(points) > 2:
            turns.append({"speaker": "A", "text": _FOLLOW_UPS[i % len(_FOLLOW_UPS)]})
            turns.append({"speaker": "B", "text": points[2]})
    recap = f"To wrap up, we covered {_join_titles(topics)}." if topics else "That's our overview."
    turns.append({"speaker": "A", "text": recap})
    turns.append(
        {
            "speaker": "B",
            "text": "Thanks for listening. Review your notes, try a quiz, and see you next time.",
        }
    )
    return {"title": title, "turns": turns}


@register_task("podcast_script")
def podcast_script(task: TaskInput) -> str:
    return "```json\n" + json.dumps(build_script(task.context), indent=2, ensure_ascii=False) + "\n```"
