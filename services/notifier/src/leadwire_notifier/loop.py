"""The delivery loop: a few workers draining due webhooks, woken at once by the
NOTIFY a queued notification (or a decision) sends at commit, else when the earliest
webhook becomes due, and at least every `idle_poll` seconds (a missed NOTIFY costs no
more than that). Run as a supervised background task (`runtime.background`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import asyncpg

from leadwire_notifier.decisions import post_due_responses
from leadwire_notifier.delivery import Deliverer
from leadwire_notifier.store import QUEUE_CHANNEL_PREFIX
from leadwire_notifier.store import notifications as queue_store

log = logging.getLogger(__name__)

# Waking a hair after `next_send_at` so the row is due when the worker asks.
_DUE_SLACK_SECONDS = 0.005


@dataclass
class DeliveryLoop:
    pool: asyncpg.Pool
    schema: str
    deliverer: Deliverer
    workers: int = 4
    idle_poll: float = 5.0
    _wakes: list[asyncio.Event] = field(default_factory=list, init=False)

    async def run(self) -> None:
        self._wakes = [asyncio.Event() for _ in range(self.workers)]
        async with asyncio.TaskGroup() as group:
            group.create_task(self._listen())
            for index in range(self.workers):
                group.create_task(self._work(index))

    def wake(self) -> None:
        for event in self._wakes:
            event.set()

    async def _listen(self) -> None:
        channel = QUEUE_CHANNEL_PREFIX + self.schema

        def on_notify(*_: object) -> None:
            self.wake()

        while True:
            try:
                async with self.pool.acquire() as conn:
                    await conn.add_listener(channel, on_notify)
                    try:
                        self.wake()  # catch up on whatever was queued while not listening
                        while True:
                            await asyncio.sleep(self.idle_poll)
                            await conn.fetchval("SELECT 1")  # notices a dead connection
                    finally:
                        with contextlib.suppress(Exception):
                            await conn.remove_listener(channel, on_notify)
            except Exception as exc:
                log.warning("notifier LISTEN connection lost: %r", exc)
                await asyncio.sleep(1.0)

    async def _work(self, index: int) -> None:
        wake = self._wakes[index]
        while True:
            wake.clear()
            try:
                timeout = await self._drain()
            except Exception:  # a database hiccup must not end the loop
                log.exception("notifier delivery worker %d failed; retrying", index)
                timeout = 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)

    async def _drain(self) -> float:
        """Deliver everything due; return seconds until something may be due."""
        while await self.deliverer.deliver_next():
            pass
        await post_due_responses(self.pool, self.deliverer.slack)
        async with self.pool.acquire() as conn:
            due_in = await queue_store.seconds_until_due(conn)
        if due_in is None:
            return self.idle_poll
        return min(due_in + _DUE_SLACK_SECONDS, self.idle_poll)
