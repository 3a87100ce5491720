"""Presentation lifecycle: outline the materials, render the .pptx, record it; delete."""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException, status
from langchain_core.language_models import BaseChatModel
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.deps import get_owned_or_404
from app.models import GeneratedFile, User, new_id
from app.models.media import Presentation
from app.services.study.media_sources import load_sources
from app.services.study.presentation_outline import OutlineError, write_slide_outline
from app.services.study.presentation_pptx import render_pptx

IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "bmp"}


async def _chart_image(db: AsyncSession, user: User, image_file_id: str | None) -> Path | None:
    """The bytes of a generated chart the user owns (404 otherwise); None when none is asked for."""
    if not image_file_id:
        return None
    file = await get_owned_or_404(db, GeneratedFile, image_file_id, user)
    ext = Path(file.filename).suffix.lower().lstrip(".")
    path = Path(file.storage_path)
    if ext not in IMAGE_TYPES or not path.is_file() or not _is_image(path):
        raise HTTPException(422, detail="The file is not a chart image")
    return path


def _is_image(path: Path) -> bool:
    """Pillow can read it (the name says .png, the bytes may not)."""
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


async def create_presentation(
    db: AsyncSession,
    user: User,
    notebook_id: str,
    output_dir: Path,
    model: BaseChatModel,
    *,
    material_ids: list[str] | None = None,
    title: str | None = None,
    image_file_id: str | None = None,
) -> Presentation:
    sources = await load_sources(db, user, notebook_id, material_ids)
    image_path = await _chart_image(db, user, image_file_id)
    try:
        outline = await write_slide_outline(model, sources, title, has_image=image_path is not None)
    except OutlineError as exc:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=str(exc)) from exc

    deck_id = new_id()
    dest = output_dir / f"{deck_id}.pptx"
    slide_count = render_pptx(outline, dest, image_path)
    deck = Presentation(
        id=deck_id,
        user_id=user.id,
        notebook_id=notebook_id,
        title=outline["title"],
        material_ids=[s.material_id for s in sources],
        image_file_id=image_file_id,
        outline=outline,
        slide_count=slide_count,
        file_path=str(dest),
    )
    db.add(deck)
    try:
        await db.commit()
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return deck


async def delete_presentation(db: AsyncSession, deck: Presentation) -> None:
    path = Path(deck.file_path)
    await db.delete(deck)
    await db.commit()
    path.unlink(missing_ok=True)
