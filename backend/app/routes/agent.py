"""Agent routes: a chat turn as SSE, the browser's execution results, runs and files."""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path, PurePosixPath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sse_starlette.sse import EventSourceResponse

from app.core.deps import CurrentUser, SessionDep, SettingsDep, get_owned_or_404
from app.core.security import create_file_token, verify_file_token
from app.models import AgentRun, ChatSession, GeneratedFile
from app.services.agent.runs import AgentRunner, ExecutionAlreadyConsumed, RunNotFound
from app.services.agent.tools.file_generator import download_url_for
from app.services.code_execution.contract import ExecuteRequest, ExecutionResult
from app.services.materials.storage import display_filename

router = APIRouter(prefix="/api/agent", tags=["agent"])


async def get_runner(request: Request) -> AgentRunner:  # async: no thread-pool hop (see core/deps.py)
    return request.app.state.agent_runner


RunnerDep = Annotated[AgentRunner, Depends(get_runner)]


class ChatRequest(BaseModel):
    session_id: str
    message: str = Field(min_length=1, max_length=20_000)
    material_ids: list[str] | None = None
    material_id: str | None = Field(default=None, max_length=64)  # the file chosen with "Use this file"


class RunStatusOut(BaseModel):
    run_id: str
    session_id: str
    status: str
    pending_execute: ExecuteRequest | None
    message_id: str | None
    error: str | None


class FileOut(BaseModel):
    id: str
    name: str
    url: str
    size: int
    type: str
    path: str | None
    created_at: str


class FileTokenRequest(BaseModel):
    session_id: str
    filename: str = Field(min_length=1, max_length=255)


class FileTokenOut(BaseModel):
    token: str
    url: str


@router.post("/chat")
async def chat(body: ChatRequest, user: CurrentUser, db: SessionDep, runner: RunnerDep) -> EventSourceResponse:
    """Start a turn; streams SSE events (see services/agent/events.py) until done or `execute`."""
    session_id = await runner.owned_session_id(db, user, body.session_id)
    stream = runner.stream_start(user, session_id, body.message, body.material_ids,
                                 material_id=body.material_id)
    await db.close()  # give the connection back now: the stream can last minutes
    return EventSourceResponse(stream, ping=15)


@router.post("/runs/{run_id}/executions/{exec_id}")
async def post_execution_result(run_id: str, exec_id: str, result: ExecutionResult, user: CurrentUser,
                                db: SessionDep, runner: RunnerDep) -> EventSourceResponse:
    """The browser's result for an `execute` event; streams the rest of the turn."""
    try:
        run = await runner.claim_execution(db, user, run_id, exec_id)
    except RunNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except ExecutionAlreadyConsumed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    stream = runner.stream_resume(run, result)
    await db.close()
    return EventSourceResponse(stream, ping=15)


class StopOut(BaseModel):
    run_id: str
    status: str


@router.post("/runs/{run_id}/stop", response_model=StopOut)
async def stop_run(run_id: str, user: CurrentUser, db: SessionDep, runner: RunnerDep) -> StopOut:
    """Stop button while no code runs in the browser (the server is mid-turn or
    waits for a result): the run ends as 'stopped' with a short answer. Idempotent."""
    try:
        status_now = await runner.stop(db, user, run_id)
    except RunNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    return StopOut(run_id=run_id, status=status_now)


@router.get("/runs/{run_id}", response_model=RunStatusOut)
async def get_run(run_id: str, user: CurrentUser, db: SessionDep) -> RunStatusOut:
    """A reloaded page asks what a run is doing and what it waits for."""
    run = await get_owned_or_404(db, AgentRun, run_id, user)
    pending = ExecuteRequest.model_validate(run.pending_execute) if run.status == "awaiting_execution" else None
    return RunStatusOut(run_id=run.id, session_id=run.session_id, status=run.status, pending_execute=pending,
                        message_id=run.message_id, error=run.error)


def _file_out(row: GeneratedFile) -> FileOut:
    return FileOut(id=row.id, name=row.filename, url=download_url_for(row.user_id, row.session_id, row.filename),
                   size=row.size, type=row.type, path=row.path, created_at=row.created_at.isoformat())


@router.get("/files")
async def list_files(session_id: Annotated[str, Query()], user: CurrentUser, db: SessionDep) -> dict:
    """Spec 6.1: the files the agent generated in a session."""
    await get_owned_or_404(db, ChatSession, session_id, user)
    rows = (await db.execute(select(GeneratedFile).where(GeneratedFile.session_id == session_id)
                             .order_by(GeneratedFile.created_at))).scalars().all()
    return {"files": [_file_out(r) for r in rows if Path(r.storage_path).is_file()]}


# File systems allow 255 bytes per name, and the partial file adds 6 (".<name>.part").
MAX_GENERATED_NAME_BYTES = 240


def session_output_dir(settings: SettingsDep, user_id: str, session_id: str) -> Path:
    return settings.generated_output_path / user_id / session_id


@router.post("/files", status_code=status.HTTP_201_CREATED, response_model=FileOut)
async def upload_generated_file(
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    session_id: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    run_id: Annotated[str | None, Form()] = None,
    path: Annotated[str | None, Form(max_length=1024)] = None,
) -> FileOut:
    """The page uploads a file a browser run wrote, so it survives a reload."""
    session = await get_owned_or_404(db, ChatSession, session_id, user)
    if run_id:
        await get_owned_or_404(db, AgentRun, run_id, user)
    name = display_filename(PurePosixPath(file.filename or "").name)
    if not name or name in {".", ".."}:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="The file needs a name.")
    if len(name.encode()) > MAX_GENERATED_NAME_BYTES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY,
                            detail=f"The file name is too long (at most {MAX_GENERATED_NAME_BYTES} bytes).")
    folder = session_output_dir(settings, user.id, session.id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    partial = folder / f".{name}.part"
    size = 0
    try:
        with partial.open("wb") as out:
            while block := await file.read(1 << 20):
                size += len(block)
                if size > settings.max_upload_bytes:
                    raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                                        detail=f"The file is larger than the {settings.MAX_UPLOAD_MB:g} MB limit.")
                out.write(block)
        shutil.move(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"  # by name: never trust the client's
    row = (await db.execute(select(GeneratedFile).where(GeneratedFile.session_id == session.id,
                                                        GeneratedFile.filename == name))).scalar_one_or_none()
    if row is None:
        row = GeneratedFile(user_id=user.id, session_id=session.id, filename=name, storage_path=str(target))
        db.add(row)
    row.run_id, row.path, row.size, row.mime = run_id, path or name, size, mime
    row.type = PurePosixPath(name).suffix.lstrip(".").lower()
    await db.commit()
    await db.refresh(row)
    return _file_out(row)


@router.get("/files/{file_id}/raw")
async def generated_file_bytes(file_id: str, user: CurrentUser, db: SessionDep) -> FileResponse:
    """The bytes of a generated file, for the worker to mount before an edit."""
    row = await get_owned_or_404(db, GeneratedFile, file_id, user)
    if not Path(row.storage_path).is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="File not found")
    # Bytes for the worker, never rendered inline: an uploaded .html must not run on our origin.
    return FileResponse(row.storage_path, media_type="application/octet-stream",
                        headers={"X-Content-Type-Options": "nosniff"})


@router.post("/files/token", response_model=FileTokenOut)
async def issue_file_token(body: FileTokenRequest, user: CurrentUser, db: SessionDep,
                           settings: SettingsDep) -> FileTokenOut:
    """A short-lived signed link for one file of one of the user's sessions."""
    await get_owned_or_404(db, ChatSession, body.session_id, user)
    token = create_file_token(user.id, body.session_id, body.filename, secret_key=settings.SECRET_KEY)
    return FileTokenOut(token=token,
                        url=f"{download_url_for(user.id, body.session_id, body.filename)}?token={quote(token)}")


@router.get("/download/{user_id}/{session_id}/{filename}")
async def download_generated_file(user_id: str, session_id: str, filename: str, token: Annotated[str, Query()],
                                  db: SessionDep, settings: SettingsDep) -> FileResponse:
    """Spec 6.1: serve a generated file to whoever holds a valid signed token for it."""
    if not verify_file_token(token, user_id, session_id, filename, secret_key=settings.SECRET_KEY):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Invalid or expired download link")
    row = (await db.execute(select(GeneratedFile).where(
        GeneratedFile.user_id == user_id, GeneratedFile.session_id == session_id,
        GeneratedFile.filename == filename))).scalar_one_or_none()
    if row is None or not Path(row.storage_path).is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="File not found")
    return FileResponse(row.storage_path, media_type=row.mime, filename=row.filename,
                        headers={"X-Content-Type-Options": "nosniff"})
