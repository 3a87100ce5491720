"""Indexing state of a material on its row (read by every replica).

Revision ID: 0004_material_index
Revises: 0003_media
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_material_index"
down_revision: str | None = "0003_media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("materials") as batch:
        batch.add_column(sa.Column("index_status", sa.String(length=16), nullable=False, server_default="not_indexed"))
        batch.add_column(sa.Column("index_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("index_total", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("index_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("materials") as batch:
        for name in ("index_error", "index_total", "index_done", "index_status"):
            batch.drop_column(name)
