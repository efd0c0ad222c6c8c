"""Scheduled jobs: `every(interval, job, name)` runs `job` once per interval across all
replicas of a service.

    runtime.every(timedelta(minutes=5), poll_due_mailboxes, name="poll-mailboxes")

Each replica runs a `JobRunner` per job. A run is claimed with a lease row in the service's
`scheduled_jobs` table (`UPDATE ... WHERE due AND lease free`): one replica wins, the others
see nothing to do. The winner renews its lease while the job runs, so a long run is never
doubled; if the replica dies, the lease lapses and another replica claims the next run
within one interval. A job that raises is logged, counted, and runs again next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg

from leadwire import metrics

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

_ENSURE = "INSERT INTO scheduled_jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
_CLAIM = """
UPDATE scheduled_jobs
SET lease_holder = $2, lease_until = now() + $3::interval, last_started_at = now()
WHERE name = $1 AND next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
RETURNING name
"""
_RENEW = """
UPDATE scheduled_jobs SET lease_until = now() + $3::interval
WHERE name = $1 AND lease_holder = $2
"""
_FINISH = """
UPDATE scheduled_jobs
SET next_run_at = last_started_at + $3::interval, lease_holder = NULL, lease_until = NULL,
    last_finished_at = now(), last_error = $4, runs = runs + 1,
    failures = failures + CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END
WHERE name = $1 AND lease_holder = $2
"""


def replica_id() -> str:
    """Names this process in lease rows (host, pid and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class JobRunner:
    """Runs one scheduled job in this replica; `run_forever()` is a background task."""

    name: str
    interval: timedelta
    job: Job
    pool: Callable[[], asyncpg.Pool]
    service: str = ""
    holder: str = field(default_factory=replica_id)

    def __post_init__(self) -> None:
        if self.interval.total_seconds() <= 0:
            raise ValueError(f"job {self.name}: interval must be positive")

    @property
    def _tick(self) -> float:
        # How often a replica looks for a due run: a fraction of the interval, so a dead
        # holder's lapsed lease is taken over well within one interval.
        return min(max(self.interval.total_seconds() / 4, 0.05), 30.0)

    async def run_forever(self) -> None:
        await self.pool().execute(_ENSURE, self.name)
        while True:
            await self.run_if_due()
            await asyncio.sleep(self._tick)

    async def run_if_due(self) -> bool:
        """Claim and run the job if it is due and nobody holds it; True if it ran here."""
        claimed = await self.pool().fetchval(_CLAIM, self.name, self.holder, self.interval)
        if claimed is None:
            return False
        error: str | None = None
        renewing = asyncio.create_task(self._renew_lease())
        try:
            await self.job()
        except Exception as exc:  # a failing job runs again next interval
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.exception("scheduled job %s failed", self.name)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        outcome = "failed" if error else "ok"
        metrics.JOB_RUNS.labels(self.service, self.name, outcome).inc()
        await self.pool().execute(_FINISH, self.name, self.holder, self.interval, error)
        return True

    async def _renew_lease(self) -> None:
        while True:
            await asyncio.sleep(max(self.interval.total_seconds() / 3, 0.02))
            await self.pool().execute(_RENEW, self.name, self.holder, self.interval)
