from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at_column, id_column, updated_at_column

if TYPE_CHECKING:
    from app.models.agent import AgentRun, GeneratedFile
    from app.models.notebook import Notebook


class ChatSession(Base):
    __tablename__ = "chat_sessions"

    id: Mapped[str] = id_column()
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="New chat")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    notebook: Mapped[Notebook] = relationship(back_populates="sessions")
    messages: Mapped[list[Message]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Message.created_at",
    )
    generated_files: Mapped[list[GeneratedFile]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    agent_runs: Mapped[list[AgentRun]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session_created", "session_id", "created_at"),)

    id: Mapped[str] = id_column()
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))  # user | assistant | system
    content: Mapped[str] = mapped_column(Text, default="")
    agent_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    step_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    generated_files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()

    session: Mapped[ChatSession] = relationship(back_populates="messages")
