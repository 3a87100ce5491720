"""The persistent LangGraph checkpointer: where a paused run waits.

SQLite (a file beside the app database) by default; PostgreSQL when
DATABASE_URL points there, so any server process can resume any run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from app.core.config import Settings


def postgres_conninfo(database_url: str) -> str:
    """SQLAlchemy's asyncpg URL as a libpq URL for psycopg."""
    scheme, sep, rest = database_url.partition("://")
    return f"postgresql{sep}{rest}" if scheme.startswith("postgresql") else database_url


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    if settings.is_sqlite:
        path = settings.DATA_DIR / "checkpoints.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(path, timeout=30) as conn:
            # WAL + a busy timeout: several server processes may share the file.
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA busy_timeout=30000")
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver
        return
    pool = AsyncConnectionPool(
        postgres_conninfo(settings.DATABASE_URL),
        min_size=1,
        max_size=10,
        open=False,
        # Checked before each use: after a database restart the pooled connections are
        # dead, and the next turn gets a fresh one instead of failing.
        check=AsyncConnectionPool.check_connection,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    await pool.open()
    try:
        saver = AsyncPostgresSaver(pool)
        # Two processes starting at once would race on CREATE TABLE: serialise setup.
        async with pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(4242001)")
            try:
                await saver.setup()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(4242001)")
        yield saver
    finally:
        await pool.close()
