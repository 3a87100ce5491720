"""The agent graph, wired in one place. Read it top to bottom like the diagram:

    START → classify → plan → tool_router ─┬─▶ data_profiler ──▶ tool_router
                                           ├─▶ execute_code ──▶ reflection
                                           ├─▶ rag_answer ──▶ END
                                           └─▶ generate_response ──▶ END
    reflection ─┬─ retry ────▶ tool_router   (repaired code runs again)
                ├─ continue ─▶ tool_router   (next plan step)
                └─ respond ──▶ generate_response

`execute_code` is the only node that waits for the browser (an `interrupt()`
inside tools/code_executor.py); the checkpointer keeps the run between the
request that paused it and the request that resumes it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from app.core.config import Settings
from app.core.database import Database
from app.services.agent import nodes, reflection, responder, router
from app.services.agent.state import AgentState


def build_agent_graph(checkpointer: BaseCheckpointSaver | None, get_llm: Callable[..., BaseChatModel],
                      database: Database, settings: Settings) -> CompiledStateGraph:
    llm = get_llm()
    builder = StateGraph(AgentState)

    builder.add_node("classify", nodes.classify)
    builder.add_node("plan", partial(nodes.plan, settings=settings))
    builder.add_node("tool_router", partial(router.tool_router, llm=llm))
    builder.add_node("data_profiler", nodes.data_profiler)
    builder.add_node("execute_code", nodes.execute_code)
    builder.add_node("reflection", partial(reflection.reflect, llm=llm, settings=settings))
    builder.add_node("rag_answer", partial(responder.rag_answer, database=database))
    builder.add_node("generate_response", partial(responder.generate_response, llm=llm))

    builder.add_edge(START, "classify")
    builder.add_edge("classify", "plan")
    builder.add_edge("plan", "tool_router")
    builder.add_conditional_edges(
        "tool_router",
        router.route_step,
        {
            "data_profiler": "data_profiler",
            "execute_code": "execute_code",
            "rag_answer": "rag_answer",
            "generate_response": "generate_response",
        },
    )
    builder.add_edge("data_profiler", "tool_router")
    builder.add_edge("execute_code", "reflection")
    builder.add_conditional_edges(
        "reflection",
        reflection.route_after_reflection,
        {"retry": "tool_router", "continue": "tool_router", "respond": "generate_response"},
    )
    builder.add_edge("rag_answer", END)
    builder.add_edge("generate_response", END)

    return builder.compile(checkpointer=checkpointer)
