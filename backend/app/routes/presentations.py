"""Presentations: build a .pptx deck from materials, list, read the outline, download, delete."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.core.security import create_file_token, verify_file_token
from app.models import Notebook
from app.models.media import Presentation
from app.services.llm.factory import get_chat_model
from app.services.study.presentation import create_presentation, delete_presentation

router = APIRouter(prefix="/api", tags=["presentations"])

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


class PresentationCreate(BaseModel):
    material_ids: list[str] | None = None
    title: str | None = Field(default=None, max_length=255)
    image_file_id: str | None = None  # a chart from the agent's generated files


class SlideOut(BaseModel):
    kind: str  # title | agenda | section | figure | summary
    title: str
    bullets: list[str]
    notes: str


class PresentationOut(BaseModel):
    id: str
    notebook_id: str
    title: str
    slide_count: int
    material_ids: list[str]
    image_file_id: str | None
    download_url: str  # signed link, valid FILE_TOKEN_TTL seconds
    created_at: datetime


class PresentationDetail(PresentationOut):
    slides: list[SlideOut]


def _token_scope(deck: Presentation) -> tuple[str, str]:
    return f"presentation:{deck.id}", f"{deck.id}.pptx"


def _out(deck: Presentation, settings, detail: bool = False) -> PresentationOut:
    token = create_file_token(deck.user_id, *_token_scope(deck), secret_key=settings.SECRET_KEY)
    fields = {
        "id": deck.id,
        "notebook_id": deck.notebook_id,
        "title": deck.title,
        "slide_count": deck.slide_count,
        "material_ids": deck.material_ids or [],
        "image_file_id": deck.image_file_id,
        "download_url": f"/api/presentations/{deck.id}/download?token={token}",
        "created_at": deck.created_at,
    }
    if detail:
        slides = [SlideOut(**s) for s in deck.outline.get("slides", [])]
        return PresentationDetail(**fields, slides=slides)
    return PresentationOut(**fields)


@router.post(
    "/notebooks/{notebook_id}/presentations",
    status_code=status.HTTP_201_CREATED,
    response_model=PresentationDetail,
)
async def generate_presentation(
    notebook_id: str, body: PresentationCreate, user: CurrentUser, db: SessionDep, settings: SettingsDep
):
    await get_owned_or_404(db, Notebook, notebook_id, user)
    deck = await create_presentation(
        db,
        user,
        notebook_id,
        settings.presentations_output_path,
        get_chat_model(),
        material_ids=body.material_ids,
        title=body.title,
        image_file_id=body.image_file_id,
    )
    return _out(deck, settings, detail=True)


@router.get("/notebooks/{notebook_id}/presentations", response_model=list[PresentationOut])
async def list_presentations(notebook_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    await get_owned_or_404(db, Notebook, notebook_id, user)
    rows = await db.scalars(
        select(Presentation)
        .where(Presentation.notebook_id == notebook_id, Presentation.user_id == user.id)
        .order_by(Presentation.created_at.desc())
    )
    return [_out(d, settings) for d in rows]


@router.get("/presentations/{presentation_id}", response_model=PresentationDetail)
async def read_presentation(presentation_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    return _out(await get_owned_or_404(db, Presentation, presentation_id, user), settings, detail=True)


@router.get("/presentations/{presentation_id}/download", response_class=FileResponse)
async def download_presentation(presentation_id: str, token: str, db: SessionDep, settings: SettingsDep):
    """The .pptx as an attachment; authorised by the signed `token` of `download_url`."""
    deck = await db.get(Presentation, presentation_id)
    if deck is None or not verify_file_token(
        token, deck.user_id, *_token_scope(deck), secret_key=settings.SECRET_KEY
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Invalid or expired download link")
    safe_title = "".join(c if c.isalnum() or c in " -_" else "_" for c in deck.title).strip() or "slides"
    return FileResponse(deck.file_path, media_type=PPTX_TYPE, filename=f"{safe_title}.pptx")


@router.delete("/presentations/{presentation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_presentation(presentation_id: str, user: CurrentUser, db: SessionDep):
    await delete_presentation(db, await get_owned_or_404(db, Presentation, presentation_id, user))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
