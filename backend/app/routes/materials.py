"""Materials: upload into a notebook, list, read, delete, raw bytes, extracted text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from starlette.requests import ClientDisconnect

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.models import Material, Notebook
from app.services.materials.errors import MaterialError
from app.services.materials.storage import receive_upload
from app.services.materials.uploads import add_material, delete_material

router = APIRouter(prefix="/api", tags=["materials"])
CLIENT_CLOSED_REQUEST = 499  # as nginx logs it


class MaterialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    notebook_id: str
    filename: str
    workspace_name: str
    ext: str
    type: str
    mime: str
    size: int
    sha256: str
    status: str
    error: str | None
    created_at: datetime


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/notebooks/{notebook_id}/materials",
    status_code=status.HTTP_201_CREATED,
    response_model=MaterialOut,
    openapi_extra=_UPLOAD_BODY,
    responses={
        400: {"description": "Empty file"},
        413: {"description": "Over MAX_UPLOAD_MB"},
        415: {"description": "Unsupported type (judged by content)"},
        422: {"description": "Corrupt file or malformed request"},
    },
)
async def upload_material(
    notebook_id: str, request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep
):
    """Upload PDF, DOCX, TXT, MD, CSV or XLSX as multipart field `file`."""
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    await db.commit()  # end the read transaction: no pooled connection held while the body streams
    try:
        upload = await receive_upload(request, settings.upload_tmp_path, settings.max_upload_bytes)
        return await add_material(db, settings, notebook, user, upload, client_left=request.is_disconnected)
    except MaterialError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    except ClientDisconnect:  # left mid-body or mid-extraction: nothing was saved, nobody reads this
        return Response(status_code=CLIENT_CLOSED_REQUEST)


@router.get("/notebooks/{notebook_id}/materials", response_model=list[MaterialOut])
async def list_materials(notebook_id: str, user: CurrentUser, db: SessionDep):
    notebook = await get_owned_or_404(db, Notebook, notebook_id, user)
    rows = await db.scalars(
        select(Material).where(Material.notebook_id == notebook.id).order_by(Material.created_at)
    )
    return list(rows)


@router.get("/materials/{material_id}", response_model=MaterialOut)
async def read_material(material_id: str, user: CurrentUser, db: SessionDep):
    return await get_owned_or_404(db, Material, material_id, user)


@router.delete("/materials/{material_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_material(material_id: str, user: CurrentUser, db: SessionDep, settings: SettingsDep):
    material = await get_owned_or_404(db, Material, material_id, user)
    await delete_material(db, settings, material)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _existing(path: str) -> str:
    if not Path(path).is_file():
        raise HTTPException(status.HTTP_410_GONE, "The material's file is missing on the server")
    return path


@router.get("/materials/{material_id}/raw", response_class=FileResponse)
async def read_material_raw(material_id: str, user: CurrentUser, db: SessionDep):
    """The file's bytes (text formats as UTF-8), as the browser runtime mounts them."""
    material = await get_owned_or_404(db, Material, material_id, user)
    return FileResponse(
        _existing(material.real_path),
        media_type=material.mime,
        filename=material.workspace_name,
        content_disposition_type="attachment",  # never rendered as a page of this origin
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get("/materials/{material_id}/text", response_class=FileResponse)
async def read_material_text(material_id: str, user: CurrentUser, db: SessionDep):
    """The extracted text, UTF-8 plain text."""
    material = await get_owned_or_404(db, Material, material_id, user)
    return FileResponse(_existing(material.text_path), media_type="text/plain; charset=utf-8")
