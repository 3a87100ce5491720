"""Fixtures for podcast and presentation tests: a short real material (three headed
sections, ~100 words, so a podcast is well under a minute) uploaded as a user."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

MATERIAL = Path(__file__).with_name("photosynthesis.txt")
SECTION_TITLES = ["Photosynthesis", "Light Reactions", "The Calvin Cycle"]


@pytest.fixture
def material_text() -> str:
    return MATERIAL.read_text(encoding="utf-8")


@pytest.fixture
async def material(user_client, notebook, upload, material_text) -> dict:
    response = await upload(
        user_client, notebook["id"], "photosynthesis.txt", material_text.encode(), "text/plain"
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def wait_for_podcast():
    async def _wait(client, podcast_id: str, timeout: float = 90) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        seen = []
        while True:
            response = await client.get(f"/api/podcasts/{podcast_id}")
            assert response.status_code == 200, response.text
            body = response.json()
            seen.append(body["progress"])
            if body["status"] in ("ready", "failed"):
                body["_progress_seen"] = seen
                return body
            assert asyncio.get_running_loop().time() < deadline, f"podcast still {body['status']}"
            await asyncio.sleep(0.1)

    return _wait
