"""Sign-in and registration throttling, counted in the database.

Counts live in the `auth_attempts` table, not in process memory, so N API
replicas behind a proxy share them (a per-replica counter would multiply every
limit by N). Keys:

- "login-account:<email>"   failed sign-ins for one email, known or not (same
                            answer either way: no account enumeration)
- "login-address:<ip>"      failed sign-ins from one client address
- "register-address:<ip>"   registration attempts from one client address

A sign-in attempt is recorded *before* the password is checked (and removed
again when it succeeds), so a burst of parallel guesses is counted at once
instead of each one passing the check while the others are still hashing.
A success clears the account's failures, never the address's (one valid
account must not reset a guesser's counter). When a limit is reached the
answer is 429 with Retry-After: the time until the oldest counted attempt
leaves the window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuthAttempt, new_id


def _now() -> float:
    return time.time()  # a function of its own so tests can move the clock


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int  # attempts per window; 0 or less: no limit
    refusal: str  # the first half of the 429 message


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it (the X-Forwarded-For address
    only when uvicorn trusts the proxy: --proxy-headers --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


def _wait_phrase(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


async def check(db: AsyncSession, limits: Iterable[Limit], window: float) -> None:
    """429 (with Retry-After and a message saying how long) if any limit is reached."""
    now = _now()
    for limit in limits:
        if limit.limit <= 0:
            continue
        recent = (
            await db.scalars(
                select(AuthAttempt.at)
                .where(AuthAttempt.key == limit.key, AuthAttempt.at > now - window)
                .order_by(AuthAttempt.at.desc())
                .limit(limit.limit)
            )
        ).all()
        if len(recent) >= limit.limit:
            retry_after = max(1, math.ceil(recent[-1] + window - now))
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"{limit.refusal}. Try again in {_wait_phrase(retry_after)}.",
                headers={"Retry-After": str(retry_after)},
            )


async def record(db: AsyncSession, keys: Iterable[str], window: float) -> list[str]:
    """Count one attempt under each key (and prune expired rows); commits, so no
    connection is held afterwards. Returns the new rows' ids (for `forget`)."""
    now = _now()
    rows = [AuthAttempt(id=new_id(), key=key, at=now) for key in keys]
    await db.execute(delete(AuthAttempt).where(AuthAttempt.at <= now - window))
    db.add_all(rows)
    await db.commit()
    return [row.id for row in rows]


async def forget(db: AsyncSession, *, keys: Sequence[str] = (), ids: Sequence[str] = ()) -> None:
    """Remove every attempt under `keys` and the rows `ids`; commits."""
    if keys:
        await db.execute(delete(AuthAttempt).where(AuthAttempt.key.in_(keys)))
    if ids:
        await db.execute(delete(AuthAttempt).where(AuthAttempt.id.in_(ids)))
    await db.commit()
