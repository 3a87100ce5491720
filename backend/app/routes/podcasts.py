"""Podcasts: generate (a background job), list, read with progress, stream, download, delete."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.core.security import create_file_token, verify_file_token
from app.models import Notebook
from app.models.media import Podcast
from app.services.study.podcast import create_podcast, delete_podcast, request_generation
from app.services.study.podcast_audio import MEDIA_TYPES

router = APIRouter(prefix="/api", tags=["podcasts"])


class PodcastCreate(BaseModel):
    material_ids: list[str] | None = None
    title: str | None = Field(default=None, max_length=255)


class PodcastOut(BaseModel):
    id: str
    notebook_id: str
    title: str
    status: str  # pending | running | ready | failed
    progress: float
    error: str | None
    material_ids: list[str]
    duration_s: float | None
    audio_format: str | None
    audio_url: str | None  # same-origin stream for <audio> (cookie auth, Range supported)
    download_url: str | None  # signed link, valid FILE_TOKEN_TTL seconds
    created_at: datetime
    updated_at: datetime


class PodcastDetail(PodcastOut):
    script: dict[str, Any] | None  # {"title", "hosts", "turns": [{"speaker", "name", "text"}]}
    chunks: list[dict[str, Any]] | None  # per turn: voice, pitch, speed, start_s, duration_s


def _token_scope(podcast: Podcast) -> tuple[str, str]:
    return f"podcast:{podcast.id}", f"{podcast.id}.{podcast.audio_format}"


def _is_ready(podcast: Podcast) -> bool:
    return podcast.status == "ready" and bool(podcast.audio_path) and Path(podcast.audio_path).is_file()


def _out(podcast: Podcast, settings, detail: bool = False) -> PodcastOut:
    audio_url = download_url = None
    if _is_ready(podcast):
        audio_url = f"/api/podcasts/{podcast.id}/audio"
        scope, filename = _token_scope(podcast)
        token = create_file_token(podcast.user_id, scope, filename, secret_key=settings.SECRET_KEY)
        download_url = f"/api/podcasts/{podcast.id}/download?token={token}"
    fields = {
        "id": podcast.id,
        "notebook_id": podcast.notebook_id,
        "title": podcast.title,
        "status": podcast.status,
        "progress": podcast.progress,
        "error": podcast.error,
        "material_ids": podcast.material_ids or [],
        "duration_s": podcast.duration_s,
        "audio_format": podcast.audio_format,
        "audio_url": audio_url,
        "download_url": download_url,
        "created_at": podcast.created_at,
        "updated_at": podcast.updated_at,
    }
    if detail:
        return PodcastDetail(**fields, script=podcast.script, chunks=podcast.chunks)
    return PodcastOut(**fields)


def _audio_file(podcast: Podcast, download: bool) -> FileResponse:
    if not _is_ready(podcast):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"The podcast is {podcast.status}, not ready")
    fmt = podcast.audio_format or "mp3"
    safe_title = "".join(c if c.isalnum() or c in " -_" else "_" for c in podcast.title).strip() or "podcast"
    return FileResponse(
        podcast.audio_path,
        media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
        filename=f"{safe_title}.{fmt}",
        content_disposition_type="attachment" if download else "inline",
    )


@router.post("/notebooks/{notebook_id}/podcasts", status_code=status.HTTP_202_ACCEPTED, response_model=PodcastOut)
async def generate_podcast(
    notebook_id: str,
    body: PodcastCreate,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
):
    """Start generating; poll `GET /api/podcasts/{id}` for `status` and `progress`."""
    await get_owned_or_404(db, Notebook, notebook_id, user)
    podcast, _sources = await create_podcast(db, user, notebook_id, body.material_ids, body.title)
    await request_generation(podcast.id, body.title)  # a background job: services/jobs
    return _out(podcast, settings)


@router.get("/notebooks/{notebook_id}/podcasts", response_model=list[PodcastOut])
async def list_podcasts(notebook_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    await get_owned_or_404(db, Notebook, notebook_id, user)
    rows = await db.scalars(
        select(Podcast)
        .where(Podcast.notebook_id == notebook_id, Podcast.user_id == user.id)
        .order_by(Podcast.created_at.desc())
    )
    return [_out(p, settings) for p in rows]


@router.get("/podcasts/{podcast_id}", response_model=PodcastDetail)
async def read_podcast(podcast_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    return _out(await get_owned_or_404(db, Podcast, podcast_id, user), settings, detail=True)


@router.get("/podcasts/{podcast_id}/audio", response_class=FileResponse)
async def stream_podcast_audio(podcast_id: str, user: CurrentUser, db: SessionDep):
    """The audio inline, for the page's <audio> element (Range requests supported)."""
    return _audio_file(await get_owned_or_404(db, Podcast, podcast_id, user), download=False)


@router.get("/podcasts/{podcast_id}/download", response_class=FileResponse)
async def download_podcast(podcast_id: str, token: str, db: SessionDep, settings: SettingsDep):
    """The audio as an attachment; authorised by the signed `token` of `download_url`."""
    podcast = await db.get(Podcast, podcast_id)
    # An unknown id answers like a bad token, so a link never tells whether an id exists.
    if podcast is None or not podcast.audio_format or not verify_file_token(
        token, podcast.user_id, *_token_scope(podcast), secret_key=settings.SECRET_KEY
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Invalid or expired download link")
    return _audio_file(podcast, download=True)


@router.delete("/podcasts/{podcast_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_podcast(podcast_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    podcast = await get_owned_or_404(db, Podcast, podcast_id, user)
    if podcast.status in ("pending", "running"):
        raise HTTPException(status.HTTP_409_CONFLICT, detail="The podcast is still being generated")
    await delete_podcast(db, settings, podcast)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
