"""Alembic environment.

At start-up the app runs migrations on its own connection
(`app.core.database.Database.upgrade`, which passes it in
`config.attributes["connection"]`). From the command line
(`alembic upgrade head`, `alembic revision --autogenerate -m ...`, run from
the repo root) the URL comes from `sqlalchemy.url` or the app settings.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.models.base import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from app.core.config import get_settings

    return get_settings().DATABASE_URL


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write UTCDateTime as a plain sa.DateTime(timezone=True) in revisions."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Only our tables: others share the database (LangGraph's checkpoint tables)
    and autogenerate must not propose dropping them."""
    return type_ != "table" or name in target_metadata.tables


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as conn:
        await conn.run_sync(_configure_and_run)
        await conn.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
