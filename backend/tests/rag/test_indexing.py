"""Ingestion: upload indexes in the background, delete drops vectors, re-indexing is idempotent."""

from __future__ import annotations

import pytest

from app.models import Material
from app.services.rag.ingestion import ingest_material, wait_for_indexing
from app.services.rag.vector_store import VectorStore

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def test_upload_indexes_the_material_and_reports_progress(user_client, course_notebook, settings):
    await wait_for_indexing()
    status = (await user_client.get(f"/api/materials/{course_notebook['pdf']['id']}/index")).json()
    assert status["status"] == "ready"
    assert status["chunks_total"] == status["chunks_done"] > 0
    stored = VectorStore(settings).chunks(course_notebook["id"], [course_notebook["pdf"]["id"]])
    assert {c.page for c in stored} == {1, 2, 3}
    assert len(stored) == status["chunks_total"]


async def test_index_status_of_someone_elses_material_is_404(other_client, course_notebook):
    response = await other_client.get(f"/api/materials/{course_notebook['pdf']['id']}/index")
    assert response.status_code == 404


async def test_deleting_a_material_deletes_its_vectors(user_client, course_notebook, settings):
    await wait_for_indexing()
    store = VectorStore(settings)
    pdf_id, md_id = course_notebook["pdf"]["id"], course_notebook["md"]["id"]
    assert store.count(course_notebook["id"], [pdf_id]) > 0
    response = await user_client.delete(f"/api/materials/{pdf_id}")
    assert response.status_code == 204
    assert store.count(course_notebook["id"], [pdf_id]) == 0
    assert store.count(course_notebook["id"], [md_id]) > 0


async def test_indexing_again_leaves_the_same_vectors(course_notebook, settings, db):
    await wait_for_indexing()
    material = await db.get(Material, course_notebook["md"]["id"])
    store = VectorStore(settings)
    before = [c.id for c in store.chunks(course_notebook["id"], [material.id])]
    state = await ingest_material(material, settings)
    after = [c.id for c in store.chunks(course_notebook["id"], [material.id])]
    assert state.status == "ready" and state.chunks_total == len(before)
    assert after == before and before[0] == f"{material.id}:0"
