"""Counted sign-in / registration attempts, shared by every replica (login throttling).

Revision ID: 0005_auth_throttle
Revises: 0004_material_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_auth_throttle"
down_revision: str | None = "0004_material_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_attempts")),
    )
    op.create_index(op.f("ix_auth_attempts_key"), "auth_attempts", ["key"])
    op.create_index(op.f("ix_auth_attempts_at"), "auth_attempts", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_attempts_at"), table_name="auth_attempts")
    op.drop_index(op.f("ix_auth_attempts_key"), table_name="auth_attempts")
    op.drop_table("auth_attempts")
