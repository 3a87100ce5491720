"""The nodes that write the answer the person reads.

`generate_response` combines what the steps did into a plain-English answer,
streamed as `token` events while the model writes it, then `meta`.
`rag_answer` answers document questions from retrieval with citations.
Raw stdout never goes into the answer; the model only reads it.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from app.core.database import Database
from app.models import ChatSession, User
from app.services.agent.error_reading import error_summary
from app.services.agent.events import Citation, MetaEvent, StepEvent, TokenEvent
from app.services.agent.router import emit, finish_step
from app.services.agent.state import AgentState
from app.services.code_execution.contract import clip
from app.services.llm.prompts import render_prompt

MAX_STDOUT_FOR_MODEL = 8_000
CODE_INTENTS = ("DATA_ANALYSIS", "FILE_GENERATION")


def _text_of(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks (Anthropic)
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def explanation_prompt(state: AgentState) -> str:
    context = state.get("analysis_context") or {}
    produced = [f["filename"] for f in state.get("turn_files", [])]  # this turn's files, not the session's
    new_files = [e for e in state.get("step_log", []) if e.get("tool") in ("code_executor", "file_generator")]
    failed = [{**e, "error_summary": error_summary(e.get("stderr", ""))} for e in new_files
              if e.get("status") == "error"] if state.get("failure") else []
    return render_prompt(
        "data_analysis_prompt",
        context={
            "request": state["message"],
            "intent": state.get("intent"),
            "analysis_context": {k: context.get(k) for k in ("filename", "shape", "columns", "dtypes")
                                 if k in context},
            "stdout": clip(state.get("last_stdout", ""), MAX_STDOUT_FOR_MODEL),
            "files": produced,
            "errors": state.get("failure"),
            "error_summary": failed[-1].get("error_summary") if failed else None,
            "repair_attempts": state.get("repair_total", 0),  # repairs applied this turn, fixed or not
            "steps": [{"label": e.get("label"), "status": e.get("status")} for e in new_files],
            "edit": (state.get("edit_history") or [None])[-1],
        },
    )


def general_prompt(state: AgentState) -> str:
    return render_prompt(
        "general_chat_prompt",
        context={
            "request": state["message"],
            "intent": state.get("intent"),
            "materials": [{"filename": f["filename"], "type": f["type"]} for f in state.get("workspace_files", [])],
        },
    )


async def stream_answer(llm: BaseChatModel, prompt: str) -> str:
    answer = ""
    async for chunk in llm.astream([HumanMessage(content=prompt)]):
        text = _text_of(chunk)
        if text:
            answer += text
            emit(TokenEvent(text=text))
    return answer


def meta_for(state: AgentState, citations: list[dict[str, Any]] | None = None) -> MetaEvent:
    return MetaEvent(
        run_id=state["run_id"],
        intent=state.get("intent", "GENERAL"),
        tools_used=list(state.get("tools_used", [])),
        total_time=round(time.time() - state.get("started_at", time.time()), 3),
        citations=[Citation.model_validate(c) for c in citations or []],
        failure=state.get("failure"),
    )


async def generate_response(state: AgentState, *, llm: BaseChatModel) -> dict[str, Any]:
    plan = state.get("plan", [])
    index = state.get("current_step", 0)
    if index < len(plan) and plan[index]["tool"] == "generate_response" and plan[index]["status"] == "pending":
        # reached straight from a failed step, not through tool_router: announce it here
        emit(StepEvent(label=plan[index]["label"], tool="generate_response", step_number=index + 1,
                       total_steps=len(plan)))
    if state.get("clarification"):  # the planner could not tell which dataset: ask rather than guess
        answer = state["clarification"]
        emit(TokenEvent(text=answer))
    else:
        prompt = explanation_prompt(state) if state.get("intent") in CODE_INTENTS else general_prompt(state)
        answer = await stream_answer(llm, prompt)
    emit(meta_for(state))
    return {"answer": answer, "current_step": len(plan)}


async def rag_answer(state: AgentState, *, database: Database) -> dict[str, Any]:
    """Document questions: retrieval + a cited answer (services/rag)."""
    from app.services.rag.answer import stream_rag_answer  # heavy (embeddings): import on use

    plan = state.get("plan", [])
    answer, citations = "", []
    async with database.sessionmaker() as db:
        user = await db.get(User, state["user_id"])
        session = await db.get(ChatSession, state["session_id"])
        async for event in stream_rag_answer(db, user, session, state["message"], state.get("material_ids") or None):
            if isinstance(event, TokenEvent):
                answer += event.text
                emit(event)
            elif isinstance(event, MetaEvent):
                citations = [c.model_dump() for c in event.citations]
    state = {**state, "current_step": 0}
    done = finish_step(state, status="success", stdout=f"{len(citations)} passage(s) cited")
    emit(meta_for({**state, **done}, citations))
    return {**done, "answer": answer, "citations": citations, "current_step": len(plan)}
