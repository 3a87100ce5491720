"""Background jobs (material indexing, podcast synthesis): `enqueue(name, **args)`.

Engines and their guarantees: `queue.py`. Job definitions: `tasks.py`. The
worker process: `python -m app.worker` (backend/app/worker.py).
"""

from app.services.jobs.queue import current_queue, enqueue, job_queue, wait_for_local_jobs
from app.services.jobs.registry import JobContext, job

__all__ = ["JobContext", "current_queue", "enqueue", "job", "job_queue", "wait_for_local_jobs"]
