"""Flashcard decks of a notebook: create, list, read, delete, review, export."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.models import FlashcardDeck, Notebook
from app.services.study import flashcards as service
from app.services.study.sources import StudyInputError

router = APIRouter(prefix="/api", tags=["flashcards"])


class DeckIn(BaseModel):
    material_ids: list[str] | None = None
    count: int = Field(default=10, ge=1, le=service.MAX_CARDS)


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    position: int
    front: str
    back: str
    kind: str
    material_id: str | None
    material_name: str
    location: str
    snippet: str
    known: bool
    reviews: int
    lapses: int
    last_result: str | None
    last_reviewed_at: datetime | None


class DeckSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    notebook_id: str
    title: str
    material_ids: list[str]
    created_at: datetime
    card_count: int
    known_count: int

    @classmethod
    def of(cls, deck: FlashcardDeck) -> DeckSummaryOut:
        return cls(
            id=deck.id, notebook_id=deck.notebook_id, title=deck.title, material_ids=deck.material_ids,
            created_at=deck.created_at, card_count=len(deck.cards), known_count=sum(c.known for c in deck.cards),
        )


class DeckOut(DeckSummaryOut):
    cards: list[CardOut]

    @classmethod
    def of(cls, deck: FlashcardDeck) -> DeckOut:
        summary = DeckSummaryOut.of(deck).model_dump()
        return cls(**summary, cards=[CardOut.model_validate(c) for c in deck.cards])


class ReviewIn(BaseModel):
    result: Literal["know", "again"]


def _study_error(exc: StudyInputError) -> HTTPException:
    return HTTPException(exc.status_code, exc.detail)


@router.post("/notebooks/{notebook_id}/flashcards", status_code=status.HTTP_201_CREATED, response_model=DeckOut)
async def create_deck(notebook_id: str, body: DeckIn, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    try:
        deck = await service.create_deck(db, settings, user, notebook, body.material_ids, body.count)
    except StudyInputError as exc:
        raise _study_error(exc) from None
    return DeckOut.of(deck)


@router.get("/notebooks/{notebook_id}/flashcards", response_model=list[DeckSummaryOut])
async def list_decks(notebook_id: str, user: CurrentUser, db: SessionDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    return [DeckSummaryOut.of(d) for d in await service.list_decks(db, user, notebook)]


@router.get("/flashcards/{deck_id}", response_model=DeckOut)
async def read_deck(deck_id: str, user: CurrentUser, db: SessionDep):
    return DeckOut.of(await get_owned_or_404(db, FlashcardDeck, deck_id, user))


@router.delete("/flashcards/{deck_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_deck(deck_id: str, user: CurrentUser, db: SessionDep):
    deck = await get_owned_or_404(db, FlashcardDeck, deck_id, user)
    await db.delete(deck)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/flashcards/{deck_id}/cards/{card_id}/review", response_model=CardOut)
async def review_card(deck_id: str, card_id: str, body: ReviewIn, user: CurrentUser, db: SessionDep):
    deck = await get_owned_or_404(db, FlashcardDeck, deck_id, user)
    card = service.find_card(deck, card_id)
    if card is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Card not found")
    return await service.review_card(db, user, card, body.result)


@router.get("/flashcards/{deck_id}/export")
async def export_deck(
    deck_id: str, user: CurrentUser, db: SessionDep, format: Literal["csv", "anki"] = Query("csv")
):
    """CSV (front, back, kind, source, location, known) or Anki-importable TSV."""
    deck = await get_owned_or_404(db, FlashcardDeck, deck_id, user)
    if format == "anki":
        body, media_type, ext = service.deck_anki_tsv(deck), "text/tab-separated-values", "txt"
    else:
        body, media_type, ext = service.deck_csv(deck), "text/csv", "csv"
    return Response(
        body,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="flashcards-{deck.id[:8]}.{ext}"'},
    )
