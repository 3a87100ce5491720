"""The API docs page (/docs): Swagger UI from the frontend build, never a CDN.

FastAPI's own page loads Swagger UI from jsDelivr and starts it with an inline
script, so offline (or under our CSP) it is blank. This page loads the npm
package's bundle, copied into the build at <FRONTEND_DIST_DIR>/swagger-ui/ by
frontend/vite.config.js, and starts it from a same-origin script; its CSP
allows nothing but this origin.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.core.deps import SettingsDep

router = APIRouter(include_in_schema=False)

ASSETS = {  # served name -> media type (only these, from the build's swagger-ui/)
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KeplerLab API</title>
<link rel="icon" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
INIT_JS = """window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
})
"""
NOT_BUILT = ("<!doctype html><title>KeplerLab API</title><p>The API docs need the frontend build "
             "(run: make setup). The schema is at <a href=\"/openapi.json\">/openapi.json</a>.</p>")


@router.get("/docs")
async def docs_page(settings: SettingsDep) -> HTMLResponse:
    built = (settings.FRONTEND_DIST_DIR / "swagger-ui" / "swagger-ui-bundle.js").is_file()
    return HTMLResponse(PAGE if built else NOT_BUILT,
                        headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"})


@router.get("/docs/init.js")
async def docs_init() -> Response:
    return Response(INIT_JS, media_type="text/javascript", headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs/assets/{name}")
async def docs_asset(name: str, settings: SettingsDep) -> FileResponse:
    path = settings.FRONTEND_DIST_DIR / "swagger-ui" / name
    if name not in ASSETS or not path.is_file():
        raise HTTPException(404, "Not Found")
    return FileResponse(path, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
