from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, created_at_column, id_column, updated_at_column


class AgentRun(Base):
    """One agent turn (a LangGraph thread). status: running |
    awaiting_execution | completed | failed (see contract.RunStatus)."""

    __tablename__ = "agent_runs"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32), default="running")
    pending_exec_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pending_execute: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    consumed_exec_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_id: Mapped[str | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    )
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class GeneratedFile(Base):
    """A file a browser run produced and uploaded (bytes at storage_path)."""

    __tablename__ = "generated_files"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("agent_runs.id", ondelete="SET NULL"), nullable=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str | None] = mapped_column(String(1024), nullable=True)  # path in the worker FS
    storage_path: Mapped[str] = mapped_column(String(1024))  # absolute path on the server
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mime: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    type: Mapped[str] = mapped_column(String(32), default="")  # short kind, e.g. csv, xlsx, png
    created_at: Mapped[datetime] = created_at_column()
