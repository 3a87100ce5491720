"""Podcast lifecycle: create a pending row, generate script + audio in the background, delete.

Generation is the `generate_podcast` background job (services/jobs;
`request_generation` enqueues it), run by whichever process takes it with its
own database sessions; it records `status` (pending → running → ready |
failed) and `progress` 0..1 on the row, which the page polls on any replica.
The audio file path is stored only when the finished file has been renamed
into place, so a failed podcast never points at a file. A job that runs again
(a retry, a restarted worker) starts over and writes the same file name; a
podcast already ready is left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import HTTPException
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.models import User
from app.models.media import Podcast
from app.services.leftovers import remove_podcast_work
from app.services.study.media_sources import SourceText, load_sources
from app.services.study.podcast_audio import AudioSynthesisError, VoiceProfile, synthesise_podcast
from app.services.study.podcast_script import ScriptError, write_podcast_script

log = logging.getLogger(__name__)

SCRIPT_SHARE = 0.1  # progress reached once the script is written; audio fills the rest
DEFAULT_TITLE = "Study podcast"


async def create_podcast(
    db: AsyncSession, user: User, notebook_id: str, material_ids: list[str] | None, title: str | None
) -> tuple[Podcast, list[SourceText]]:
    """A pending podcast row for these materials (validated now, so a bad id is a 404 at once)."""
    sources = await load_sources(db, user, notebook_id, material_ids)
    podcast = Podcast(
        user_id=user.id,
        notebook_id=notebook_id,
        title=(title or "").strip()[:255] or DEFAULT_TITLE,
        material_ids=[s.material_id for s in sources],
        status="pending",
        progress=0.0,
    )
    db.add(podcast)
    await db.commit()
    return podcast, sources


async def request_generation(podcast_id: str, title: str | None) -> None:
    """Enqueue the podcast's generation job (the row is already `pending`)."""
    from app.services.jobs import enqueue

    await enqueue("generate_podcast", podcast_id=podcast_id, title=title)


async def run_generation(
    sessionmaker: async_sessionmaker[AsyncSession],
    podcast_id: str,
    title: str | None,
    output_dir: Path,
    *,
    final_attempt: bool = True,
) -> None:
    """The job: load the row and its sources, then `generate_podcast`."""
    async with sessionmaker() as db:
        podcast = await db.get(Podcast, podcast_id)
        if podcast is None or podcast.status == "ready":
            return  # deleted meanwhile, or a repeated job of a finished podcast
        user = await db.get(User, podcast.user_id)
        try:
            sources = await load_sources(db, user, podcast.notebook_id, podcast.material_ids or None)
        except HTTPException as exc:  # a material was deleted, or has no text any more
            await _set(sessionmaker, podcast_id, status="failed", error=str(exc.detail))
            return
    await generate_podcast(sessionmaker, podcast_id, sources, title, output_dir, final_attempt=final_attempt)


async def unfinished_podcasts(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict]:
    """Job arguments of the podcasts left pending or running (by a server that stopped)."""
    async with sessionmaker() as db:
        rows = await db.scalars(select(Podcast).where(Podcast.status.in_(("pending", "running"))))
        return [{"podcast_id": p.id, "title": None if p.title == DEFAULT_TITLE else p.title} for p in rows]


async def _set(sessionmaker: async_sessionmaker[AsyncSession], podcast_id: str, **values) -> None:
    async with sessionmaker() as db:
        await db.execute(update(Podcast).where(Podcast.id == podcast_id).values(**values))
        await db.commit()


async def generate_podcast(
    sessionmaker: async_sessionmaker[AsyncSession],
    podcast_id: str,
    sources: list[SourceText],
    title: str | None,
    output_dir: Path,
    *,
    voices: dict[str, VoiceProfile] | None = None,
    final_attempt: bool = True,
) -> None:
    """Write the script, synthesise the audio, and record the outcome on the row.
    An unexpected error (model, database) is recorded only on the `final_attempt`;
    before that it is raised, the row stays `running`, and the job is retried."""
    from app.services.llm.factory import get_chat_model

    try:
        await _set(sessionmaker, podcast_id, status="running", progress=0.0)
        script = await write_podcast_script(get_chat_model(), sources, title)
        await _set(sessionmaker, podcast_id, script=script, title=script["title"], progress=SCRIPT_SHARE)

        async def report(fraction: float) -> None:
            await _set(sessionmaker, podcast_id, progress=round(SCRIPT_SHARE + (1 - SCRIPT_SHARE) * fraction, 4))

        audio = await synthesise_podcast(
            script["turns"], output_dir, podcast_id, voices=voices, on_progress=report
        )
        try:
            await _set(
                sessionmaker,
                podcast_id,
                status="ready",
                progress=1.0,
                chunks=audio.chunk_dicts(),
                audio_path=str(audio.path),
                audio_format=audio.format,
                duration_s=audio.duration_s,
                error=None,
            )
        except BaseException:
            audio.path.unlink(missing_ok=True)  # never leave a file no row points at
            raise
    except (ScriptError, AudioSynthesisError) as exc:
        await _set(sessionmaker, podcast_id, status="failed", error=str(exc))
    except Exception as exc:  # a model or database error: report it on the row, keep the server up
        if not final_attempt:
            raise
        log.exception("podcast %s failed", podcast_id)
        await _set(sessionmaker, podcast_id, status="failed", error=f"generation failed: {exc}")


async def delete_podcast(db: AsyncSession, settings: Settings, podcast: Podcast) -> None:
    path = Path(podcast.audio_path) if podcast.audio_path else None
    await db.delete(podcast)
    await db.commit()
    if path:
        path.unlink(missing_ok=True)
    remove_podcast_work(settings, podcast.id)  # chunk-*.wav of a killed attempt
