"""The FastAPI app: `create_app()` builds it (`uvicorn --factory app.main:create_app`).

Start-up (lifespan): migrate the database to head, create the output
directories under DATA_DIR, check the browser runtime bundle. Routes live
under /api; the runtime bundle is served at /pyodide/; the built SPA at /.
"""

from __future__ import annotations

import gzip
import logging
import mimetypes
import stat
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import Headers
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from app.core.config import Settings, get_settings
from app.core.database import Database
from app.core.security import configure_password_hashing
from app.routes import (
    agent,
    auth,
    docs,
    flashcards,
    materials,
    notebooks,
    podcasts,
    presentations,
    quiz,
    rag,
    runtime,
    sessions,
)
from app.services.agent.lifecycle import agent_lifespan
from app.services.jobs import job_queue
from app.services.leftovers import sweep_partial_files
from app.services.materials.extraction_worker import warm_up as start_extraction_forkserver
from app.services.rag.embeddings import warm_up_in_background

log = logging.getLogger("keplerlab")

# Every API router (each carries its own /api/... prefix).
ROUTERS = [
    auth.router,
    notebooks.router,
    materials.router,
    sessions.router,
    agent.router,
    podcasts.router,
    presentations.router,
    rag.router,
    flashcards.router,
    quiz.router,
    runtime.router,
    docs.router,  # /docs: Swagger UI from the build (FastAPI's own page uses a CDN)
]

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/zip", ".whl")


MUTABLE_BUNDLE_FILES = frozenset({"manifest.json", "packages.json", "pyodide-lock.json"})


class ImmutableStaticFiles(StaticFiles):
    """Static files with a one-year immutable cache (bundle files are versioned).
    A missing directory (bundle not built yet) answers 404 instead of failing."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.directory is None or not Path(self.directory).is_dir():
            response = JSONResponse(
                {"detail": "The browser runtime bundle is not built (bash pyodide_bundle/build.sh)."},
                status_code=404,
            )
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope):
        response = await self._precompressed_response(path, scope) or await super().get_response(path, scope)
        if response.status_code in (200, 304):
            # The index files change when the bundle is rebuilt under the same
            # name: revalidate them (ETag); everything else never changes in place.
            mutable = path.rsplit("/", 1)[-1] in MUTABLE_BUNDLE_FILES
            response.headers["Cache-Control"] = "no-cache" if mutable else "public, max-age=31536000, immutable"
        return response

    async def _precompressed_response(self, path: str, scope: Scope) -> Response | None:
        """`name` answered from a build-time `name.gz` (nginx's gzip_static): the
        browser inflates it off the page's thread. A client that does not
        accept gzip gets the inflated bytes."""
        if path.endswith(".gz") or (await anyio.to_thread.run_sync(self.lookup_path, path))[1] is not None:
            return None
        gz_path, gz_stat = await anyio.to_thread.run_sync(self.lookup_path, path + ".gz")
        if gz_stat is None or not stat.S_ISREG(gz_stat.st_mode):
            return None
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        accepts = Headers(scope=scope).get("accept-encoding", "")
        if "gzip" not in accepts.lower():
            data = await anyio.to_thread.run_sync(lambda: gzip.decompress(Path(gz_path).read_bytes()))
            return Response(data, media_type=media_type)
        response = self.file_response(gz_path, gz_stat, scope)
        response.headers["Content-Type"] = media_type
        if response.status_code == 200:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        return response


def _ensure_dirs(settings: Settings) -> None:
    for path in (
        settings.DATA_DIR,
        settings.generated_output_path,
        settings.podcasts_output_path,
        settings.presentations_output_path,
        settings.materials_path,
        settings.upload_tmp_path,
    ):
        path.mkdir(parents=True, exist_ok=True)


def _configure_logging(settings: Settings) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=settings.LOG_LEVEL.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
    log.setLevel(settings.LOG_LEVEL.upper())


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings: Settings = app.state.settings
    db: Database = app.state.db
    started_at = time.time()
    _ensure_dirs(settings)
    # Files a killed process left half-written (services/leftovers.py).
    grace = 0 if settings.is_sqlite else settings.PARTIAL_FILE_GRACE
    await anyio.to_thread.run_sync(sweep_partial_files, settings, started_at, grace)
    await db.upgrade()
    log.info("KeplerLab ready (data: %s, database: %s)", settings.DATA_DIR, db.engine.url.render_as_string())
    warm_up_in_background()  # the embedding model loads now, not on the first question
    await anyio.to_thread.run_sync(start_extraction_forkserver)  # its reader imports begin now
    try:
        # Background jobs (indexing, podcasts): services/jobs; unfinished ones are resumed.
        async with job_queue(settings, db), agent_lifespan(app):
            yield
    finally:
        await db.dispose()


def _mount_spa(app: FastAPI, dist: Path) -> None:
    """The built frontend at `/`: real files as is, any other non-API path gets
    index.html (client-side routing). Checked per request, so a build made
    after start-up is picked up."""

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request):
        if path == "api" or path.startswith("api/"):
            raise HTTPException(404, "Not Found")
        root = dist.resolve()
        candidate = (root / path).resolve()
        if path and candidate.is_relative_to(root) and candidate.is_file():
            return FileResponse(candidate)
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return JSONResponse(
            {"detail": "The frontend is not built (run: make setup). The API is at /docs."},
            status_code=404,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    _configure_logging(settings)
    configure_password_hashing(settings)
    app = FastAPI(title="KeplerLab", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.db = Database(settings.DATABASE_URL, settings)

    for router in ROUTERS:
        app.include_router(router)

    app.mount(
        "/pyodide",
        ImmutableStaticFiles(directory=settings.PYODIDE_BUNDLE_DIR, check_dir=False),
        name="pyodide",
    )
    _mount_spa(app, settings.FRONTEND_DIST_DIR)
    _add_hardening_middleware(app)
    return app


def _add_hardening_middleware(app: FastAPI) -> None:
    """Security headers on every response; cross-origin state changes refused; 413 for
    big bodies; 422 for text no database can store (core/hardening.py)."""
    from sqlalchemy.exc import DBAPIError

    from app.core.hardening import (
        BodySizeLimitMiddleware,
        CrossOriginGuardMiddleware,
        SecurityHeadersMiddleware,
        TextGuardMiddleware,
        unstorable_text_handler,
    )

    app.add_exception_handler(UnicodeEncodeError, unstorable_text_handler)
    app.add_exception_handler(DBAPIError, unstorable_text_handler)
    app.add_middleware(TextGuardMiddleware)  # inside the body limit: reads bounded bodies only
    app.add_middleware(BodySizeLimitMiddleware, limit=app.state.settings.max_json_body_bytes)
    app.add_middleware(CrossOriginGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: the 403 above gets headers too


def __getattr__(name: str) -> FastAPI:
    """`uvicorn app.main:app` works too, without building an app at import time."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
