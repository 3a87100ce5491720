"""/docs: Swagger UI from the frontend build under a self-only CSP (routes/docs.py)."""

from __future__ import annotations

import pytest
from httpx import ASGITransport, AsyncClient

from app.core.config import get_settings
from app.main import create_app

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


@pytest.fixture
async def docs_client(tmp_path, settings, monkeypatch):
    dist = tmp_path / "dist"
    monkeypatch.setenv("FRONTEND_DIST_DIR", str(dist))
    get_settings.cache_clear()
    application = create_app(get_settings())
    async with (
        application.router.lifespan_context(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://testserver") as client,
    ):
        yield client, dist


async def test_docs_page_uses_only_own_assets_under_a_self_only_csp(docs_client):
    client, dist = docs_client
    (dist / "swagger-ui").mkdir(parents=True)
    (dist / "swagger-ui" / "swagger-ui-bundle.js").write_text("window.SwaggerUIBundle = 1")
    (dist / "swagger-ui" / "swagger-ui.css").write_text("body{}")

    page = await client.get("/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    assert "http" not in csp and "cdn" not in page.text.lower() and "<script>" not in page.text
    assert 'src="/docs/assets/swagger-ui-bundle.js"' in page.text

    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.text == "window.SwaggerUIBundle = 1" and "javascript" in bundle.headers["content-type"]
    init = await client.get("/docs/init.js")
    assert "SwaggerUIBundle(" in init.text and "/openapi.json" in init.text
    assert (await client.get("/docs/assets/index.html")).status_code == 404  # only the listed files
    assert (await client.get("/docs/assets/..%2Findex.html")).status_code == 404
    assert "redoc.standalone" not in (await client.get("/redoc")).text  # FastAPI's CDN ReDoc is off


async def test_docs_page_without_a_build_points_to_the_schema(docs_client):
    client, _dist = docs_client
    page = await client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text and "make setup" in page.text
