"""Flashcard decks: generate from materials, review, export.

Cards come from `prompts/flashcards_prompt.txt` (offline: definition and cloze
cards from key sentences). Every kept card's back is text of its source
passage, and the card remembers the material and location it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Flashcard, FlashcardDeck, FlashcardReview, Notebook, User, utcnow
from app.services.csv_export import csv_text
from app.services.llm.offline.tasks.flashcards import build_cards
from app.services.rag.answer import snippet
from app.services.study.generation import generate_items
from app.services.study.key_facts import grounded, reveals
from app.services.study.sources import Source, find_source, selected_materials, source_of, study_sources

MAX_CARDS = 50
ReviewResult = Literal["know", "again"]


def _accept_card(sources: Sequence[Source]):
    def accept(raw: dict) -> dict | None:
        front, back = str(raw.get("front", "")).strip(), str(raw.get("back", "")).strip()
        if not front or not back or len(back) > 400:
            return None
        source = source_of(sources, raw.get("source"))
        if source is None or not grounded(back, source.chunk.text):
            source = find_source(sources, back)
        if source is None:
            return None
        kind = raw.get("kind") if raw.get("kind") in ("definition", "cloze") else "definition"
        if kind == "cloze" and reveals(front, back):
            return None  # a cloze that shows its own answer
        return {"front": front, "back": back, "kind": kind, "source": source.index}

    return accept


async def create_deck(
    db: AsyncSession,
    settings: Settings,
    user: User,
    notebook: Notebook,
    material_ids: Sequence[str] | None,
    count: int,
) -> FlashcardDeck:
    materials = await selected_materials(db, user, notebook, material_ids)
    sources = await study_sources(materials)
    count = max(1, min(count, MAX_CARDS))
    cards = await generate_items(
        "flashcards_prompt", "cards", sources, settings, {"count": count},
        build_cards, _accept_card(sources), count,
    )
    title = materials[0].filename if len(materials) == 1 else f"{notebook.title} ({len(materials)} materials)"
    deck = FlashcardDeck(
        user_id=user.id, notebook_id=notebook.id, title=f"Flashcards: {title}",
        material_ids=[m.id for m in materials],
    )
    for position, card in enumerate(cards):
        source = sources[card["source"] - 1]
        deck.cards.append(
            Flashcard(
                position=position, front=card["front"], back=card["back"], kind=card["kind"],
                material_id=source.material.id, material_name=source.material.filename,
                location=source.chunk.location, snippet=snippet(source.chunk.text, 400),
                known=False, reviews=0, lapses=0,
            )
        )
    db.add(deck)
    await db.commit()
    await db.refresh(deck, ["cards"])
    return deck


async def list_decks(db: AsyncSession, user: User, notebook: Notebook) -> list[FlashcardDeck]:
    rows = await db.scalars(
        select(FlashcardDeck)
        .where(FlashcardDeck.notebook_id == notebook.id, FlashcardDeck.user_id == user.id)
        .order_by(FlashcardDeck.created_at.desc())
    )
    return list(rows)


def find_card(deck: FlashcardDeck, card_id: str) -> Flashcard | None:
    return next((c for c in deck.cards if c.id == card_id), None)


async def review_card(db: AsyncSession, user: User, card: Flashcard, result: ReviewResult) -> Flashcard:
    card.reviews += 1
    card.known = result == "know"
    if result == "again":
        card.lapses += 1
    card.last_result = result
    card.last_reviewed_at = utcnow()
    db.add(FlashcardReview(card_id=card.id, user_id=user.id, result=result))
    await db.commit()
    return card


def deck_csv(deck: FlashcardDeck) -> str:
    """Cells that a spreadsheet would run as formulas are neutralised (services/csv_export)."""
    return csv_text(
        ["front", "back", "kind", "source", "location", "known"],
        ([card.front, card.back, card.kind, card.material_name, card.location, card.known] for card in deck.cards),
    )


def _tsv_field(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def deck_anki_tsv(deck: FlashcardDeck) -> str:
    """Anki "Import File" text: `#` headers, then front<TAB>back<TAB>tags per line."""
    tag = "keplerlab"
    lines = ["#separator:tab", "#html:false", "#tags column:3"]
    for card in deck.cards:
        source = f"{card.material_name} ({card.location})" if card.location else card.material_name
        back = f"{card.back} — {source}" if source else card.back
        lines.append(f"{_tsv_field(card.front)}\t{_tsv_field(back)}\t{tag}")
    return "\n".join(lines) + "\n"
