"""Deleting notebooks and chat sessions: rows go through ON DELETE CASCADE,
files on disk (materials, generated files) are removed after the commit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import ChatSession, GeneratedFile, Material, Notebook, Podcast, Presentation
from app.services.leftovers import remove_podcast_work
from app.services.materials import hooks
from app.services.materials.storage import is_within, notebook_dir, remove_files, remove_tree


async def _generated_paths(db: AsyncSession, session_ids: list[str]) -> list[str]:
    if not session_ids:
        return []
    rows = await db.scalars(
        select(GeneratedFile.storage_path).where(GeneratedFile.session_id.in_(session_ids))
    )
    return list(rows)


def _remove_generated(settings: Settings, user_id: str, session_ids: list[str], paths: list[str]) -> None:
    root = settings.DATA_DIR
    remove_files(*(p for p in paths if is_within(p, root)))
    for session_id in session_ids:
        session_dir = settings.generated_output_path / user_id / session_id
        if is_within(session_dir, settings.generated_output_path):
            remove_tree(session_dir)


async def _media_paths(db: AsyncSession, notebook_id: str) -> list[str]:
    """The notebook's podcast audio and slide decks (their rows cascade; the files must go too)."""
    audio = await db.scalars(select(Podcast.audio_path).where(Podcast.notebook_id == notebook_id))
    decks = await db.scalars(select(Presentation.file_path).where(Presentation.notebook_id == notebook_id))
    return [p for p in [*audio, *decks] if p]


async def delete_notebook(db: AsyncSession, settings: Settings, notebook: Notebook) -> None:
    materials = list(await db.scalars(select(Material).where(Material.notebook_id == notebook.id)))
    session_ids = list(
        await db.scalars(select(ChatSession.id).where(ChatSession.notebook_id == notebook.id))
    )
    generated = await _generated_paths(db, session_ids)
    media = await _media_paths(db, notebook.id)
    podcast_ids = list(await db.scalars(select(Podcast.id).where(Podcast.notebook_id == notebook.id)))
    user_id = notebook.user_id
    await db.delete(notebook)
    await db.commit()
    remove_tree(notebook_dir(settings.materials_path, notebook.id))
    _remove_generated(settings, user_id, session_ids, generated)
    remove_files(*(p for p in media if is_within(p, settings.DATA_DIR)))
    for podcast_id in podcast_ids:
        remove_podcast_work(settings, podcast_id)
    for material in materials:
        await hooks.material_deleted(material, settings)


async def delete_chat_session(db: AsyncSession, settings: Settings, session: ChatSession) -> None:
    generated = await _generated_paths(db, [session.id])
    await db.delete(session)
    await db.commit()
    _remove_generated(settings, session.user_id, [session.id], generated)


def generated_dir(settings: Settings, user_id: str, session_id: str) -> Path:
    """Where a session's generated files are kept on the server."""
    return settings.generated_output_path / user_id / session_id
