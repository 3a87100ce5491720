"""The passages flashcards and quizzes are written from.

Materials are read from their extracted text and chunked the same way as for
retrieval (so a card's location reads like a chat citation); a long selection
is sampled evenly so the prompt stays bounded. Errors are `StudyInputError`
with the status and message the route returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Material, Notebook, User
from app.services.rag.chunking import Chunk, chunk_material_text
from app.services.study.key_facts import normalise
from app.services.study.page_furniture import remove_page_furniture

MAX_PASSAGES = 40


class StudyInputError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


@dataclass(frozen=True)
class Source:
    index: int  # 1-based, the number the model cites
    chunk: Chunk
    material: Material

    def as_context(self) -> dict:
        return {
            "index": self.index,
            "material": self.material.filename,
            "location": self.chunk.location,
            "text": self.chunk.text,
        }


async def selected_materials(
    db: AsyncSession, user: User, notebook: Notebook, material_ids: Sequence[str] | None
) -> list[Material]:
    """The notebook's materials, or the selected ones (404 if one is not in the notebook)."""
    query = select(Material).where(Material.notebook_id == notebook.id, Material.user_id == user.id)
    materials = list(await db.scalars(query.order_by(Material.created_at)))
    if material_ids:
        by_id = {m.id: m for m in materials}
        missing = [i for i in material_ids if i not in by_id]
        if missing:
            raise StudyInputError(404, f"Material not found: {missing[0]}")
        materials = [by_id[i] for i in dict.fromkeys(material_ids)]
    if not materials:
        raise StudyInputError(
            400, "This notebook has no materials yet. Upload a document first, then try again."
        )
    return materials


def _read_chunks(materials: Sequence[Material]) -> list[tuple[Chunk, Material]]:
    out = []
    for material in materials:
        try:
            text = remove_page_furniture(Path(material.text_path).read_text(encoding="utf-8"))
        except OSError:
            continue
        out.extend((c, material) for c in chunk_material_text(material.id, text, material.ext))
    return out


async def study_sources(materials: Sequence[Material], limit: int = MAX_PASSAGES) -> list[Source]:
    chunks = await asyncio.to_thread(_read_chunks, materials)
    chunks = [(c, m) for c, m in chunks if len(c.text.split()) >= 8]
    if not chunks:
        raise StudyInputError(422, "The selected materials contain no text to study from.")
    if len(chunks) > limit:  # sampled evenly within each material, every material kept
        by_material: dict[str, list[tuple[Chunk, Material]]] = {}
        for item in chunks:
            by_material.setdefault(item[1].id, []).append(item)
        share = max(1, limit // len(by_material))
        sampled = []
        for items in by_material.values():
            step = max(1.0, len(items) / share)
            sampled.extend(items[int(i * step)] for i in range(min(share, len(items))))
        chunks = sampled[:max(limit, len(by_material))]
    return [Source(i, c, m) for i, (c, m) in enumerate(chunks, start=1)]


def source_of(sources: Sequence[Source], index: object) -> Source | None:
    try:
        i = int(index)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return sources[i - 1] if 1 <= i <= len(sources) else None


def find_source(sources: Sequence[Source], text: str) -> Source | None:
    """The first passage containing `text` (for answers whose cited number is wrong)."""
    needle = normalise(text.strip(" ."))
    return next((s for s in sources if needle and needle in normalise(s.chunk.text)), None)
