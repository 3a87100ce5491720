"""Every background job of the app (imported by the queue when it starts).

Each one is a thin call into its service, which owns the state it records
(the material row's index_status, the podcast row's status and progress).
"""

from __future__ import annotations

from app.services.jobs.registry import JobContext, job
from app.services.rag import ingestion
from app.services.study import podcast


async def _unfinished_indexing(ctx: JobContext) -> list[dict]:
    return [{"material_id": material_id} for material_id in await ingestion.unfinished_indexing(ctx.db)]


@job("index_material", lock="material:{material_id}", retries=2, retry_wait=2, requeue=_unfinished_indexing)
async def index_material(ctx: JobContext, *, material_id: str) -> None:
    """Chunk, embed and store a material's text; progress on its row."""
    await ingestion.run_indexing(ctx.db, ctx.settings, material_id, final_attempt=ctx.final_attempt)


async def _unfinished_podcasts(ctx: JobContext) -> list[dict]:
    return await podcast.unfinished_podcasts(ctx.db.sessionmaker)


@job("generate_podcast", lock="podcast:{podcast_id}", retries=2, retry_wait=3, requeue=_unfinished_podcasts)
async def generate_podcast(ctx: JobContext, *, podcast_id: str, title: str | None = None) -> None:
    """Write the script and synthesise the audio of a pending podcast."""
    await podcast.run_generation(
        ctx.db.sessionmaker, podcast_id, title, ctx.settings.podcasts_output_path, final_attempt=ctx.final_attempt
    )
