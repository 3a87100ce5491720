"""Multiple-choice quizzes: generate from materials, take, score.

Questions come from `prompts/quiz_prompt.txt` (offline: a key term blanked out
of a sentence, distractors drawn from the same material). Each kept question
has exactly one correct option, which is text of its source passage, and an
explanation citing that passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Notebook, Quiz, QuizAttempt, QuizQuestion, User
from app.services.llm.offline.tasks.quiz import build_questions
from app.services.rag.answer import snippet
from app.services.study.generation import generate_items
from app.services.study.key_facts import grounded
from app.services.study.sources import (
    Source,
    StudyInputError,
    find_source,
    selected_materials,
    source_of,
    study_sources,
)

MAX_QUESTIONS = 30
Difficulty = Literal["easy", "medium", "hard"]


def _accept_question(sources: Sequence[Source]):
    def accept(raw: dict) -> dict | None:
        question = str(raw.get("question", "")).strip()
        options = [str(o).strip() for o in raw.get("options") or []]
        answer = raw.get("answer")
        if not question or not 2 <= len(options) <= 6 or len({o.lower() for o in options}) != len(options):
            return None
        if not isinstance(answer, int) or not 0 <= answer < len(options):
            return None
        source = source_of(sources, raw.get("source"))
        if source is None or not grounded(options[answer], source.chunk.text):
            source = find_source(sources, options[answer])
        if source is None:
            return None
        explanation = str(raw.get("explanation", "")).strip() or f"See {source.chunk.location}."
        return {
            "question": question, "options": options, "answer": answer,
            "explanation": explanation, "source": source.index,
        }

    return accept


async def create_quiz(
    db: AsyncSession,
    settings: Settings,
    user: User,
    notebook: Notebook,
    material_ids: Sequence[str] | None,
    count: int,
    difficulty: Difficulty,
) -> Quiz:
    materials = await selected_materials(db, user, notebook, material_ids)
    sources = await study_sources(materials)
    count = max(1, min(count, MAX_QUESTIONS))
    questions = await generate_items(
        "quiz_prompt", "questions", sources, settings, {"count": count, "difficulty": difficulty},
        build_questions, _accept_question(sources), count,
    )
    if not questions:
        raise StudyInputError(422, "The materials are too short to write quiz questions from.")
    title = materials[0].filename if len(materials) == 1 else f"{notebook.title} ({len(materials)} materials)"
    quiz = Quiz(
        user_id=user.id, notebook_id=notebook.id, title=f"Quiz: {title}", difficulty=difficulty,
        material_ids=[m.id for m in materials],
    )
    for position, q in enumerate(questions):
        source = sources[q["source"] - 1]
        quiz.questions.append(
            QuizQuestion(
                position=position, question=q["question"], options=q["options"], correct_index=q["answer"],
                explanation=q["explanation"], material_id=source.material.id,
                material_name=source.material.filename, location=source.chunk.location,
                snippet=snippet(source.chunk.text, 400),
            )
        )
    db.add(quiz)
    await db.commit()
    await db.refresh(quiz, ["questions"])
    return quiz


async def list_quizzes(db: AsyncSession, user: User, notebook: Notebook) -> list[Quiz]:
    rows = await db.scalars(
        select(Quiz).where(Quiz.notebook_id == notebook.id, Quiz.user_id == user.id).order_by(Quiz.created_at.desc())
    )
    return list(rows)


async def record_attempt(db: AsyncSession, user: User, quiz: Quiz, answers: Sequence[int | None]) -> tuple[QuizAttempt, list[dict[str, Any]]]:
    """Score `answers` (one option index or None per question, in order)."""
    if len(answers) != len(quiz.questions):
        raise StudyInputError(422, f"Expected {len(quiz.questions)} answers, got {len(answers)}.")
    results = []
    for question, chosen in zip(quiz.questions, answers, strict=True):
        results.append(
            {
                "question_id": question.id,
                "chosen": chosen,
                "correct_index": question.correct_index,
                "correct": chosen == question.correct_index,
                "explanation": question.explanation,
            }
        )
    score = sum(r["correct"] for r in results)
    attempt = QuizAttempt(quiz_id=quiz.id, user_id=user.id, answers=list(answers), score=score, total=len(results))
    db.add(attempt)
    await db.commit()
    return attempt, results
