"""The material text a podcast or a slide deck is written from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Material, User
from app.services.study.page_furniture import remove_page_furniture

# What a model is shown at most, over all selected materials (about 6k tokens).
MAX_CONTEXT_CHARS = 24_000


@dataclass(frozen=True)
class SourceText:
    material_id: str
    name: str
    text: str

    def as_context(self) -> dict[str, str]:
        return {"name": self.name, "text": self.text}


async def load_sources(
    db: AsyncSession, user: User, notebook_id: str, material_ids: list[str] | None
) -> list[SourceText]:
    """The extracted text of the chosen materials (all of the notebook's when none are
    chosen), shared fairly within MAX_CONTEXT_CHARS.

    A chosen id that is not a material of this notebook owned by `user` is a 404;
    no readable text at all is a 422.
    """
    query = select(Material).where(Material.notebook_id == notebook_id, Material.user_id == user.id)
    if material_ids:
        query = query.where(Material.id.in_(material_ids))
    materials = list((await db.scalars(query.order_by(Material.created_at))).all())
    if material_ids:
        missing = set(material_ids) - {m.id for m in materials}
        if missing:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Material not found")
    texts = []
    for m in materials:
        try:
            text = remove_page_furniture(
                Path(m.text_path).read_text(encoding="utf-8", errors="replace"), keep_markers=False).strip()
        except OSError:
            text = ""
        if text:
            texts.append(SourceText(m.id, m.filename, text))
    if not texts:
        raise HTTPException(
            422, detail="The selected materials have no readable text"
        )
    share = MAX_CONTEXT_CHARS // len(texts)
    return [SourceText(t.material_id, t.name, t.text[:share]) for t in texts]
