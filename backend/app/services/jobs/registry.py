"""What a background job is: a named async function with a retry policy and a lock.

    @job("index_material", lock="material:{material_id}", retries=2)
    async def index_material(ctx: JobContext, *, material_id: str) -> None: ...

Arguments are JSON values (they are stored in the queue). A job must be
idempotent: it can run again after a crash or a retry. `ctx.final_attempt`
tells it whether a failure now is the last word (record it on the row) or
will be retried (leave the row as it is and raise). `requeue`, when given,
lists the argument sets of this job's unfinished work found in the database;
the in-process engine queues them again at start-up (a stopped server's jobs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.core.config import Settings
from app.core.database import Database


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    attempt: int = 0  # 0 on the first run
    final_attempt: bool = True


JobFunction = Callable[..., Awaitable[None]]
RequeueFunction = Callable[[JobContext], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunction
    lock: str  # format string over the job's arguments: one job per lock runs at a time
    retries: int  # runs after the first one, on an exception
    retry_wait: int  # seconds between runs
    requeue: RequeueFunction | None = None

    def lock_for(self, args: dict[str, Any]) -> str:
        return self.lock.format(**args)


JOB_SPECS: dict[str, JobSpec] = {}


def job(
    name: str, *, lock: str, retries: int = 2, retry_wait: int = 2, requeue: RequeueFunction | None = None
) -> Callable[[JobFunction], JobFunction]:
    def register(func: JobFunction) -> JobFunction:
        JOB_SPECS[name] = JobSpec(name, func, lock, retries, retry_wait, requeue)
        return func

    return register
