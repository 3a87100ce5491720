"""Flashcard decks and quizzes generated from a notebook's materials, with the
learner's reviews and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, created_at_column, id_column


class FlashcardDeck(Base):
    __tablename__ = "flashcard_decks"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()

    cards: Mapped[list[Flashcard]] = relationship(
        back_populates="deck",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Flashcard.position",
        lazy="selectin",
    )


class Flashcard(Base):
    """One card. `back` is text of the source material; `known`/`reviews`/`lapses`
    summarise the review log in `flashcard_reviews`."""

    __tablename__ = "flashcards"

    id: Mapped[str] = id_column()
    deck_id: Mapped[str] = mapped_column(ForeignKey("flashcard_decks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    front: Mapped[str] = mapped_column(Text)
    back: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="definition")  # definition | cloze
    material_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    material_name: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    snippet: Mapped[str] = mapped_column(Text, default="")
    known: Mapped[bool] = mapped_column(default=False)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_result: Mapped[str | None] = mapped_column(String(8), nullable=True)  # know | again
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    deck: Mapped[FlashcardDeck] = relationship(back_populates="cards")


class FlashcardReview(Base):
    __tablename__ = "flashcard_reviews"

    id: Mapped[str] = id_column()
    card_id: Mapped[str] = mapped_column(ForeignKey("flashcards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    result: Mapped[str] = mapped_column(String(8))  # know | again
    created_at: Mapped[datetime] = created_at_column()


class Quiz(Base):
    __tablename__ = "quizzes"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    difficulty: Mapped[str] = mapped_column(String(8), default="medium")  # easy | medium | hard
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()

    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="quiz",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuizQuestion.position",
        lazy="selectin",
    )


class QuizQuestion(Base):
    __tablename__ = "quiz_questions"

    id: Mapped[str] = id_column()
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    correct_index: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    material_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    material_name: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    snippet: Mapped[str] = mapped_column(Text, default="")

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class QuizAttempt(Base):
    """`answers[i]` is the option index chosen for question i (None = skipped)."""

    __tablename__ = "quiz_attempts"

    id: Mapped[str] = id_column()
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[list[Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
