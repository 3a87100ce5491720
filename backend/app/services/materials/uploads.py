"""Adding and removing materials: bytes on disk and rows in the database move
together; a failure leaves neither behind."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect

from app.core.config import Settings
from app.core.database import begin_write
from app.models import Material, Notebook, User, new_id
from app.services.materials import hooks
from app.services.materials.detection import DetectedFile, detect_file
from app.services.materials.extraction import ExtractionLimits, extract_to_file
from app.services.materials.extraction_worker import extract_in_worker
from app.services.materials.storage import (
    ReceivedUpload,
    notebook_dir,
    remove_files,
    workspace_candidates,
)

_T = TypeVar("_T")
_DISCONNECT_POLL = 0.25  # seconds between checks that the uploading client is still there


@dataclass
class _Prepared:
    detected: DetectedFile
    real_path: Path
    text_path: Path
    size: int
    sha256: str


def _store_original(upload: ReceivedUpload, detected: DetectedFile, real_path: Path) -> tuple[int, str]:
    if detected.text is not None and detected.encoding != "utf-8":
        data = detected.text.encode("utf-8")  # converted: serve UTF-8 to the worker
        real_path.write_bytes(data)
        upload.tmp_path.unlink(missing_ok=True)
        return len(data), hashlib.sha256(data).hexdigest()
    os.replace(upload.tmp_path, real_path)
    return upload.size, upload.sha256


async def _in_thread(fn: Callable[..., _T], *args) -> _T:
    """asyncio.to_thread, but a cancelled caller still waits for the thread: file
    work must be over before the clean-up that follows the cancellation."""
    future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


async def _prepare_files(
    upload: ReceivedUpload, directory: Path, material_id: str, settings: Settings
) -> _Prepared:
    """Detect, extract (documents in the bounded worker process) and move into place."""
    detected = await _in_thread(detect_file, upload.tmp_path, upload.filename)
    await _in_thread(lambda: directory.mkdir(parents=True, exist_ok=True))
    real_path = directory / f"{material_id}.{detected.ext}"
    text_path = directory / f"{material_id}.extracted.txt"
    try:
        if detected.text is not None:  # already decoded: only the text limit applies
            limits = ExtractionLimits.from_settings(settings)
            await _in_thread(extract_to_file, upload.tmp_path, detected.ext, text_path, limits, detected.text)
        else:
            await extract_in_worker(upload.tmp_path, detected.ext, text_path, settings)
        size, sha256 = await _in_thread(_store_original, upload, detected, real_path)
    except BaseException:
        remove_files(real_path, text_path)
        raise
    return _Prepared(detected, real_path, text_path, size, sha256)


async def _unless_client_leaves(work: Awaitable[_T], client_left: Callable[[], Awaitable[bool]] | None) -> _T:
    """Await `work`, cancelling it (which kills an extraction worker) if the client
    disconnects meanwhile: nobody would see the result, so nothing is saved."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=_DISCONNECT_POLL)
            if done:
                return task.result()
            if client_left is not None and await client_left():
                raise ClientDisconnect()
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


async def _taken_names(db: AsyncSession, notebook_id: str) -> set[str]:
    rows = await db.scalars(select(Material.workspace_name).where(Material.notebook_id == notebook_id))
    return set(rows)


async def add_material(
    db: AsyncSession,
    settings: Settings,
    notebook: Notebook,
    user: User,
    upload: ReceivedUpload,
    client_left: Callable[[], Awaitable[bool]] | None = None,
) -> Material:
    """Turn a received upload into a Material. Raises MaterialError subclasses, or
    ClientDisconnect when `client_left()` turns true before the files are ready;
    on any failure the temp file, the stored files and the row are all gone."""
    material_id = new_id()
    directory = notebook_dir(settings.materials_path, notebook.id)
    prepared: _Prepared | None = None
    try:
        prepared = await _unless_client_leaves(
            _prepare_files(upload, directory, material_id, settings), client_left
        )
        notebook_id, user_id = notebook.id, user.id  # read now: a rollback below expires both
        for _attempt in range(5):  # another server process may still take the same name
            await begin_write(db, f"materials:{notebook_id}")  # choose and insert with no writer in between
            taken = await _taken_names(db, notebook_id)
            name = next(n for n in workspace_candidates(upload.filename, prepared.detected.ext) if n not in taken)
            material = Material(
                id=material_id,
                notebook_id=notebook_id,
                user_id=user_id,
                filename=upload.filename,
                workspace_name=name,
                stored_name=prepared.real_path.name,
                ext=prepared.detected.ext,
                type=prepared.detected.type,
                mime=prepared.detected.mime,
                size=prepared.size,
                sha256=prepared.sha256,
                real_path=str(prepared.real_path),
                text_path=str(prepared.text_path),
                status="ready",
            )
            db.add(material)
            try:
                await db.commit()
                break
            except IntegrityError:
                await db.rollback()
        else:
            raise RuntimeError("could not choose a unique workspace name")
    except BaseException:
        await db.rollback()
        remove_files(upload.tmp_path)
        if prepared is not None:
            remove_files(prepared.real_path, prepared.text_path)
        raise
    await hooks.material_ready(material, settings)
    return material


async def delete_material(db: AsyncSession, settings: Settings, material: Material) -> None:
    await db.delete(material)
    await db.commit()
    remove_files(material.real_path, material.text_path)
    await hooks.material_deleted(material, settings)


async def read_text(material: Material) -> str:
    return await asyncio.to_thread(Path(material.text_path).read_text, encoding="utf-8")
