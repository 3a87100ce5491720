"""Agent fixtures: an app whose chat model a test may script, a chat session,
uploaded data, and the browser stand-in."""

from __future__ import annotations

import csv
import io
from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient

from app.main import create_app
from app.services.llm.scripted import ScriptedChatModel
from tests.agent.browser_harness import BrowserHarness

SALES_ROWS = [
    ("2024-01-05", "North", "Widget", 120, 10.5, 4),
    ("2024-01-12", "South", "Gadget", 80, 25.0, 7),
    ("2024-02-03", "East", "Widget", 150, 10.5, 3),
    ("2024-02-17", "West", "Gizmo", 40, 99.0, 12),
    ("2024-03-02", "North", "Gadget", 95, 25.0, 6),
    ("2024-03-21", "South", "Widget", 130, 10.5, 5),
    ("2024-04-08", "East", "Gizmo", 55, 99.0, 9),
    ("2024-04-30", "West", "Widget", 160, 10.5, 2),
    ("2024-05-14", "North", "Gizmo", 35, 99.0, 15),
    ("2024-05-29", "South", "Gadget", 110, 25.0, 8),
    ("2024-06-11", "East", "Gadget", 70, 25.0, 6),
    ("2024-06-25", "West", "Gizmo", 60, 99.0, 11),
]


def sales_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "region", "product", "units", "price", "returns"])
    writer.writerows(SALES_ROWS)
    return buffer.getvalue().encode()


@pytest.fixture
def scripted_app(settings):
    """`async with scripted_app(script) as app:` — an app whose model answers from `script`
    (unscripted tasks fall back to the offline model)."""

    @asynccontextmanager
    async def _make(script: dict | None = None, model=None):
        application = create_app(settings)
        chosen = model or ScriptedChatModel(script=script or {})
        application.state.llm_factory = lambda *args, **kwargs: chosen
        async with application.router.lifespan_context(application):
            application.state.scripted_model = chosen
            yield application

    return _make


async def signed_in_client(app, register) -> AsyncClient:
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    body = await register(client)
    client.user = body["user"]
    return client


async def new_session(client: AsyncClient, title: str = "Data") -> tuple[dict, dict]:
    notebook = (await client.post("/api/notebooks", json={"title": title})).json()
    response = await client.post(f"/api/notebooks/{notebook['id']}/sessions", json={"title": "New chat"})
    assert response.status_code == 201, response.text
    return notebook, response.json()


async def upload_material(client: AsyncClient, notebook_id: str, name: str, data: bytes) -> dict:
    response = await client.post(f"/api/notebooks/{notebook_id}/materials", files={"file": (name, data, "text/csv")})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def agent_env(app, register, tmp_path):
    """A signed-in user with a notebook, a chat session, sales.csv uploaded, and a harness."""
    client = await signed_in_client(app, register)
    notebook, session = await new_session(client)
    material = await upload_material(client, notebook["id"], "sales.csv", sales_csv())
    harness = BrowserHarness(client, session["id"], tmp_path)
    yield type("AgentEnv", (), {"client": client, "notebook": notebook, "session": session,
                                "material": material, "harness": harness, "app": app})
    await client.aclose()
