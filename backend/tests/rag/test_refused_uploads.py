"""A refused upload never reaches indexing: no vectors in Chroma, no material;
the next good upload of the same notebook is indexed as usual."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Material
from app.services.rag.ingestion import wait_for_indexing
from app.services.rag.vector_store import VectorStore
from tests import hostile_files

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def test_refused_uploads_leave_no_vectors(user_client, notebook, upload, settings, db, monkeypatch, sample_files):
    monkeypatch.setattr(settings, "EXTRACTION_TIMEOUT", 0.3)
    bomb = await upload(user_client, notebook["id"], "bomb.docx", hostile_files.docx_bomb(unpacked_mb=24))
    slow = await upload(user_client, notebook["id"], "long.docx", hostile_files.long_docx(paragraphs=150_000))
    assert (bomb.status_code, slow.status_code) == (413, 422), (bomb.text, slow.text)
    await wait_for_indexing()
    assert await db.scalar(select(func.count()).select_from(Material)) == 0
    assert VectorStore(settings).count(notebook["id"]) == 0

    good = await upload(user_client, notebook["id"], "notes.docx", sample_files.docx(["Osmosis moves water."]))
    assert good.status_code == 201, good.text
    await wait_for_indexing()
    assert VectorStore(settings).count(notebook["id"]) > 0
