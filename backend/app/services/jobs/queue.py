"""The two engines behind `enqueue(name, **args)`, chosen by DATABASE_URL.

- PostgreSQL: procrastinate. A job is a row of `procrastinate_jobs` in the
  app's own database (no other service); any worker takes it: a dedicated
  `python -m app.worker`, or the API process itself when RUN_JOB_WORKER.
  LISTEN/NOTIFY wakes a worker at once. A failing job is retried
  `spec.retries` times; a job whose worker died (no heartbeat for
  JOB_STALLED_AFTER seconds) is put back by the sweep every worker runs, so a
  restarted replica or worker loses nothing. `queueing_lock` keeps one waiting
  job per lock, `lock` runs one at a time. Visibility: `procrastinate
  --app=app.worker.procrastinate_app shell` (list_jobs, retry, cancel) or the
  table itself (status, attempts, worker).
- SQLite (the embedded default): the same job functions run as asyncio tasks
  of the API process with the same retry policy; at start-up each job kind's
  `requeue` lists the work a stopped server left unfinished, and it is queued
  again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.database import Database
from app.services.jobs.registry import JOB_SPECS, JobContext, JobSpec

log = logging.getLogger(__name__)

SCHEMA_LOCK_KEY = 0x4B504C4A  # pg advisory lock: one process applies procrastinate's schema
SHUTDOWN_GRACE = 60  # seconds a stopping worker lets its running jobs finish


class LocalQueue:
    """In-process engine: one asyncio task per lock, retried with `spec.retry_wait` pauses."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.tasks: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        for spec in JOB_SPECS.values():
            if spec.requeue is None:
                continue
            for args in await spec.requeue(JobContext(self.settings, self.db)):
                log.info("re-queueing unfinished %s %s", spec.name, args)
                await self.enqueue(spec.name, args)

    async def enqueue(self, name: str, args: dict[str, Any]) -> None:
        spec = JOB_SPECS[name]
        key = spec.lock_for(args)
        running = self.tasks.get(key)
        if running is not None and not running.done():
            return  # that work is already queued or running
        task = asyncio.get_running_loop().create_task(self._run(spec, args), name=f"job {key}")
        self.tasks[key] = task
        task.add_done_callback(lambda t, k=key: self.tasks.pop(k, None) if self.tasks.get(k) is t else None)

    async def _run(self, spec: JobSpec, args: dict[str, Any]) -> None:
        for attempt in range(spec.retries + 1):
            final = attempt == spec.retries
            try:
                await spec.func(JobContext(self.settings, self.db, attempt, final), **args)
                return
            except Exception:
                log.exception("job %s %s failed (attempt %d of %d)", spec.name, args, attempt + 1, spec.retries + 1)
                if final:
                    return
            await asyncio.sleep(spec.retry_wait)

    async def wait(self, lock: str | None = None) -> None:
        """Wait for the running jobs (of one lock, or all)."""
        loop = asyncio.get_running_loop()
        pending = [
            t for k, t in list(self.tasks.items())
            if (lock is None or k == lock) and t.get_loop() is loop and not t.done()
        ]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await self.wait()


def psycopg_conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy `postgresql+asyncpg://` URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_procrastinate_app(database_url: str, *, pool_size: int = 4) -> Any:
    """A procrastinate App on this database, every registered job declared as its task."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=psycopg_conninfo(database_url), min_size=1, max_size=pool_size
        )
    )
    for spec in JOB_SPECS.values():
        app.task(
            name=spec.name,
            pass_context=True,
            retry=procrastinate.RetryStrategy(max_attempts=spec.retries, wait=spec.retry_wait),
        )(_procrastinate_entry(app, spec))
    return app


def _procrastinate_entry(app: Any, spec: JobSpec):
    async def run(context: Any, **args: Any) -> None:
        queue: PostgresQueue = context.additional_context["queue"]
        attempt = context.job.attempts
        await spec.func(JobContext(queue.settings, queue.db, attempt, attempt >= spec.retries), **args)

    run.__name__ = run.__qualname__ = spec.name
    return run


class PostgresQueue:
    def __init__(self, settings: Settings, db: Database, *, run_worker: bool) -> None:
        self.settings, self.db, self.run_worker = settings, db, run_worker
        self.app = build_procrastinate_app(settings.DATABASE_URL, pool_size=max(4, settings.JOB_WORKER_CONCURRENCY + 2))
        self._side_tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await apply_schema_once(self.db)
        await self.app.open_async()
        if self.run_worker:
            self._side_tasks = [
                asyncio.create_task(self.work(install_signal_handlers=False), name="job worker"),
                asyncio.create_task(self.sweep_stalled(), name="stalled job sweep"),
            ]

    async def work(self, *, install_signal_handlers: bool) -> None:
        """Run jobs until cancelled (or, with signal handlers, until SIGINT/SIGTERM)."""
        stalled = self.settings.JOB_STALLED_AFTER
        await self.app.run_worker_async(
            concurrency=self.settings.JOB_WORKER_CONCURRENCY,
            name=f"keplerlab-{os.getpid()}",
            additional_context={"queue": self},
            install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=max(stalled / 3, 0.5),
            stalled_worker_timeout=stalled,
            shutdown_graceful_timeout=SHUTDOWN_GRACE,
        )

    async def sweep_stalled(self) -> None:
        """Put back the jobs of workers that stopped sending heartbeats (killed, crashed)."""
        stalled = self.settings.JOB_STALLED_AFTER
        while True:
            try:
                for job in await self.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled):
                    log.warning("retrying stalled job %s %s (attempt %d)", job.task_name, job.task_kwargs,
                                job.attempts + 2)
                    with contextlib.suppress(Exception):  # another sweep may have retried it first
                        await self.app.job_manager.retry_job(job)
            except Exception:
                log.exception("stalled job sweep failed")
            await asyncio.sleep(max(stalled / 3, 0.5))

    async def enqueue(self, name: str, args: dict[str, Any]) -> None:
        from procrastinate.exceptions import AlreadyEnqueued

        lock = JOB_SPECS[name].lock_for(args)
        with contextlib.suppress(AlreadyEnqueued):  # that work is already waiting for a worker
            await self.app.configure_task(name, lock=lock, queueing_lock=lock).defer_async(**args)

    async def wait(self, lock: str | None = None) -> None:
        return None  # other processes run the jobs: state is read from the database

    async def stop(self) -> None:
        for task in self._side_tasks:
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        await self.app.close_async()


async def apply_schema_once(db: Database) -> None:
    """Create procrastinate's tables and functions if this database has none yet
    (under an advisory lock: replicas starting together apply it once)."""
    from procrastinate.schema import SchemaManager

    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection  # asyncpg: multi-statement scripts
        async with raw.transaction():
            await raw.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
            if await raw.fetchval("SELECT to_regclass('procrastinate_jobs')") is None:
                await raw.execute(SchemaManager.get_schema())
                log.info("applied the procrastinate schema")


_queue: LocalQueue | PostgresQueue | None = None


def current_queue() -> LocalQueue | PostgresQueue:
    if _queue is None:
        raise RuntimeError("no job queue is running (app lifespan or app.worker not started)")
    return _queue


@contextlib.asynccontextmanager
async def job_queue(settings: Settings, db: Database, *, run_worker: bool | None = None) -> AsyncIterator[
    LocalQueue | PostgresQueue
]:
    """The queue of this process for as long as the block runs (the app's lifespan,
    the worker's main). `run_worker` defaults to RUN_JOB_WORKER."""
    global _queue
    import app.services.jobs.tasks  # noqa: F401  (registers every job)

    run_worker = settings.RUN_JOB_WORKER if run_worker is None else run_worker
    if settings.is_sqlite:
        if not run_worker:
            log.warning("RUN_JOB_WORKER=false has no effect with SQLite: jobs run in this process")
        queue: LocalQueue | PostgresQueue = LocalQueue(settings, db)
    else:
        queue = PostgresQueue(settings, db, run_worker=run_worker)
    await queue.start()
    previous, _queue = _queue, queue
    try:
        yield queue
    finally:
        _queue = previous
        await queue.stop()


async def enqueue(name: str, **args: Any) -> None:
    """Queue job `name` with these JSON arguments (a duplicate of waiting work is dropped)."""
    await current_queue().enqueue(name, args)


async def wait_for_local_jobs(lock: str | None = None) -> None:
    """Wait for this process's in-process jobs (tests; deletion waiting for its job)."""
    if _queue is not None:
        await _queue.wait(lock)

