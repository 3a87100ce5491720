"""Podcasts and slide decks generated from a notebook's materials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, created_at_column, id_column, updated_at_column


class Podcast(Base):
    """A two-host audio episode. status: pending | running | ready | failed.

    `script` is `{"title", "hosts": {"A": name, "B": name}, "turns": [{"speaker", "text"}]}`;
    `chunks` records per turn the voice that spoke it and where it sits in the audio
    (`{index, speaker, voice, pitch, speed, start_s, duration_s}`). `audio_path` is set
    only once the finished file is in place.
    """

    __tablename__ = "podcasts"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    script: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    chunks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    audio_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    audio_format: Mapped[str | None] = mapped_column(String(8), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Presentation(Base):
    """A .pptx deck. `outline` is `{"title", "subtitle", "slides": [{"title", "bullets",
    "notes", "kind"}]}` — every slide of the file, in order, as the page shows it."""

    __tablename__ = "presentations"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_file_id: Mapped[str | None] = mapped_column(
        ForeignKey("generated_files.id", ondelete="SET NULL"), nullable=True
    )
    outline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    slide_count: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = created_at_column()
