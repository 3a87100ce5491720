"""Deleting a notebook removes its podcast audio and slide decks from disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Podcast, Presentation

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def test_deleting_a_notebook_removes_its_audio_and_decks(user_client, notebook, material, wait_for_podcast,
                                                               db):
    deck = await user_client.post(f"/api/notebooks/{notebook['id']}/presentations", json={})
    assert deck.status_code == 201, deck.text
    podcast = await user_client.post(f"/api/notebooks/{notebook['id']}/podcasts", json={})
    assert (await wait_for_podcast(user_client, podcast.json()["id"]))["status"] == "ready"
    deck_path = Path((await db.scalars(select(Presentation.file_path))).one())
    audio_path = Path((await db.scalars(select(Podcast.audio_path))).one())
    assert deck_path.is_file() and audio_path.is_file()

    assert (await user_client.delete(f"/api/notebooks/{notebook['id']}")).status_code == 204
    assert not deck_path.exists() and not audio_path.exists()
