from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at_column, id_column

if TYPE_CHECKING:
    from app.models.notebook import Notebook

MaterialType = Literal["data", "document"]


class Material(Base):
    """An uploaded file. `real_path` holds the bytes (text files as UTF-8),
    `text_path` the extracted text. `workspace_name` is the safe name the
    browser worker mounts it under: /workspace/uploads/<workspace_name>."""

    __tablename__ = "materials"
    __table_args__ = (UniqueConstraint("notebook_id", "workspace_name"),)

    id: Mapped[str] = id_column()
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # display name, as uploaded (sanitised)
    workspace_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))  # server-chosen: <id>.<ext>
    ext: Mapped[str] = mapped_column(String(16))  # pdf | docx | txt | md | csv | xlsx
    type: Mapped[str] = mapped_column(String(16))  # "data" | "document"
    mime: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    real_path: Mapped[str] = mapped_column(String(1024))
    text_path: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(32), default="ready")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Vector indexing, written by the indexing job (services/rag/ingestion.py) so any
    # replica reports it: not_indexed | queued | indexing | ready | failed.
    index_status: Mapped[str] = mapped_column(String(16), default="not_indexed", server_default="not_indexed")
    index_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    index_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    index_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = created_at_column()

    notebook: Mapped[Notebook] = relationship(back_populates="materials")
