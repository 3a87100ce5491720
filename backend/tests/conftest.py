"""Shared fixtures: a real app (lifespan run) on a real database.

Every app-level fixture is parametrised over the database backends: SQLite (a
file per test) always, PostgreSQL when TEST_POSTGRES_URL is set (a fresh
database per test, dropped afterwards). A test that only needs SQLite can say:

    @pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)

Fixtures:
    settings      Settings with DATA_DIR in tmp_path (env vars set, cache cleared,
                  so get_settings() anywhere returns the same object)
    app           the FastAPI app, lifespan entered (migrations applied)
    client        httpx.AsyncClient, not signed in
    make_client   () -> a new AsyncClient on the same app
    register      (client, email=None, password=PASSWORD, name="") -> {user, access_token};
                  the client keeps the session cookie
    user_client   a signed-in client; `.user` (dict) and `.token` set on it
    other_client  another signed-in user
    notebook      a notebook (dict) owned by user_client
    db            an AsyncSession on the app's database (for direct assertions)
    sample_files  builders of real files: .pdf(pages) .docx(paragraphs, table=None)
                  .xlsx(sheets) .csv() .txt() .md() -> bytes
    upload        (client, notebook_id, filename, data, content_type=...) -> httpx.Response
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from types import SimpleNamespace

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from app.core.config import Settings, get_settings
from app.main import create_app

PASSWORD = "correct horse battery staple"


# --- database backends ----------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def db_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("TEST_POSTGRES_URL not set")
    return request.param


@pytest.fixture
async def database_url(db_backend: str, tmp_path):
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    import asyncpg

    url = make_url(os.environ["TEST_POSTGRES_URL"])
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"kl_test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
def settings(tmp_path, database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# --- app and clients ------------------------------------------------------------


@pytest.fixture
async def app(settings: Settings):
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def make_client(app):
    clients: list[AsyncClient] = []

    def _make() -> AsyncClient:
        client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        return client

    yield _make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client) -> AsyncClient:
    return make_client()


@pytest.fixture
def register():
    async def _register(
        client: AsyncClient, email: str | None = None, password: str = PASSWORD, name: str = ""
    ) -> dict:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        response = await client.post(
            "/api/auth/register", json={"email": email, "password": password, "name": name}
        )
        assert response.status_code == 201, response.text
        return response.json()

    return _register


async def _signed_in(make_client, register) -> AsyncClient:
    client = make_client()
    body = await register(client)
    client.user = body["user"]
    client.token = body["access_token"]
    return client


@pytest.fixture
async def user_client(make_client, register) -> AsyncClient:
    return await _signed_in(make_client, register)


@pytest.fixture
async def other_client(make_client, register) -> AsyncClient:
    return await _signed_in(make_client, register)


@pytest.fixture
async def notebook(user_client: AsyncClient) -> dict:
    response = await user_client.post("/api/notebooks", json={"title": "Biology 101"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def db(app):
    async with app.state.db.sessionmaker() as session:
        yield session


@pytest.fixture
def upload():
    async def _upload(
        client: AsyncClient,
        notebook_id: str,
        filename: str,
        data: bytes,
        content_type: str = "application/octet-stream",
    ):
        return await client.post(
            f"/api/notebooks/{notebook_id}/materials", files={"file": (filename, data, content_type)}
        )

    return _upload


# --- real sample files ------------------------------------------------------------


def make_pdf(pages: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def make_docx(paragraphs: list[str], heading: str | None = None, table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_csv(rows: list[list[object]] | None = None) -> bytes:
    rows = rows or [["region", "month", "sales"], ["North", "Jan", 120], ["South", "Jan", 95]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def sample_files() -> SimpleNamespace:
    return SimpleNamespace(
        pdf=make_pdf,
        docx=make_docx,
        xlsx=make_xlsx,
        csv=make_csv,
        txt=lambda text="Photosynthesis turns light into chemical energy.\n": text.encode(),
        md=lambda text="# Cells\n\nThe cell is the unit of life.\n": text.encode(),
    )
