"""Chunk vectors in Chroma: one collection per notebook.

Embedded `PersistentClient(CHROMA_PATH)` by default, `HttpClient(CHROMA_HOST,
CHROMA_PORT)` when a host is configured; telemetry off. Collections are
created with `embedding_function=None` and every write and query passes its
own vectors, so Chroma's default embedder (which downloads an ONNX model)
never runs. All calls block: run them in a worker thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.config import Settings, get_settings
from app.services.rag.chunking import Chunk

_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    material_id: str
    ordinal: int
    text: str
    location: str
    heading: str
    page: int | None

    @property
    def search_text(self) -> str:
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    @classmethod
    def from_record(cls, chunk_id: str, document: str, meta: dict[str, Any]) -> StoredChunk:
        page = meta.get("page")
        return cls(
            id=chunk_id,
            material_id=str(meta.get("material_id", "")),
            ordinal=int(meta.get("ordinal", 0)),
            text=document or "",
            location=str(meta.get("location", "")),
            heading=str(meta.get("heading", "")),
            page=int(page) if page is not None else None,
        )


def collection_name(notebook_id: str) -> str:
    return f"notebook-{notebook_id}"


def _client_key(settings: Settings) -> tuple:
    if settings.CHROMA_HOST:
        return ("http", settings.CHROMA_HOST, settings.CHROMA_PORT)
    return ("path", str(settings.CHROMA_PATH))


def get_client(settings: Settings | None = None) -> Any:
    """The process-wide Chroma client for these settings."""
    settings = settings or get_settings()
    key = _client_key(settings)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if settings.CHROMA_HOST:
                client = chromadb.HttpClient(
                    host=settings.CHROMA_HOST, port=settings.CHROMA_PORT, settings=chroma_settings
                )
            else:
                path = settings.CHROMA_PATH
                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            _clients[key] = client
        return client


class VectorStore:
    def __init__(self, settings: Settings | None = None) -> None:
        self.client = get_client(settings)

    def _collection(self, notebook_id: str, create: bool = True) -> Any | None:
        name = collection_name(notebook_id)
        if create:
            return self.client.get_or_create_collection(
                name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # chromadb raises NotFoundError / ValueError by version
            return None

    @staticmethod
    def _where(material_ids: Sequence[str] | None) -> dict | None:
        if material_ids is None:
            return None
        ids = list(material_ids)
        if len(ids) == 1:
            return {"material_id": ids[0]}
        return {"material_id": {"$in": ids}}

    def upsert(self, notebook_id: str, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        if not chunks:
            return
        self._collection(notebook_id).upsert(
            ids=[c.id for c in chunks],
            embeddings=[list(e) for e in embeddings],
            documents=[c.text for c in chunks],
            metadatas=[c.metadata() for c in chunks],
        )

    def delete_material(self, notebook_id: str, material_id: str) -> None:
        collection = self._collection(notebook_id, create=False)
        if collection is not None:
            collection.delete(where={"material_id": material_id})

    def delete_notebook(self, notebook_id: str) -> None:
        with contextlib.suppress(Exception):  # absent already
            self.client.delete_collection(collection_name(notebook_id))

    def count(self, notebook_id: str, material_ids: Sequence[str] | None = None) -> int:
        collection = self._collection(notebook_id, create=False)
        if collection is None:
            return 0
        if material_ids is None:
            return collection.count()
        if not material_ids:
            return 0
        return len(collection.get(where=self._where(material_ids), include=[])["ids"])

    def chunks(self, notebook_id: str, material_ids: Sequence[str] | None = None) -> list[StoredChunk]:
        """Every stored chunk of the notebook (or of these materials), in reading order."""
        collection = self._collection(notebook_id, create=False)
        if collection is None or (material_ids is not None and not material_ids):
            return []
        got = collection.get(where=self._where(material_ids), include=["documents", "metadatas"])
        out = [
            StoredChunk.from_record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        out.sort(key=lambda c: (c.material_id, c.ordinal))
        return out

    def embeddings(self, notebook_id: str, chunk_ids: Iterable[str]) -> dict[str, list[float]]:
        ids = list(chunk_ids)
        collection = self._collection(notebook_id, create=False)
        if collection is None or not ids:
            return {}
        got = collection.get(ids=ids, include=["embeddings"])
        return {i: list(e) for i, e in zip(got["ids"], got["embeddings"], strict=True)}

    def nearest(
        self,
        notebook_id: str,
        embedding: Sequence[float],
        n: int,
        material_ids: Sequence[str] | None = None,
    ) -> list[tuple[StoredChunk, float]]:
        """Up to `n` chunks closest to `embedding`, each with its cosine similarity."""
        collection = self._collection(notebook_id, create=False)
        if collection is None or (material_ids is not None and not material_ids):
            return []
        total = collection.count()
        if total == 0:
            return []
        got = collection.query(
            query_embeddings=[list(embedding)],
            n_results=min(n, total),
            where=self._where(material_ids),
            include=["documents", "metadatas", "distances"],
        )
        return [
            (StoredChunk.from_record(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]
