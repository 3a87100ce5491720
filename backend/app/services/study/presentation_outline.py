"""Slide outline: the chat model's section slides, checked and trimmed to slide size,
plus the fixed frame every deck has (title, agenda, closing summary)."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from app.services.llm.offline.tasks.slide_outline import short_bullet
from app.services.llm.prompts import extract_json, render_prompt
from app.services.study.media_sources import SourceText
from app.services.study.podcast_script import answer_text

MAX_SECTIONS = 8
MAX_BULLETS = 6
MAX_BULLET_WORDS = 30


def _short(text: Any, max_words: int) -> str:
    words = " ".join(str(text).split()).split(" ")
    return " ".join(words[:max_words]).rstrip(",;:") + ("…" if len(words) > max_words else "")


def _bullet(text: Any) -> str:
    """A whole sentence or clean phrase: a long one is cut at a clause boundary, never mid-sentence."""
    clean = " ".join(str(text).split())
    if len(clean.split()) <= MAX_BULLET_WORDS:
        return clean
    return short_bullet(clean, MAX_BULLET_WORDS)


def _clean_bullets(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_bullet(b) for b in items if str(b).strip()][:MAX_BULLETS]


def _clean_notes(value: Any) -> str:
    return " ".join(str(value or "").split())[:2000]


Bullets = Annotated[list[str], BeforeValidator(_clean_bullets)]
Notes = Annotated[str, BeforeValidator(_clean_notes)]


class SlideDraft(BaseModel):
    title: Annotated[str, BeforeValidator(lambda v: _short(v, 10)), Field(min_length=1)]
    bullets: Bullets = Field(default_factory=list)
    notes: Notes = ""


class SummaryDraft(BaseModel):
    bullets: Bullets = Field(default_factory=list)
    notes: Notes = ""


class OutlineDraft(BaseModel):
    title: str = ""
    subtitle: str = ""
    slides: list[SlideDraft] = Field(min_length=1)
    summary: SummaryDraft = Field(default_factory=SummaryDraft)


class OutlineError(ValueError):
    """The model's answer is not a usable outline."""


def parse_outline(answer: str) -> OutlineDraft:
    try:
        draft = OutlineDraft.model_validate(extract_json(answer))
    except (ValueError, ValidationError) as exc:
        raise OutlineError(f"the model did not return a valid slide outline: {exc}") from exc
    draft.slides = [s for s in draft.slides if s.bullets][:MAX_SECTIONS]
    if not draft.slides:
        raise OutlineError("the model's slide outline has no slide with bullets")
    return draft


def frame_outline(draft: OutlineDraft, title: str | None, has_image: bool = False) -> dict:
    """Every slide of the deck in order: title, agenda, sections, [figure], summary."""
    deck_title = (title or draft.title or "Study notes").strip()[:255]
    sections = [
        {"kind": "section", "title": s.title, "bullets": s.bullets, "notes": s.notes} for s in draft.slides
    ]
    agenda_titles = [s["title"] for s in sections]
    slides = [
        {
            "kind": "title",
            "title": deck_title,
            "bullets": [draft.subtitle] if draft.subtitle else [],
            "notes": f"Welcome. This deck covers {len(sections)} topics from the notebook's materials.",
        },
        {
            "kind": "agenda",
            "title": "Agenda",
            "bullets": agenda_titles[:MAX_BULLETS]
            + ([f"…and {len(agenda_titles) - MAX_BULLETS} more"] if len(agenda_titles) > MAX_BULLETS else []),
            "notes": "Today we will go through: " + "; ".join(agenda_titles) + ".",
        },
        *sections,
    ]
    if has_image:
        slides.append({"kind": "figure", "title": "Figure", "bullets": [], "notes": "A chart generated from the data."})
    summary_bullets = draft.summary.bullets or [s["bullets"][0] for s in sections[:MAX_BULLETS]]
    slides.append(
        {
            "kind": "summary",
            "title": "Summary",
            "bullets": summary_bullets[:MAX_BULLETS],
            "notes": draft.summary.notes or "To recap: " + "; ".join(agenda_titles) + ".",
        }
    )
    return {"title": deck_title, "subtitle": draft.subtitle, "slides": slides}


async def write_slide_outline(
    model: BaseChatModel, sources: list[SourceText], title: str | None, has_image: bool = False
) -> dict:
    """The full deck outline (see `frame_outline`) for these materials."""
    context = {
        "title": title or "",
        "materials": [s.as_context() for s in sources],
        "max_sections": MAX_SECTIONS,
    }
    prompt = render_prompt("slide_outline_prompt", context=context, max_sections=MAX_SECTIONS)
    reply = await model.ainvoke([HumanMessage(content=prompt)])
    return frame_outline(parse_outline(answer_text(reply)), title, has_image)
