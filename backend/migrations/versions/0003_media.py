"""Podcasts and presentations generated from a notebook's materials.

Revision ID: 0003_media
Revises: 0002_study
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_media"
down_revision: str | None = "0002_study"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "podcasts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("material_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("script", sa.JSON(), nullable=True),
        sa.Column("chunks", sa.JSON(), nullable=True),
        sa.Column("audio_path", sa.String(length=1024), nullable=True),
        sa.Column("audio_format", sa.String(length=8), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notebook_id"], ["notebooks.id"], name=op.f("fk_podcasts_notebook_id_notebooks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_podcasts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podcasts")),
    )
    with op.batch_alter_table("podcasts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_podcasts_notebook_id"), ["notebook_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_podcasts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "presentations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("material_ids", sa.JSON(), nullable=False),
        sa.Column("image_file_id", sa.String(length=36), nullable=True),
        sa.Column("outline", sa.JSON(), nullable=False),
        sa.Column("slide_count", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_file_id"],
            ["generated_files.id"],
            name=op.f("fk_presentations_image_file_id_generated_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notebook_id"],
            ["notebooks.id"],
            name=op.f("fk_presentations_notebook_id_notebooks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_presentations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentations")),
    )
    with op.batch_alter_table("presentations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presentations_notebook_id"), ["notebook_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_presentations_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("presentations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presentations_user_id"))
        batch_op.drop_index(batch_op.f("ix_presentations_notebook_id"))
    op.drop_table("presentations")
    with op.batch_alter_table("podcasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_podcasts_user_id"))
        batch_op.drop_index(batch_op.f("ix_podcasts_notebook_id"))
    op.drop_table("podcasts")
