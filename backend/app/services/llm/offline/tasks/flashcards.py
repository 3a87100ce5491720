"""Offline `flashcards` task: definition and cloze cards from key sentences.

Context (JSON): ``{"count": int, "passages": [{"index": int, "material": str,
"location": str, "text": str}]}``.
Answer: a ```json fence with ``{"cards": [{"front", "back", "kind", "source"}]}``;
every back is verbatim text of its source passage.
"""

from __future__ import annotations

import json

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.study.key_facts import Fact, facts_from_passages, reveals, spread

DEFAULT_COUNT = 10


def card_of(fact: Fact) -> dict:
    if fact.kind == "definition" and fact.definition:
        return {
            "front": f"What is {fact.term}?",
            "back": fact.definition,
            "kind": "definition",
            "source": fact.passage,
        }
    return {"front": fact.cloze, "back": fact.term, "kind": "cloze", "source": fact.passage}


def build_cards(context: dict) -> list[dict]:
    count = max(1, int(context.get("count") or DEFAULT_COUNT))
    passages = list(context.get("passages") or [])
    material_of = {int(p.get("index", i)): str(p.get("material", "")) for i, p in enumerate(passages, start=1)}
    facts = [f for f in facts_from_passages(passages)
             if (f.kind == "definition" and f.definition) or not reveals(f.cloze, f.term)]
    return [card_of(f) for f in spread(facts, count, material_of)]


@register_task("flashcards")
def write_flashcards(task: TaskInput) -> str:
    cards = build_cards(task.context)
    return "```json\n" + json.dumps({"cards": cards}, indent=2, ensure_ascii=False) + "\n```"
