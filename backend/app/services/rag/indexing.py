"""Blocking core of ingestion: chunk a text, embed it in batches, store it.

Runs in a worker thread (`ingestion.ingest_material` schedules it). Indexing
is idempotent: the material's old vectors are removed first and chunk ids are
deterministic, so indexing the same text twice leaves the same vectors.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.config import Settings
from app.services.rag.chunking import Chunk, chunk_material_text
from app.services.rag.embeddings import embed_texts
from app.services.rag.vector_store import VectorStore

EMBED_BATCH = 32

ProgressCallback = Callable[[int, int], None]  # (chunks_done, chunks_total)


def index_text(
    notebook_id: str,
    material_id: str,
    text: str,
    ext: str = "",
    *,
    settings: Settings | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[Chunk]:
    """Replace the material's vectors with those of `text`; returns the chunks."""
    store = VectorStore(settings)
    chunks = chunk_material_text(material_id, text, ext)
    store.delete_material(notebook_id, material_id)
    total = len(chunks)
    if on_progress:
        on_progress(0, total)
    for start in range(0, total, EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        store.upsert(notebook_id, batch, embed_texts([c.search_text for c in batch]))
        if on_progress:
            on_progress(start + len(batch), total)
    return chunks


def remove_material(notebook_id: str, material_id: str, *, settings: Settings | None = None) -> None:
    VectorStore(settings).delete_material(notebook_id, material_id)
