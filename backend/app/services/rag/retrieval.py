"""Hybrid retrieval over a notebook's chunks: dense cosine + BM25, one score.

`search` (blocking) and `retrieve` (async, runs `search` in a worker thread)
return passages best first. `is_answerable` is the relevance threshold that
lets the RAG answer say "the materials do not cover this" instead of
inventing; the numbers are tuned with `bench/retrieval_bench.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.config import Settings
from app.services.rag.embeddings import embed_query
from app.services.rag.keywords import bm25_scores, coverage
from app.services.rag.vector_store import StoredChunk, VectorStore

DENSE_WEIGHT = 0.65
DENSE_CANDIDATES = 30
KEYWORD_CANDIDATES = 30
# A passage answers the question if it is semantically close, or fairly close
# and shares most of the question's content words.
MIN_DENSE = 0.45
MIN_DENSE_WITH_TERMS = 0.25
MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class Passage:
    chunk: StoredChunk
    dense: float  # cosine similarity to the question
    keyword: float  # BM25 scaled to 0..1 within the notebook
    coverage: float  # share of the question's content terms present
    score: float


def _is_relevant(p: Passage) -> bool:
    return p.dense >= MIN_DENSE or (p.dense >= MIN_DENSE_WITH_TERMS and p.coverage >= MIN_COVERAGE)


def is_answerable(passages: Sequence[Passage]) -> bool:
    return any(_is_relevant(p) for p in passages)


def relevant(passages: Sequence[Passage]) -> list[Passage]:
    return [p for p in passages if _is_relevant(p)]


def search(
    notebook_id: str,
    question: str,
    *,
    k: int = 5,
    material_ids: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> list[Passage]:
    """The `k` best passages for `question` (blocking)."""
    store = VectorStore(settings)
    query_vector = embed_query(question)
    dense = {c.id: (c, sim) for c, sim in store.nearest(notebook_id, query_vector, DENSE_CANDIDATES, material_ids)}
    if not dense:
        return []

    everything = store.chunks(notebook_id, material_ids)
    bm25 = bm25_scores(question, [c.search_text for c in everything])
    top_bm25 = max(bm25, default=0.0) or 1.0
    keyword = {c.id: s / top_bm25 for c, s in zip(everything, bm25, strict=True)}
    by_id = {c.id: c for c in everything}

    keyword_ids = sorted(keyword, key=keyword.get, reverse=True)[:KEYWORD_CANDIDATES]
    missing = [i for i in keyword_ids if i not in dense and keyword[i] > 0]
    if missing:
        vectors = store.embeddings(notebook_id, missing)
        for chunk_id, vector in vectors.items():
            sim = sum(a * b for a, b in zip(query_vector, vector, strict=True))
            dense[chunk_id] = (by_id[chunk_id], sim)

    passages = []
    for chunk_id, (chunk, sim) in dense.items():
        kw = keyword.get(chunk_id, 0.0)
        passages.append(
            Passage(
                chunk=chunk,
                dense=sim,
                keyword=kw,
                coverage=coverage(question, chunk.search_text),
                score=DENSE_WEIGHT * sim + (1 - DENSE_WEIGHT) * kw,
            )
        )
    passages.sort(key=lambda p: p.score, reverse=True)
    return passages[:k]


async def retrieve(
    notebook_id: str,
    question: str,
    *,
    k: int = 5,
    material_ids: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> list[Passage]:
    return await asyncio.to_thread(
        search, notebook_id, question, k=k, material_ids=material_ids, settings=settings
    )


def spread_chunks(chunks: Sequence[StoredChunk], limit: int) -> list[StoredChunk]:
    """Up to `limit` chunks taken in turn from each material (reading order within one),
    so every material of the selection is represented."""
    by_material: dict[str, list[StoredChunk]] = {}
    for chunk in chunks:
        by_material.setdefault(chunk.material_id, []).append(chunk)
    queues = []
    for items in by_material.values():
        step = max(1, len(items) // max(1, -(-limit // max(1, len(by_material)))))
        queues.append(items[::step])
    out: list[StoredChunk] = []
    while len(out) < limit and any(queues):
        for queue in queues:
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out


def overview(notebook_id: str, material_ids: Sequence[str] | None, limit: int,
             settings: Settings | None = None) -> list[Passage]:
    """Passages for a summary of the materials themselves (no question to rank by)."""
    chunks = spread_chunks(VectorStore(settings).chunks(notebook_id, material_ids), limit)
    return [Passage(chunk=c, dense=1.0, keyword=0.0, coverage=0.0, score=1.0) for c in chunks]


async def overview_passages(notebook_id: str, material_ids: Sequence[str] | None, limit: int, *,
                            settings: Settings | None = None) -> list[Passage]:
    return await asyncio.to_thread(overview, notebook_id, material_ids, limit, settings)
