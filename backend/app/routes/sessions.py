"""Chat sessions of a notebook and their messages (the agent writes messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.models import ChatSession, Message, Notebook
from app.services.notebooks import delete_chat_session

router = APIRouter(prefix="/api", tags=["sessions"])


class SessionIn(BaseModel):
    title: str = Field(default="New chat", max_length=200)


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    notebook_id: str
    title: str
    created_at: datetime


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    role: str
    content: str
    agent_metadata: dict[str, Any] | None
    step_log: list[dict[str, Any]] | None
    generated_files: list[dict[str, Any]] | None
    created_at: datetime


@router.post(
    "/notebooks/{notebook_id}/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut
)
async def create_session(
    notebook_id: str, user: CurrentUser, db: SessionDep, body: SessionIn | None = None
):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    title = (body.title.strip() if body else "") or "New chat"
    session = ChatSession(notebook_id=notebook.id, user_id=user.id, title=title)
    db.add(session)
    await db.commit()
    return session


@router.get("/notebooks/{notebook_id}/sessions", response_model=list[SessionOut])
async def list_sessions(notebook_id: str, user: CurrentUser, db: SessionDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    rows = await db.scalars(
        select(ChatSession)
        .where(ChatSession.notebook_id == notebook.id)
        .order_by(ChatSession.created_at.desc())
    )
    return list(rows)


@router.get("/sessions/{session_id}", response_model=SessionOut)
async def read_session(session_id: str, user: CurrentUser, db: SessionDep):
    return await get_owned_or_404(db, ChatSession, session_id, user)


@router.get("/sessions/{session_id}/messages", response_model=list[MessageOut])
async def list_messages(session_id: str, user: CurrentUser, db: SessionDep):
    session = await get_owned_or_404(db, ChatSession, session_id, user)
    rows = await db.scalars(
        select(Message).where(Message.session_id == session.id).order_by(Message.created_at, Message.id)
    )
    return list(rows)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_session(session_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    session = await get_owned_or_404(db, ChatSession, session_id, user)
    await delete_chat_session(db, settings, session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
