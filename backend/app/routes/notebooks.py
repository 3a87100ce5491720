"""Notebooks: create, list, read, rename, delete (with everything in them)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.models import Notebook
from app.services.notebooks import delete_notebook

router = APIRouter(prefix="/api/notebooks", tags=["notebooks"])


class NotebookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)

    @field_validator("title")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("title must not be blank")
        return value


class NotebookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    created_at: datetime
    updated_at: datetime


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NotebookOut)
async def create_notebook(body: NotebookIn, user: CurrentUser, db: SessionDep):
    notebook = Notebook(user_id=user.id, title=body.title)
    db.add(notebook)
    await db.commit()
    return notebook


@router.get("", response_model=list[NotebookOut])
async def list_notebooks(user: CurrentUser, db: SessionDep):
    rows = await db.scalars(
        select(Notebook).where(Notebook.user_id == user.id).order_by(Notebook.updated_at.desc())
    )
    return list(rows)


@router.get("/{notebook_id}", response_model=NotebookOut)
async def read_notebook(notebook_id: str, user: CurrentUser, db: SessionDep):
    return await get_owned_or_404(db, Notebook, notebook_id, user)


@router.patch("/{notebook_id}", response_model=NotebookOut)
async def rename_notebook(notebook_id: str, body: NotebookIn, user: CurrentUser, db: SessionDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    notebook.title = body.title
    await db.commit()
    return notebook


@router.delete("/{notebook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_notebook(notebook_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    await delete_notebook(db, settings, notebook)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
