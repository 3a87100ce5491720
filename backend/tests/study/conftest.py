"""Fixtures for RAG tests: the bench corpus as real uploads, and an SSE reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.agent.events import parse_sse
from app.services.rag.ingestion import wait_for_indexing

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def thermodynamics_pages() -> list[str]:
    return fixture_text("thermodynamics_pdf.txt").rstrip("\n").split("\f")


@pytest.fixture(autouse=True)
async def _drain_indexing():
    yield
    await wait_for_indexing()


def parse_stream(body: str) -> list:
    """Events of an SSE body, as the models of app.services.agent.events."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if name:
            events.append(parse_sse(name, "\n".join(data)))
    return events


@pytest.fixture
def ask():
    async def _ask(client, notebook_id: str, question: str, **extra):
        response = await client.post(
            f"/api/notebooks/{notebook_id}/ask", json={"question": question, **extra}
        )
        return response, (parse_stream(response.text) if response.status_code == 200 else [])

    return _ask


@pytest.fixture
async def course_notebook(user_client, notebook, upload, sample_files) -> dict:
    """The notebook with a 3-page PDF (thermodynamics) and a Markdown file (photosynthesis)."""
    pdf = await upload(user_client, notebook["id"], "thermo.pdf", sample_files.pdf(thermodynamics_pages()), "application/pdf")
    assert pdf.status_code == 201, pdf.text
    md = await upload(user_client, notebook["id"], "photosynthesis.md", fixture_text("photosynthesis.md").encode(), "text/markdown")
    assert md.status_code == 201, md.text
    return {**notebook, "pdf": pdf.json(), "md": md.json()}
