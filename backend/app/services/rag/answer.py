"""RAG chat: answer a question from the notebook's materials, streamed, with
numbered citations.

`stream_rag_answer` yields `TokenEvent`s as the answer is written and then one
`MetaEvent(intent="QUESTION", citations=[...])`; the caller saves the message
and sends `DoneEvent` (the agent does; `routes/rag.py` does for direct use).
A question the materials cannot answer (no passage passes the relevance
threshold) gets a plain "not covered" answer, never a model's guess. A request
to summarise the materials ("Summarise my materials") is not a search: it is
answered from passages spread over every selected material.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings, get_settings
from app.models import ChatSession, Material, Message, User
from app.services.agent.events import Citation, MetaEvent, TokenEvent
from app.services.llm.factory import get_chat_model
from app.services.llm.prompts import render_prompt
from app.services.rag.ingestion import ensure_indexed
from app.services.rag.retrieval import Passage, overview_passages, relevant, retrieve

INTENT = "QUESTION"
TOP_K = 5
MAX_PASSAGES = 4
HISTORY_MESSAGES = 6
SNIPPET_CHARS = 240

NO_MATERIALS = (
    "This notebook has no materials to answer from yet. Upload a PDF, Word document or text file first."
)
NOT_COVERED = (
    "I couldn't find this in your materials, so I won't guess. "
    "Try rephrasing the question, or upload a material that covers it."
)


def still_indexing_note(filenames: Sequence[str], *, answered: bool) -> str:
    """What a question answered without the materials still being indexed says first."""
    listed = ", ".join(filenames)
    verb = "is" if len(filenames) == 1 else "are"
    if not answered:
        return f"{listed} {verb} still being indexed. Ask again in a minute or two."
    them = "it" if len(filenames) == 1 else "them"
    return f"({listed} {verb} still being indexed, so this answer leaves {them} out.)\n\n"


_CITE = re.compile(r"\[(\d+)\]")
SUMMARY_PASSAGES = 6
_SUMMARY_REQUEST = re.compile(
    r"^\W*(?:please\s+|can you\s+|could you\s+)?(?:summari[sz]e|sum up|give (?:me )?(?:a |an )?(?:summary|overview)|"
    r"(?:what are )?the (?:key|main) (?:points|ideas|takeaways)|overview|tl;?dr)\b"
    r"(?!.*\b(?:about|of how|why|when|who)\b)", re.I)


def is_summary_request(question: str) -> bool:
    """"Summarise my materials", "give me an overview", "key points": the whole selection, not a search."""
    return bool(_SUMMARY_REQUEST.search(question)) and len(question.split()) <= 12


class NoMaterialsError(LookupError):
    """The notebook (or the selection) has no materials."""


async def notebook_materials(
    db: AsyncSession, user: User, notebook_id: str, material_ids: Sequence[str] | None = None
) -> list[Material]:
    """The user's materials in the notebook (only `material_ids` when given)."""
    query = select(Material).where(Material.notebook_id == notebook_id, Material.user_id == user.id)
    if material_ids:
        query = query.where(Material.id.in_(list(material_ids)))
    return list(await db.scalars(query.order_by(Material.created_at)))


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def citations_for(passages: Sequence[Passage], names: dict[str, str], answer: str) -> list[Citation]:
    """Citations of the passages the answer cites (all of them if it cites none)."""
    cited = {int(n) for n in _CITE.findall(answer)}
    out = []
    for index, passage in enumerate(passages, start=1):
        if cited and index not in cited:
            continue
        chunk = passage.chunk
        out.append(
            Citation(
                index=index,
                material_id=chunk.material_id,
                material_name=names.get(chunk.material_id, chunk.material_id),
                location=chunk.location,
                snippet=snippet(chunk.text),
            )
        )
    return out


async def _history(db: AsyncSession, session: ChatSession | None) -> list[dict[str, str]]:
    if session is None:
        return []
    rows = await db.scalars(
        select(Message)
        .where(Message.session_id == session.id, Message.role.in_(["user", "assistant"]))
        .order_by(Message.created_at.desc())
        .limit(HISTORY_MESSAGES)
    )
    return [{"role": m.role, "content": m.content} for m in reversed(list(rows))]


async def find_passages(
    notebook_id: str,
    question: str,
    history: Sequence[dict[str, str]],
    material_ids: Sequence[str],
    settings: Settings,
) -> list[Passage]:
    """Relevant passages for the question; a follow-up borrows the previous question's words."""
    passages = relevant(
        await retrieve(notebook_id, question, k=TOP_K, material_ids=material_ids, settings=settings)
    )
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
    if not passages and previous and previous != question:
        combined = f"{previous} {question}"
        passages = relevant(
            await retrieve(notebook_id, combined, k=TOP_K, material_ids=material_ids, settings=settings)
        )
    return passages[:MAX_PASSAGES]


async def stream_rag_answer(
    db: AsyncSession,
    user: User,
    session: ChatSession,
    question: str,
    material_ids: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
) -> AsyncIterator[BaseModel]:
    """TokenEvent… then MetaEvent(intent="QUESTION", citations=[…])."""
    settings = settings or get_settings()
    materials = await notebook_materials(db, user, session.notebook_id, material_ids)
    if not materials:
        yield TokenEvent(text=NO_MATERIALS)
        yield MetaEvent(intent=INTENT)
        return
    states = await ensure_indexed(materials, settings)
    still_indexing = {s.material_id for s in states if s.status == "indexing"}
    names = {m.id: m.filename for m in materials if m.id not in still_indexing}
    if still_indexing:
        yield TokenEvent(text=still_indexing_note([m.filename for m in materials if m.id in still_indexing],
                                                  answered=bool(names)))
    if not names:
        yield MetaEvent(intent=INTENT)
        return
    history = await _history(db, session)
    summary = is_summary_request(question)
    if summary:
        passages = await overview_passages(session.notebook_id, list(names), SUMMARY_PASSAGES, settings=settings)
    else:
        passages = await find_passages(session.notebook_id, question, history, list(names), settings)
    if not passages:
        yield TokenEvent(text=NOT_COVERED)
        yield MetaEvent(intent=INTENT)
        return

    context = {
        "question": question,
        "passages": [
            {
                "index": i,
                "material": names.get(p.chunk.material_id, ""),
                "location": p.chunk.location,
                "text": p.chunk.text,
            }
            for i, p in enumerate(passages, start=1)
        ],
        "history": history,
        "mode": "summary" if summary else "question",
    }
    prompt = render_prompt("rag_answer_prompt", question=question, context=context)
    model = get_chat_model(settings=settings)
    answer = []
    async for chunk in model.astream([HumanMessage(content=prompt)]):
        text = chunk.content if isinstance(chunk.content, str) else "".join(
            b.get("text", "") for b in chunk.content if isinstance(b, dict)
        )
        if text:
            answer.append(text)
            yield TokenEvent(text=text)
    yield MetaEvent(intent=INTENT, citations=citations_for(passages, names, "".join(answer)))
