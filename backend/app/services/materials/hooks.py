"""Other services hear about materials here without the materials code knowing
them (e.g. RAG indexes a material when it is ready and drops its vectors when
it is deleted):

    from app.services.materials.hooks import on_material_ready, on_material_deleted

    @on_material_ready
    async def index_material(material: Material, settings: Settings) -> None: ...

Hooks run after the database commit. A failing hook is logged and does not
undo the upload or the deletion. Register at import time of a module the app
imports (e.g. the router module of the service).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from app.core.config import Settings
from app.models import Material

log = logging.getLogger(__name__)

MaterialHook = Callable[[Material, Settings], Awaitable[None]]

_ready: list[MaterialHook] = []
_deleted: list[MaterialHook] = []


def on_material_ready(fn: MaterialHook) -> MaterialHook:
    if fn not in _ready:
        _ready.append(fn)
    return fn


def on_material_deleted(fn: MaterialHook) -> MaterialHook:
    if fn not in _deleted:
        _deleted.append(fn)
    return fn


async def _run(hooks: list[MaterialHook], material: Material, settings: Settings) -> None:
    for hook in list(hooks):
        try:
            await hook(material, settings)
        except Exception:
            log.exception("material hook %s failed for %s", hook.__name__, material.id)


async def material_ready(material: Material, settings: Settings) -> None:
    await _run(_ready, material, settings)


async def material_deleted(material: Material, settings: Settings) -> None:
    await _run(_deleted, material, settings)
