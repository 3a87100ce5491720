"""Start-up and shutdown of the agent: checkpointer, compiled graph, runner."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.services.agent.checkpointer import open_checkpointer
from app.services.agent.graph import build_agent_graph
from app.services.agent.runs import AgentRunner
from app.services.code_execution.sandbox_env import ensure_packages
from app.services.llm.factory import get_chat_model

log = logging.getLogger(__name__)


@asynccontextmanager
async def agent_lifespan(app: FastAPI) -> AsyncIterator[None]:
    status = ensure_packages()
    (log.info if status.ok else log.warning)(status.message)
    get_llm = getattr(app.state, "llm_factory", None) or get_chat_model
    async with open_checkpointer(app.state.settings) as checkpointer:
        runner = AgentRunner(build_agent_graph(checkpointer, get_llm, app.state.db, app.state.settings), app.state.db)
        app.state.agent_runner = runner
        try:
            yield
        finally:
            await runner.wait_idle()
