"""Ingestion of materials into the notebook's vector collection.

`ingest_material(material)` chunks the extracted text, embeds it and stores the
vectors in a worker thread (the event loop never blocks), reporting progress
in an in-process registry that `index_status(material)` reads (the
`GET /api/materials/{id}/index` route). Uploads start ingestion in the
background through the materials hooks; `ensure_indexed` (used before a
question is answered) waits for an ingestion in flight or runs a missing one,
so answers never depend on the background task having finished.
`delete_material_vectors(material)` stops an ingestion in flight and drops the
material's vectors.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from app.core.config import Settings, get_settings
from app.models import Material
from app.services.materials.hooks import on_material_deleted, on_material_ready
from app.services.rag.indexing import index_text, remove_material
from app.services.rag.vector_store import VectorStore

log = logging.getLogger(__name__)

IndexStatus = Literal["not_indexed", "queued", "indexing", "ready", "failed"]


@dataclass(frozen=True)
class IndexState:
    material_id: str
    status: IndexStatus
    chunks_done: int = 0
    chunks_total: int = 0
    error: str | None = None


class _Cancelled(Exception):
    pass


_states: dict[str, IndexState] = {}
_tasks: dict[str, asyncio.Task[IndexState]] = {}
_cancel_flags: dict[str, threading.Event] = {}
_states_lock = threading.Lock()


def _set_state(state: IndexState) -> None:
    with _states_lock:
        _states[state.material_id] = state


def _index_blocking(material: Material, settings: Settings, cancel: threading.Event) -> IndexState:
    text = Path(material.text_path).read_text(encoding="utf-8")
    state = IndexState(material.id, "indexing")
    _set_state(state)

    def on_progress(done: int, total: int) -> None:
        if cancel.is_set():
            raise _Cancelled
        _set_state(replace(state, chunks_done=done, chunks_total=total))

    chunks = index_text(
        material.notebook_id, material.id, text, material.ext, settings=settings, on_progress=on_progress
    )
    if cancel.is_set():
        raise _Cancelled
    done = IndexState(material.id, "ready", len(chunks), len(chunks))
    _set_state(done)
    return done


async def ingest_material(material: Material, settings: Settings | None = None) -> IndexState:
    """Index (or re-index) the material now; returns its final state."""
    settings = settings or get_settings()
    cancel = _cancel_flags.setdefault(material.id, threading.Event())
    cancel.clear()
    _set_state(IndexState(material.id, "queued"))
    try:
        return await asyncio.to_thread(_index_blocking, material, settings, cancel)
    except _Cancelled:
        state = IndexState(material.id, "not_indexed")
    except Exception as exc:
        log.exception("indexing material %s failed", material.id)
        state = IndexState(material.id, "failed", error=f"{type(exc).__name__}: {exc}")
    _set_state(state)
    return state


def schedule_ingestion(material: Material, settings: Settings | None = None) -> asyncio.Task[IndexState]:
    """Start `ingest_material` in the background (one task per material at a time)."""
    running = _tasks.get(material.id)
    if running is not None and not running.done():
        return running
    _set_state(IndexState(material.id, "queued"))
    task = asyncio.get_running_loop().create_task(ingest_material(material, settings))
    _tasks[material.id] = task
    task.add_done_callback(lambda t, mid=material.id: _tasks.pop(mid, None) if _tasks.get(mid) is t else None)
    return task


async def delete_material_vectors(material: Material, settings: Settings | None = None) -> None:
    """Stop an ingestion in flight and remove every vector of the material."""
    settings = settings or get_settings()
    flag = _cancel_flags.get(material.id)
    if flag is not None:
        flag.set()
    task = _tasks.get(material.id)
    if task is not None and task.get_loop() is asyncio.get_running_loop():
        await asyncio.gather(task, return_exceptions=True)
    await asyncio.to_thread(remove_material, material.notebook_id, material.id, settings=settings)
    with _states_lock:
        _states.pop(material.id, None)
    _cancel_flags.pop(material.id, None)


async def index_status(material: Material, settings: Settings | None = None) -> IndexState:
    with _states_lock:
        state = _states.get(material.id)
    if state is not None:
        return state
    stored = await asyncio.to_thread(
        VectorStore(settings or get_settings()).count, material.notebook_id, [material.id]
    )
    if stored:
        return IndexState(material.id, "ready", stored, stored)
    return IndexState(material.id, "not_indexed")


async def ensure_indexed(materials: Sequence[Material], settings: Settings | None = None) -> list[IndexState]:
    """Wait until every material is indexed (joining or running ingestions)."""
    settings = settings or get_settings()
    states = []
    for material in materials:
        task = _tasks.get(material.id)
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            states.append(await task)
            continue
        state = await index_status(material, settings)
        if state.status != "ready":
            state = await ingest_material(material, settings)
        states.append(state)
    return states


async def wait_for_indexing() -> None:
    """Wait for every ingestion running on this event loop (tests, shutdown)."""
    loop = asyncio.get_running_loop()
    pending = [t for t in list(_tasks.values()) if t.get_loop() is loop and not t.done()]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


@on_material_ready
async def index_uploaded_material(material: Material, settings: Settings) -> None:
    schedule_ingestion(material, settings)


@on_material_deleted
async def drop_deleted_material(material: Material, settings: Settings) -> None:
    await delete_material_vectors(material, settings)
