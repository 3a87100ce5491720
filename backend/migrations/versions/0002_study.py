"""Flashcard decks, cards and reviews; quizzes, questions and attempts.

Revision ID: 0002_study
Revises: 0001_initial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_study"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete="CASCADE"
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "flashcard_decks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("material_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("flashcard_decks", "notebook_id", "notebooks.id"),
        _fk("flashcard_decks", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flashcard_decks")),
    )
    _indexes("flashcard_decks", "notebook_id", "user_id")

    op.create_table(
        "flashcards",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("deck_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("front", sa.Text(), nullable=False),
        sa.Column("back", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("material_id", sa.String(length=36), nullable=True),
        sa.Column("material_name", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("last_result", sa.String(length=8), nullable=True),
        sa.Column("last_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        _fk("flashcards", "deck_id", "flashcard_decks.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flashcards")),
    )
    _indexes("flashcards", "deck_id")

    op.create_table(
        "flashcard_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("card_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("flashcard_reviews", "card_id", "flashcards.id"),
        _fk("flashcard_reviews", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flashcard_reviews")),
    )
    _indexes("flashcard_reviews", "card_id", "user_id")

    op.create_table(
        "quizzes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("difficulty", sa.String(length=8), nullable=False),
        sa.Column("material_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("quizzes", "notebook_id", "notebooks.id"),
        _fk("quizzes", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
    )
    _indexes("quizzes", "notebook_id", "user_id")

    op.create_table(
        "quiz_questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quiz_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("correct_index", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("material_id", sa.String(length=36), nullable=True),
        sa.Column("material_name", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        _fk("quiz_questions", "quiz_id", "quizzes.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_questions")),
    )
    _indexes("quiz_questions", "quiz_id")

    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quiz_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("quiz_attempts", "quiz_id", "quizzes.id"),
        _fk("quiz_attempts", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
    )
    _indexes("quiz_attempts", "quiz_id", "user_id")


def downgrade() -> None:
    for table in ("quiz_attempts", "quiz_questions", "quizzes", "flashcard_reviews", "flashcards", "flashcard_decks"):
        op.drop_table(table)
