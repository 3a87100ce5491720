"""Engine, sessions and migrations.

`create_app()` builds one `Database` per app and keeps it on `app.state.db`;
routes get an `AsyncSession` through the `get_session` dependency
(`SessionDep` in app.core.deps). Code outside a request (e.g. an SSE stream
that outlives its handler) opens its own: `async with db.sessionmaker() as s:`
where `db = request.app.state.db`.

SQLite allows one writer at a time. Left to its busy handler, fifty concurrent
writers poll for the file lock while each holds a pooled connection, and some
give up ("database is locked") or starve the pool ("QueuePool limit"). So
writes within a process take one asyncio lock per engine first: from a
transaction's first INSERT/UPDATE/DELETE until its connection goes back to the
pool. `begin_write(session, key)` takes it (on PostgreSQL: an advisory lock on
`key`) before a read whose result the write depends on.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from fastapi import Request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from app.core.config import Settings, get_settings

BACKEND_DIR = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = BACKEND_DIR / "migrations"


class Database:
    def __init__(self, url: str, settings: Settings | None = None) -> None:
        self.url = url
        self.engine: AsyncEngine = _create_engine(url, settings or get_settings())
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    async def upgrade(self) -> None:
        """Apply every Alembic revision up to head (idempotent)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_to_head)

    async def dispose(self) -> None:
        await self.engine.dispose()


SQLITE_BUSY_TIMEOUT_S = 30  # another process's writer (a second server on the same file)
SQLITE_WRITER_WAIT_S = 60  # this process's writers queue on the lock, in order
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_writer_locks: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def _create_engine(url: str, settings: Settings) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Readers run side by side (WAL); writers queue on the lock holding a
        # connection each, so the pool is wide and waits as long as a writer may.
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, pool_size=20,
                                     max_overflow=40, pool_timeout=SQLITE_WRITER_WAIT_S)
        _serialise_writes(engine.sync_engine)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE needs it
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL's recommended setting: durable at checkpoints
            cur.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=settings.DB_POOL_SIZE,
                               max_overflow=settings.DB_MAX_OVERFLOW, pool_timeout=settings.DB_POOL_TIMEOUT)


def _serialise_writes(engine: Engine) -> None:
    lock = _writer_locks.setdefault(engine, asyncio.Lock())

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            _take_writer_lock(conn)

    @event.listens_for(engine, "checkin")
    def _release(_dbapi_conn, record) -> None:  # noqa: ANN001
        # Back in the pool means committed or rolled back: the file lock is free too.
        if record.info.pop("writer", False):
            lock.release()

    @event.listens_for(engine, "invalidate")
    def _release_invalid(_dbapi_conn, record, _exc) -> None:  # noqa: ANN001
        if record.info.pop("writer", False):
            lock.release()


def _take_writer_lock(conn: Connection) -> None:
    """Runs inside SQLAlchemy's greenlet (a statement or run_sync), so it can await."""
    lock = _writer_locks.get(conn.engine)
    if lock is None or conn.info.get("writer"):
        return
    await_only(asyncio.wait_for(lock.acquire(), SQLITE_WRITER_WAIT_S))
    conn.info["writer"] = True


async def begin_write(session: AsyncSession, key: str) -> None:
    """Serialise this transaction with other writers of `key` from here to its end:
    for a read that decides the write (e.g. choosing a free name). SQLite: the
    process's writer lock; PostgreSQL: a transaction-scoped advisory lock on `key`."""
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:
        await conn.run_sync(_take_writer_lock)


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade_to_head(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        yield session
