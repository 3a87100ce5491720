"""RAG chat over a notebook's materials, and indexing status of a material.

`POST /api/notebooks/{id}/ask` streams SSE: `run` (the chat session the turn
is saved in), `token`…, `meta` (citations), `done`; `error` on failure. The
question and the answer are saved as messages of that session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from app.core.database import Database
from app.core.deps import CurrentUser, SessionDep, get_owned_or_404
from app.models import ChatSession, Material, Message, Notebook, User, new_id
from app.services.agent.events import DoneEvent, ErrorEvent, MetaEvent, RunEvent, TokenEvent, to_sse
from app.services.rag.answer import NO_MATERIALS, notebook_materials, stream_rag_answer
from app.services.rag.ingestion import index_status

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["rag"])


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    material_ids: list[str] | None = None
    session_id: str | None = None


class IndexStatusOut(BaseModel):
    material_id: str
    status: str
    chunks_done: int
    chunks_total: int
    error: str | None


async def _answer_stream(
    database: Database, settings, user: User, session_id: str, question: str, material_ids: list[str] | None
) -> AsyncIterator[dict]:
    run_id = new_id()
    yield to_sse(RunEvent(run_id=run_id, session_id=session_id))
    started = time.monotonic()
    async with database.sessionmaker() as db:
        session = await db.get(ChatSession, session_id)
        db.add(Message(session_id=session_id, role="user", content=question))
        await db.commit()
        text, meta = [], None
        try:
            async for event in stream_rag_answer(db, user, session, question, material_ids, settings=settings):
                if isinstance(event, TokenEvent):
                    text.append(event.text)
                elif isinstance(event, MetaEvent):
                    event.run_id = run_id
                    event.total_time = round(time.monotonic() - started, 3)
                    meta = event
                yield to_sse(event)
        except Exception as exc:
            log.exception("RAG answer failed")
            yield to_sse(ErrorEvent(message=f"The answer failed: {exc}", code="rag_failed"))
            yield to_sse(DoneEvent(run_id=run_id, status="failed"))
            return
        message = Message(
            session_id=session_id,
            role="assistant",
            content="".join(text),
            agent_metadata=meta.model_dump() if meta else {"intent": "QUESTION"},
        )
        db.add(message)
        await db.commit()
        yield to_sse(DoneEvent(run_id=run_id, message_id=message.id))


@router.post("/notebooks/{notebook_id}/ask", response_class=EventSourceResponse)
async def ask(notebook_id: str, body: AskRequest, request: Request, user: CurrentUser, db: SessionDep):
    """Answer a question from the notebook's materials (SSE), saved in a chat session."""
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    if body.material_ids:
        for material_id in body.material_ids:
            material = await get_owned_or_404(db, Material, material_id, user)
            if material.notebook_id != notebook.id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "Material not found")
    if not await notebook_materials(db, user, notebook.id, body.material_ids):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, NO_MATERIALS)
    if body.session_id:
        session = await get_owned_or_404(db, ChatSession, body.session_id, user)
        if session.notebook_id != notebook.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Chat session not found")
    else:
        session = ChatSession(notebook_id=notebook.id, user_id=user.id, title=body.question.strip()[:200])
        db.add(session)
        await db.commit()
    stream = _answer_stream(
        request.app.state.db, request.app.state.settings, user, session.id, body.question.strip(), body.material_ids
    )
    return EventSourceResponse(stream, ping=15)


@router.get("/materials/{material_id}/index", response_model=IndexStatusOut)
async def read_index_status(material_id: str, request: Request, user: CurrentUser, db: SessionDep):
    """Indexing progress of a material: not_indexed | queued | indexing | ready | failed."""
    material = await get_owned_or_404(db, Material, material_id, user)
    state = await index_status(material, request.app.state.settings)
    return IndexStatusOut(**state.__dict__)
