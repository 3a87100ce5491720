"""Start-up, static serving, docs, and that the migrations match the models."""

from __future__ import annotations

import gzip
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from httpx import ASGITransport, AsyncClient

from app.core.config import get_settings
from app.main import create_app
from app.models import Base


async def test_lifespan_creates_output_dirs(app, settings):
    for path in (settings.generated_output_path, settings.podcasts_output_path, settings.presentations_output_path):
        assert path.is_dir()
        assert path.is_relative_to(settings.DATA_DIR)


def include_name(name, type_, parent_names):
    return type_ != "table" or name in Base.metadata.tables


async def test_migrations_create_exactly_the_models_schema(app):
    def diff(connection):
        opts = {"compare_type": True, "include_name": include_name}  # the env.py filter
        return compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata)

    async with app.state.db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_migrations_are_idempotent_on_restart(app):
    await app.state.db.upgrade()  # a second start must not fail


async def test_docs_and_openapi_are_served(client):
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/auth/register", "/api/notebooks", "/api/notebooks/{notebook_id}/materials"):
        assert path in spec["paths"]
    upload_body = spec["paths"]["/api/notebooks/{notebook_id}/materials"]["post"]["requestBody"]
    assert "multipart/form-data" in upload_body["content"]


async def test_unknown_api_path_is_json_404(client):
    response = await client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.fixture
async def static_client(tmp_path, settings, monkeypatch):
    bundle = tmp_path / "bundle"
    dist = tmp_path / "dist"
    monkeypatch.setenv("PYODIDE_BUNDLE_DIR", str(bundle))
    monkeypatch.setenv("FRONTEND_DIST_DIR", str(dist))
    get_settings.cache_clear()
    application = create_app(get_settings())
    async with (
        application.router.lifespan_context(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://testserver") as client,
    ):
        yield client, bundle, dist


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_missing_bundle_and_frontend_are_tolerated(static_client, caplog):
    client, _bundle, _dist = static_client
    assert (await client.get("/pyodide/pyodide.js")).status_code == 404
    response = await client.get("/")
    assert response.status_code == 404
    assert "frontend is not built" in response.json()["detail"]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_missing_bundle_is_logged_with_the_build_command(tmp_path, settings, monkeypatch, caplog):
    monkeypatch.setenv("PYODIDE_BUNDLE_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    application = create_app(get_settings())
    with caplog.at_level("WARNING"):
        async with application.router.lifespan_context(application):
            pass
    assert "bash pyodide_bundle/build.sh" in caplog.text


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_bundle_is_served_with_immutable_cache(static_client):
    client, bundle, _dist = static_client
    bundle.mkdir()  # built after start-up: still served
    (bundle / "manifest.json").write_text(json.dumps({"profile": "classic"}))
    (bundle / "pyodide.asm.wasm").write_bytes(b"\x00asm\x01\x00\x00\x00")
    response = await client.get("/pyodide/manifest.json")
    assert response.status_code == 200
    assert response.json() == {"profile": "classic"}
    assert response.headers["cache-control"] == "no-cache"  # rebuilt in place: revalidate
    wasm = await client.get("/pyodide/pyodide.asm.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await client.get("/pyodide/../secret_key")).status_code == 404


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_a_precompressed_bundle_file_is_sent_gzip_encoded(static_client):
    client, bundle, _dist = static_client
    bundle.mkdir()
    payload = b"\x10\x00\x00\x00" + b"pyc bytes " * 5000
    packed = gzip.compress(payload, mtime=0)
    (bundle / "pycache-boot.bin.gz").write_bytes(packed)

    encoded = await client.get("/pyodide/pycache-boot.bin", headers={"Accept-Encoding": "gzip"})
    assert encoded.status_code == 200
    assert encoded.headers["content-encoding"] == "gzip"
    assert encoded.headers["vary"] == "Accept-Encoding"
    assert encoded.headers["content-type"] == "application/octet-stream"
    assert encoded.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert int(encoded.headers["content-length"]) == len(packed)
    assert encoded.content == payload  # httpx inflates it, as a browser does

    revalidated = await client.get("/pyodide/pycache-boot.bin",
                                   headers={"Accept-Encoding": "gzip", "If-None-Match": encoded.headers["etag"]})
    assert revalidated.status_code == 304

    plain = await client.get("/pyodide/pycache-boot.bin", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.content == payload

    raw = await client.get("/pyodide/pycache-boot.bin.gz", headers={"Accept-Encoding": "identity"})
    assert raw.content == packed and "content-encoding" not in raw.headers
    assert (await client.get("/pyodide/pycache-other.bin")).status_code == 404
    assert (await client.get("/pyodide/..%2Fpycache-boot.bin")).status_code == 404


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_spa_serves_files_and_falls_back_to_index(static_client):
    client, _bundle, dist = static_client
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>KeplerLab</html>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    assert (await client.get("/")).text == "<html>KeplerLab</html>"
    assert (await client.get("/notebooks/123")).text == "<html>KeplerLab</html>"
    js = await client.get("/assets/app.js")
    assert js.text == "console.log(1)"
    assert "javascript" in js.headers["content-type"]
    assert (await client.get("/api/nothing")).status_code == 404
    assert (await client.get("/docs")).status_code == 200
