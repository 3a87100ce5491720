"""Which browser runtime the page should start: GET /api/runtime.

Public (no sign-in): it names only the profile and the URLs of the bundle,
which /pyodide/ serves to anyone anyway, and the page may ask before a
session exists.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from app.core.deps import SettingsDep
from app.services.code_execution.sandbox_env import runtime_config
from app.services.code_execution.sandbox_page import sandbox_headers, sandbox_html

router = APIRouter(prefix="/api", tags=["runtime"])


class RuntimeConfig(BaseModel):
    profile: Literal["classic", "modern"]
    index_url: str
    manifest_url: str
    python_version: str | None  # None until the profile's bundle is built


@router.get("/runtime", response_model=RuntimeConfig)
async def read_runtime(settings: SettingsDep) -> RuntimeConfig:
    # async: no thread-pool hop (a stat of the cached manifest is all the I/O),
    # so the page's first request stays fast while sign-ins load the server
    return RuntimeConfig(**runtime_config(settings))


@router.get("/runtime/sandbox", response_class=HTMLResponse, include_in_schema=False)
def read_sandbox() -> HTMLResponse:
    """The opaque-origin document the Python worker runs in (services/code_execution/sandbox_page.py)."""
    return HTMLResponse(sandbox_html(), headers=sandbox_headers())
