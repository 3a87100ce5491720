"""The PostgreSQL pool is sized by settings (replicas x pool must fit max_connections)."""

from __future__ import annotations

from app.core.config import Settings
from app.core.database import Database


async def test_postgres_pool_size_overflow_and_timeout_come_from_settings():
    settings = Settings(SECRET_KEY="k", DB_POOL_SIZE=7, DB_MAX_OVERFLOW=3, DB_POOL_TIMEOUT=4.5)
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing", settings)  # no connection is made
    try:
        pool = db.engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow, pool.timeout()) == (7, 3, 4.5)
    finally:
        await db.dispose()
