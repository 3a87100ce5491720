"""Quizzes of a notebook: create, list, read (without answers), delete, attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.models import Notebook, Quiz, QuizAttempt
from app.services.study import quiz as service
from app.services.study.sources import StudyInputError

router = APIRouter(prefix="/api", tags=["quiz"])


class QuizIn(BaseModel):
    material_ids: list[str] | None = None
    count: int = Field(default=5, ge=1, le=service.MAX_QUESTIONS)
    difficulty: Literal["easy", "medium", "hard"] = "medium"


class QuestionOut(BaseModel):
    """A question as the learner sees it before answering (no correct option)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    position: int
    question: str
    options: list[str]
    material_id: str | None
    material_name: str
    location: str


class QuizOut(BaseModel):
    id: str
    notebook_id: str
    title: str
    difficulty: str
    material_ids: list[str]
    created_at: datetime
    question_count: int
    questions: list[QuestionOut] = []

    @classmethod
    def of(cls, quiz: Quiz, with_questions: bool = True) -> QuizOut:
        return cls(
            id=quiz.id, notebook_id=quiz.notebook_id, title=quiz.title, difficulty=quiz.difficulty,
            material_ids=quiz.material_ids, created_at=quiz.created_at, question_count=len(quiz.questions),
            questions=[QuestionOut.model_validate(q) for q in quiz.questions] if with_questions else [],
        )


class AttemptIn(BaseModel):
    answers: list[int | None]


class QuestionResult(BaseModel):
    question_id: str
    chosen: int | None
    correct_index: int
    correct: bool
    explanation: str


class AttemptOut(BaseModel):
    id: str
    quiz_id: str
    score: int
    total: int
    answers: list[int | None]
    created_at: datetime
    results: list[QuestionResult] = []


@router.post("/notebooks/{notebook_id}/quizzes", status_code=status.HTTP_201_CREATED, response_model=QuizOut)
async def create_quiz(notebook_id: str, body: QuizIn, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    try:
        quiz = await service.create_quiz(db, settings, user, notebook, body.material_ids, body.count, body.difficulty)
    except StudyInputError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    return QuizOut.of(quiz)


@router.get("/notebooks/{notebook_id}/quizzes", response_model=list[QuizOut])
async def list_quizzes(notebook_id: str, user: CurrentUser, db: SessionDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    return [QuizOut.of(q, with_questions=False) for q in await service.list_quizzes(db, user, notebook)]


@router.get("/quizzes/{quiz_id}", response_model=QuizOut)
async def read_quiz(quiz_id: str, user: CurrentUser, db: SessionDep):
    return QuizOut.of(await get_owned_or_404(db, Quiz, quiz_id, user))


@router.delete("/quizzes/{quiz_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_quiz(quiz_id: str, user: CurrentUser, db: SessionDep):
    quiz = await get_owned_or_404(db, Quiz, quiz_id, user)
    await db.delete(quiz)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/quizzes/{quiz_id}/attempts", status_code=status.HTTP_201_CREATED, response_model=AttemptOut)
async def submit_attempt(quiz_id: str, body: AttemptIn, user: CurrentUser, db: SessionDep):
    """Score the answers (one option index or null per question, in order)."""
    quiz = await get_owned_or_404(db, Quiz, quiz_id, user)
    try:
        attempt, results = await service.record_attempt(db, user, quiz, body.answers)
    except StudyInputError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    return AttemptOut(
        id=attempt.id, quiz_id=quiz.id, score=attempt.score, total=attempt.total, answers=attempt.answers,
        created_at=attempt.created_at, results=[QuestionResult(**r) for r in results],
    )


@router.get("/quizzes/{quiz_id}/attempts", response_model=list[AttemptOut])
async def list_attempts(quiz_id: str, user: CurrentUser, db: SessionDep):
    quiz = await get_owned_or_404(db, Quiz, quiz_id, user)
    rows = await db.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id).order_by(QuizAttempt.created_at.desc())
    )
    return [
        AttemptOut(id=a.id, quiz_id=a.quiz_id, score=a.score, total=a.total, answers=a.answers, created_at=a.created_at)
        for a in rows
    ]
