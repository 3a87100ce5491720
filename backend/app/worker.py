"""The background-job worker: `python -m app.worker` (PostgreSQL deployments).

Runs material indexing and podcast synthesis from the procrastinate queue in
DATABASE_URL, JOB_WORKER_CONCURRENCY jobs at a time, until SIGINT/SIGTERM
(running jobs get a grace period to finish). Start as many as the load needs,
on any host that shares DATA_DIR and reaches the database and CHROMA_HOST; set
RUN_JOB_WORKER=false on the API replicas so they only enqueue. With SQLite the
API process runs the jobs itself and no worker is needed.

`procrastinate --app=app.worker.procrastinate_app shell` inspects the queue
(list_jobs, retry, cancel).
"""

from __future__ import annotations

import asyncio
import logging

from app.core.config import get_settings
from app.core.database import Database
from app.services.jobs.queue import PostgresQueue, build_procrastinate_app, job_queue

log = logging.getLogger("keplerlab.worker")


async def run_worker() -> None:
    settings = get_settings()
    if settings.is_sqlite:
        raise SystemExit("app.worker needs a PostgreSQL DATABASE_URL; with SQLite the API runs jobs itself")
    for path in (settings.DATA_DIR, settings.podcasts_output_path):
        path.mkdir(parents=True, exist_ok=True)
    db = Database(settings.DATABASE_URL, settings)
    try:
        await db.upgrade()  # the app's tables (the jobs read and write them), idempotent
        async with job_queue(settings, db, run_worker=False) as queue:
            assert isinstance(queue, PostgresQueue)
            sweep = asyncio.create_task(queue.sweep_stalled())
            log.info("worker ready (concurrency %d)", settings.JOB_WORKER_CONCURRENCY)
            try:
                await queue.work(install_signal_handlers=True)
            finally:
                sweep.cancel()
    finally:
        await db.dispose()


def __getattr__(name: str):
    """`procrastinate_app` for procrastinate's CLI, built on first access."""
    if name == "procrastinate_app":
        import app.services.jobs.tasks  # noqa: F401

        return build_procrastinate_app(get_settings().DATABASE_URL)
    raise AttributeError(name)


if __name__ == "__main__":
    logging.basicConfig(level=get_settings().LOG_LEVEL.upper(), format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker())
