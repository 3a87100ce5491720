"""Ingestion of materials into the notebook's vector collection, as a background job.

An upload (the materials hook) marks the material `queued` and enqueues the
`index_material` job (services/jobs); whichever process runs it chunks the
extracted text, embeds and stores it in a worker thread and writes its
progress on the material's row (`index_status`, `index_done`, `index_total`,
`index_error`), so `index_status(material)` (the `GET
/api/materials/{id}/index` route) answers the same on every replica.
`ensure_indexed` (used before a question is answered) waits for an indexing
in flight, bounded, or runs a missing one itself, so answers never depend on
the background job having finished; a large material still being indexed
is left out of that answer (which says so) instead of holding it. Deleting a material drops its vectors;
a job still running sees its row gone at its next progress write, removes
what it stored and stops. Indexing is idempotent (deterministic chunk ids),
so a retried or repeated job leaves the same vectors.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select, update

from app.core.config import Settings, get_settings
from app.core.database import Database
from app.models import Material
from app.services.jobs import current_queue, enqueue, wait_for_local_jobs
from app.services.materials.hooks import on_material_deleted, on_material_ready
from app.services.rag.indexing import index_text, remove_material
from app.services.rag.vector_store import VectorStore

log = logging.getLogger(__name__)

IndexStatus = Literal["not_indexed", "queued", "indexing", "ready", "failed"]
IN_FLIGHT = ("queued", "indexing")
JOIN_TIMEOUT = 180.0  # seconds a question waits, in all, for jobs in flight (a cold embedding model takes ~20 s)
# A material with more chunks than this still to embed is left out of the answer, not waited for:
# one large upload (a 27 MB CSV is ~1,800 chunks, ~15 min on 2 cores) must not hold every
# question of the notebook. ~30 s of embedding on a busy 2-core machine.
LEAVE_OUT_REMAINING = 64
JOIN_POLL = 0.2


@dataclass(frozen=True)
class IndexState:
    material_id: str
    status: IndexStatus
    chunks_done: int = 0
    chunks_total: int = 0
    error: str | None = None

    @classmethod
    def of(cls, material: Material) -> IndexState:
        return cls(material.id, material.index_status, material.index_done, material.index_total,
                   material.index_error)


class _Deleted(Exception):
    """The material's row is gone: stop indexing it."""


def _lock(material_id: str) -> str:
    return f"material:{material_id}"


async def _write_state(db: Database, material_id: str, **values) -> bool:
    """Record indexing state on the row; False when the material no longer exists."""
    async with db.sessionmaker() as session:
        result = await session.execute(update(Material).where(Material.id == material_id).values(**values))
        await session.commit()
    return bool(result.rowcount)


async def run_indexing(db: Database, settings: Settings, material_id: str, *, final_attempt: bool = True) -> IndexState:
    """Index (or re-index) the material now, in this process; returns its final state.
    A failure is recorded on the row when `final_attempt`, and raised otherwise (to be retried)."""
    async with db.sessionmaker() as session:
        material = await session.get(Material, material_id)
    if material is None:
        return IndexState(material_id, "not_indexed")
    loop = asyncio.get_running_loop()

    def on_progress(done: int, total: int) -> None:  # in the indexing thread
        written = asyncio.run_coroutine_threadsafe(
            _write_state(db, material_id, index_status="indexing", index_done=done, index_total=total,
                         index_error=None),
            loop,
        ).result(timeout=60)
        if not written:
            raise _Deleted

    def index_blocking() -> int:
        text = Path(material.text_path).read_text(encoding="utf-8")
        return len(index_text(material.notebook_id, material.id, text, material.ext, settings=settings,
                              on_progress=on_progress))

    try:
        if not await _write_state(db, material_id, index_status="indexing", index_done=0, index_error=None):
            raise _Deleted
        count = await asyncio.to_thread(index_blocking)
        if not await _write_state(db, material_id, index_status="ready", index_done=count, index_total=count):
            raise _Deleted
        return IndexState(material_id, "ready", count, count)
    except _Deleted:
        await asyncio.to_thread(remove_material, material.notebook_id, material_id, settings=settings)
        return IndexState(material_id, "not_indexed")
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if not final_attempt:
            raise
        log.exception("indexing material %s failed", material_id)
        await _write_state(db, material_id, index_status="failed", index_error=error)
        return IndexState(material_id, "failed", error=error)


async def unfinished_indexing(db: Database) -> list[str]:
    """Materials left queued or indexing (by a server that stopped)."""
    async with db.sessionmaker() as session:
        return list(await session.scalars(select(Material.id).where(Material.index_status.in_(IN_FLIGHT))))


async def request_indexing(material: Material) -> None:
    """Mark the material queued and enqueue its indexing job."""
    db = current_queue().db
    if await _write_state(db, material.id, index_status="queued", index_done=0, index_total=0, index_error=None):
        await enqueue("index_material", material_id=material.id)


async def ingest_material(material: Material, settings: Settings | None = None) -> IndexState:
    """Index (or re-index) the material now, in this process; returns its final state."""
    return await run_indexing(current_queue().db, settings or get_settings(), material.id)


async def index_status(material: Material, settings: Settings | None = None) -> IndexState:
    """The material's indexing state as recorded on its row (fresh from the database).
    A row that never recorded one (indexed before the state was kept) is judged by its vectors."""
    if material.index_status != "not_indexed":
        return IndexState.of(material)
    stored = await asyncio.to_thread(
        VectorStore(settings or get_settings()).count, material.notebook_id, [material.id]
    )
    if stored:
        return IndexState(material.id, "ready", stored, stored)
    return IndexState(material.id, "not_indexed")


async def _current_state(db: Database, material: Material, settings: Settings) -> IndexState:
    async with db.sessionmaker() as session:
        fresh = await session.get(Material, material.id)
    return await index_status(fresh, settings) if fresh is not None else IndexState(material.id, "not_indexed")


async def ensure_indexed(materials: Sequence[Material], settings: Settings | None = None,
                         *, join_timeout: float | None = None) -> list[IndexState]:
    """Each material's state, indexed if it can be soon: join jobs in flight (on any process,
    `join_timeout` in all), index a missing, failed or still-queued one here. A material
    another job is still indexing, with more than LEAVE_OUT_REMAINING chunks to go or past
    the wait, comes back `indexing` (the caller leaves it out) rather than indexed twice."""
    settings = settings or get_settings()
    db = current_queue().db
    deadline = time.monotonic() + (JOIN_TIMEOUT if join_timeout is None else join_timeout)
    states = []
    for material in materials:
        state = await _current_state(db, material, settings)
        while (state.status in IN_FLIGHT and time.monotonic() < deadline
               and state.chunks_total - state.chunks_done <= LEAVE_OUT_REMAINING):
            await asyncio.sleep(JOIN_POLL)
            state = await _current_state(db, material, settings)
        if state.status not in ("ready", "indexing"):
            state = await run_indexing(db, settings, material.id)
        states.append(state)
    return states


async def delete_material_vectors(material: Material, settings: Settings | None = None) -> None:
    """Remove every vector of the (already deleted) material; an in-process job still
    running for it is waited for (it sees the row gone and cleans up after itself)."""
    settings = settings or get_settings()
    await asyncio.to_thread(remove_material, material.notebook_id, material.id, settings=settings)
    await wait_for_local_jobs(_lock(material.id))


async def wait_for_indexing() -> None:
    """Wait for every indexing job running in this process (tests, shutdown)."""
    await wait_for_local_jobs()


@on_material_ready
async def index_uploaded_material(material: Material, settings: Settings) -> None:
    await request_indexing(material)


@on_material_deleted
async def drop_deleted_material(material: Material, settings: Settings) -> None:
    await delete_material_vectors(material, settings)
