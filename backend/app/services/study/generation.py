"""Ask the chat model for a structured study item list (cards, questions).

The prompt carries the numbered passages; the answer is a ```json fence. Items
a real model returns are kept only when they validate and are grounded in the
material; the deterministic offline builder tops the list up, so a deck or
quiz is never empty or invented because a model misbehaved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import HumanMessage

from app.core.config import Settings
from app.services.llm.factory import get_chat_model
from app.services.llm.prompts import extract_json, render_prompt
from app.services.study.sources import Source

log = logging.getLogger(__name__)


async def generate_items(
    prompt_name: str,
    key: str,
    sources: Sequence[Source],
    settings: Settings,
    values: dict[str, Any],
    offline_builder: Callable[[dict], list[dict]],
    accept: Callable[[dict], dict | None],
    count: int,
) -> list[dict]:
    """Up to `count` accepted items: the model's first, then the offline builder's."""
    context = {**values, "passages": [s.as_context() for s in sources]}
    prompt = render_prompt(prompt_name, context=context, **{k: str(v) for k, v in values.items()})
    items: list[dict] = []
    try:
        answer = await get_chat_model(settings=settings).ainvoke([HumanMessage(content=prompt)])
        raw = extract_json(answer.content if isinstance(answer.content, str) else str(answer.content))
        raw_items = raw.get(key, []) if isinstance(raw, dict) else raw
        items = [item for item in (accept(x) for x in raw_items if isinstance(x, dict)) if item]
    except Exception:
        log.exception("%s: the model's answer was unusable; using the offline builder", prompt_name)
    if len(items) < count:
        seen = {repr(sorted(i.items())) for i in items}
        for extra in (accept(x) for x in offline_builder(context)):
            if extra and repr(sorted(extra.items())) not in seen and len(items) < count:
                items.append(extra)
    return items[:count]
