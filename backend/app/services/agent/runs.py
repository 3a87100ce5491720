"""Agent runs: starting a turn, resuming it with a browser result, streaming it.

A run is a LangGraph thread (thread_id = run id) plus an `agent_runs` row that
says who owns it and what it waits for. The graph is driven in a background
task that feeds a queue; the SSE response reads the queue. A client that goes
away therefore does not cancel the run half-way through a node: it still
reaches its pause (or its end) and a reloaded page can pick it up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Database
from app.core.deps import get_owned_or_404
from app.models import AgentRun, ChatSession, GeneratedFile, Material, Message, User, new_id
from app.services.agent.events import (
    DoneEvent,
    ErrorEvent,
    MetaEvent,
    RunEvent,
    StepDoneEvent,
    TokenEvent,
    to_sse,
)
from app.services.agent.state import AgentState, GeneratedFileInfo, initial_state
from app.services.agent.tools.file_generator import download_url_for
from app.services.agent.tools.workspace_builder import workspace_file_for
from app.services.code_execution.contract import ExecuteRequest, ExecutionResult

log = logging.getLogger(__name__)

_END = object()


class RunNotFound(Exception):
    """Unknown run, someone else's run, or an exec id the run never asked for (→ 404)."""


class ExecutionAlreadyConsumed(Exception):
    """The result for this exec id was already posted (→ 409)."""


def _config(run_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": run_id}}


def _file_info(row: GeneratedFile) -> GeneratedFileInfo:
    return GeneratedFileInfo(filename=row.filename, path=row.path or "", size=row.size, type=row.type,
                             download_url=download_url_for(row.user_id, row.session_id, row.filename),
                             file_id=row.id)


async def load_workspace(db: AsyncSession, chat: ChatSession, material_ids: list[str] | None):
    """The notebook's ready materials (or the chosen ones) as workspace files."""
    query = select(Material).where(Material.notebook_id == chat.notebook_id, Material.status == "ready")
    if material_ids:
        query = query.where(Material.id.in_(material_ids))
    materials = (await db.execute(query.order_by(Material.created_at))).scalars().all()
    taken: set[str] = set()
    files = [workspace_file_for(m.id, m.filename, m.workspace_name, m.ext, m.type, taken) for m in materials]
    return files, {m.id: m.real_path for m in materials}


class AgentRunner:
    """One per app: the compiled graph and the database it records runs in."""

    def __init__(self, graph: CompiledStateGraph, db: Database) -> None:
        self.graph = graph
        self.db = db
        self._tasks: set[asyncio.Task] = set()
        self._drives: dict[str, asyncio.Task] = {}  # run id -> the task driving its graph now
        self._session_owners: dict[str, str] = {}

    # --- starting and resuming ------------------------------------------------

    async def _record_start(self, run_id: str, user_id: str, session_id: str, message: str,
                            material_ids: list[str] | None, material_id: str | None = None) -> AgentState:
        """Save the user's message and the run row; build the run's first state."""
        async with self.db.sessionmaker() as db:
            chat = await db.get(ChatSession, session_id)
            if chat is None:
                raise LookupError("This chat session no longer exists.")
            workspace, paths = await load_workspace(db, chat, material_ids)
            earlier = (await db.execute(
                select(GeneratedFile).where(GeneratedFile.session_id == chat.id).order_by(GeneratedFile.created_at)
            )).scalars().all()
            db.add(Message(session_id=chat.id, role="user", content=message))
            if chat.title in ("", "New chat"):
                chat.title = message.strip().splitlines()[0][:80] or "New chat"
            db.add(AgentRun(id=run_id, user_id=user_id, session_id=chat.id, status="running", consumed_exec_ids=[]))
            await db.commit()
            return initial_state(
                run_id=run_id, user_id=user_id, session_id=chat.id, notebook_id=chat.notebook_id, message=message,
                workspace_files=workspace, material_paths=paths, generated_files=[_file_info(r) for r in earlier],
                material_ids=list(material_ids or []), started_at=time.time(),
                material_id=material_id if any(f["id"] == material_id for f in workspace) else None,
            )

    async def claim_execution(self, db: AsyncSession, user: User, run_id: str, exec_id: str) -> AgentRun:
        """Take the right to resume `run_id` with `exec_id`, atomically (two posts: one wins)."""
        run = await db.get(AgentRun, run_id)
        if run is None or run.user_id != user.id:
            raise RunNotFound("Run not found")
        claimed = await db.execute(
            update(AgentRun)
            .where(AgentRun.id == run_id, AgentRun.status == "awaiting_execution",
                   AgentRun.pending_exec_id == exec_id)
            .values(status="running", pending_exec_id=None, pending_execute=None)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            await db.rollback()
            consumed = (await db.execute(
                select(AgentRun.consumed_exec_ids).where(AgentRun.id == run_id))).scalar_one()
            if exec_id in (consumed or []):
                raise ExecutionAlreadyConsumed("This execution result was already received")
            raise RunNotFound("Execution not found for this run")
        await db.refresh(run)
        run.consumed_exec_ids = [*(run.consumed_exec_ids or []), exec_id]
        await db.commit()
        return run

    # --- streaming --------------------------------------------------------------

    async def owned_session_id(self, db: AsyncSession, user: User, session_id: str) -> str:
        """`session_id` if the chat session is the user's (404 otherwise), remembered:
        a session never changes owner, so a turn needs no database read to start."""
        if self._session_owners.get(session_id) == user.id:
            return session_id
        chat = await get_owned_or_404(db, ChatSession, session_id, user)
        if len(self._session_owners) >= 10_000:
            self._session_owners.clear()
        self._session_owners[chat.id] = user.id
        return chat.id

    def stream_start(self, user: User, session_id: str, message: str,
                     material_ids: list[str] | None, *, material_id: str | None = None
                     ) -> AsyncIterator[dict[str, Any]]:
        """A new turn. The `run` event goes out at once; recording the turn and
        running the graph happen in the run's own task."""
        run_id, user_id = new_id(), user.id

        async def first_input() -> AgentState:
            return await self._record_start(run_id, user_id, session_id, message, material_ids, material_id)

        return self._stream(run_id, first_input, first=RunEvent(run_id=run_id, session_id=session_id))

    def stream_resume(self, run: AgentRun, result: ExecutionResult) -> AsyncIterator[dict[str, Any]]:
        if result.stopped:
            return self._stream_stopped(run.id, result)
        resume = Command(resume=result.model_dump())

        async def resume_input() -> Command:
            return resume

        return self._stream(run.id, resume_input)

    async def _stream(self, run_id: str, make_input: Callable[[], Awaitable[Any]], first: BaseModel | None = None):
        queue: asyncio.Queue = asyncio.Queue()
        if first is not None:
            queue.put_nowait(first)
        task = asyncio.create_task(self._drive(run_id, make_input, queue))
        self._tasks.add(task)
        self._drives[run_id] = task
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda t: self._drives.pop(run_id, None) if self._drives.get(run_id) is t else None)
        while True:
            item = await queue.get()
            if item is _END:
                return
            yield to_sse(item)

    async def wait_idle(self) -> None:
        """Let background drives finish (used on shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _drive(self, run_id: str, make_input: Callable[[], Awaitable[Any]], queue: asyncio.Queue) -> None:
        config = _config(run_id)
        try:
            graph_input = await make_input()
            request: ExecuteRequest | None = None
            # Read the stream to its end even after the pause: leaving early would
            # cancel the checkpoint writes the resume depends on.
            async for mode, chunk in self.graph.astream(graph_input, config, stream_mode=["custom", "updates"],
                                                        durability="sync"):
                if mode == "custom":
                    queue.put_nowait(chunk)
                elif isinstance(chunk, dict) and "__interrupt__" in chunk:
                    request = ExecuteRequest.model_validate(chunk["__interrupt__"][0].value)
            if request is not None:
                await self._set_awaiting(run_id, request)
                queue.put_nowait(request)
                return
            final = (await self.graph.aget_state(config)).values
            message_id = await self._complete(run_id, final)
            queue.put_nowait(DoneEvent(run_id=run_id, message_id=message_id, status="completed"))
        except asyncio.CancelledError:  # POST /runs/{id}/stop while the server was working on the turn
            message_id = await self._record_stopped(run_id, None, queue)
            queue.put_nowait(DoneEvent(run_id=run_id, message_id=message_id, status="stopped"))
        except Exception as exc:  # a model that is down, a bug: the person gets a clear error, not a hang
            log.exception("agent run %s failed", run_id)
            text = _error_text(exc)
            message_id = await self._fail(run_id, text)
            queue.put_nowait(ErrorEvent(message=text, code=type(exc).__name__))
            queue.put_nowait(DoneEvent(run_id=run_id, message_id=message_id, status="failed"))
        finally:
            queue.put_nowait(_END)

    # --- stopping -------------------------------------------------------------------

    async def _stream_stopped(self, run_id: str, result: ExecutionResult):
        """The browser stopped the code (Stop): the turn ends here, without repair.
        The graph is not resumed: its thread stays at the interrupt, a consistent
        checkpoint no later post can resume (the exec id is consumed)."""
        queue: asyncio.Queue = asyncio.Queue()
        message_id = await self._record_stopped(run_id, result, queue)
        queue.put_nowait(DoneEvent(run_id=run_id, message_id=message_id, status="stopped"))
        while not queue.empty():
            yield to_sse(queue.get_nowait())

    async def stop(self, db: AsyncSession, user: User, run_id: str) -> str:
        """POST /runs/{id}/stop: end the user's run wherever it is; returns its status.
        Waiting for the browser: marked stopped at once. Mid-turn on the server:
        its task is cancelled (LangGraph keeps the last finished step's checkpoint)
        and records the stop. Already over: nothing to do."""
        run = await db.get(AgentRun, run_id)
        if run is None or run.user_id != user.id:
            raise RunNotFound("Run not found")
        task = self._drives.get(run_id)
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=30)
        else:
            claimed = await db.execute(
                update(AgentRun).where(AgentRun.id == run_id, AgentRun.status.in_(("awaiting_execution", "running")))
                .values(status="running", pending_exec_id=None, pending_execute=None)
                .execution_options(synchronize_session=False))
            await db.commit()
            if claimed.rowcount == 1:
                await self._record_stopped(run_id, None, None)
        await db.refresh(run)
        return run.status

    async def _record_stopped(self, run_id: str, result: ExecutionResult | None,
                              queue: asyncio.Queue | None) -> str | None:
        """The stopped step and a short explanation, saved as the turn's answer."""
        try:
            state = (await self.graph.aget_state(_config(run_id))).values or {}
        except Exception:
            log.exception("could not read the state of stopped run %s", run_id)
            state = {}
        plan = state.get("plan") or []
        index = state.get("current_step", 0) or 0
        step = plan[index] if 0 <= index < len(plan) else None
        step_log = list(state.get("step_log", []))
        if step is not None and result is not None:
            entry = {"tool": step.get("tool", ""), "label": step.get("label", ""), "status": "stopped",
                     "time_taken": round(result.duration_ms / 1000, 3), "code": step.get("code", ""),
                     "stdout": result.stdout, "stderr": result.stderr}
            step_log.append(entry)
            if queue is not None:
                queue.put_nowait(StepDoneEvent(tool=entry["tool"], label=entry["label"], status="stopped",
                                               step_number=index + 1, time_taken=entry["time_taken"],
                                               code=entry["code"], stdout=result.stdout, stderr=result.stderr))
        if result is not None:
            seconds = result.duration_ms / 1000
            text = (f"Stopped. The code was stopped after {seconds:.1f} s, as you asked, so this step did not "
                    "finish and nothing after it ran. Send a new message to carry on.")
        else:
            text = "Stopped, as you asked, before this answer was finished. Send a new message to carry on."
        if queue is not None:
            queue.put_nowait(TokenEvent(text=text))
            queue.put_nowait(MetaEvent(run_id=run_id, intent=str(state.get("intent") or "stopped"),
                                       tools_used=list(state.get("tools_used", []))))
        metadata = {"run_id": run_id, "intent": state.get("intent"), "tools_used": state.get("tools_used", []),
                    "status": "stopped", "failure": None,
                    "total_time": round(time.time() - state.get("started_at", time.time()), 3)}
        try:
            async with self.db.sessionmaker() as db:
                run = await db.get(AgentRun, run_id)
                if run is None:
                    return None
                message = Message(session_id=run.session_id, role="assistant", content=text,
                                  agent_metadata=metadata, step_log=step_log,
                                  generated_files=state.get("turn_files", []))
                db.add(message)
                await db.flush()
                run.status, run.message_id = "stopped", message.id
                run.pending_exec_id, run.pending_execute = None, None
                await db.commit()
                return message.id
        except Exception:
            log.exception("could not record the stop of run %s", run_id)
            return None

    # --- recording ----------------------------------------------------------------

    async def _set_awaiting(self, run_id: str, request: ExecuteRequest) -> None:
        async with self.db.sessionmaker() as db:
            await db.execute(update(AgentRun).where(AgentRun.id == run_id).values(
                status="awaiting_execution", pending_exec_id=request.exec_id, pending_execute=request.model_dump()))
            await db.commit()

    async def _complete(self, run_id: str, final: dict[str, Any]) -> str:
        metadata = {
            "run_id": run_id,
            "intent": final.get("intent"),
            "tools_used": final.get("tools_used", []),
            "total_time": round(time.time() - final.get("started_at", time.time()), 3),
            "citations": final.get("citations", []),
            "failure": final.get("failure"),
            "status": "failed" if final.get("failure") else "completed",
        }
        async with self.db.sessionmaker() as db:
            run = await db.get(AgentRun, run_id)
            message = Message(session_id=run.session_id, role="assistant", content=final.get("answer", ""),
                              agent_metadata=metadata, step_log=final.get("step_log", []),
                              generated_files=final.get("turn_files", []))
            db.add(message)
            await db.flush()
            run.status, run.message_id = "completed", message.id
            await db.commit()
            return message.id

    async def _fail(self, run_id: str, text: str) -> str | None:
        try:
            async with self.db.sessionmaker() as db:
                run = await db.get(AgentRun, run_id)
                if run is None:
                    return None
                message = Message(session_id=run.session_id, role="assistant", content=text,
                                  agent_metadata={"run_id": run_id, "status": "failed", "error": text})
                db.add(message)
                await db.flush()
                run.status, run.error, run.message_id = "failed", text, message.id
                await db.commit()
                return message.id
        except Exception:  # recording the failure must not hide it
            log.exception("could not record the failure of run %s", run_id)
            return None


def _error_text(exc: Exception) -> str:
    name = type(exc).__name__
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    if any(word in name.lower() for word in ("connect", "timeout", "api", "auth", "ratelimit")):
        return f"The language model could not be reached ({name}: {detail}). Check the model settings and try again."
    return f"Something went wrong while working on this ({name}: {detail}). Nothing was lost; please try again."
