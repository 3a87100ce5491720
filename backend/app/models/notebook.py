from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at_column, id_column, updated_at_column

if TYPE_CHECKING:
    from app.models.chat import ChatSession
    from app.models.material import Material


class Notebook(Base):
    __tablename__ = "notebooks"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    # Rows go with the notebook through ON DELETE CASCADE; files on disk are
    # removed by app.services.notebooks.delete_notebook.
    materials: Mapped[list[Material]] = relationship(
        back_populates="notebook", cascade="all, delete-orphan", passive_deletes=True
    )
    sessions: Mapped[list[ChatSession]] = relationship(
        back_populates="notebook", cascade="all, delete-orphan", passive_deletes=True
    )
