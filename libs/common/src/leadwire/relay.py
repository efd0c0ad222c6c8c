"""OutboxRelay: publishes pending outbox rows with confirms, then marks them published.

Wakes on `NOTIFY leadwire_outbox_<schema>` (sent at commit by the outbox trigger, only
while the relay is asleep: see `leadwire.relay_wakeup`), with a fallback poll for
anything a dropped LISTEN connection missed. Rows are claimed with
`FOR UPDATE SKIP LOCKED` and stay locked until their confirms are in, so replicas never
publish the same row twice; a crash between confirm and commit republishes (consumers
dedupe through the inbox), which is also why that commit does not wait for the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg

from leadwire import metrics
from leadwire.db import create_pool, validate_schema
from leadwire.outbox import channel_name
from leadwire.publisher import BrokerUnavailable, MessageRejected, OutboxMessage, Publisher
from leadwire.relay_wakeup import RelayWakeup

log = logging.getLogger(__name__)

# While a writer that saw the relay awake is still committing, look again this often.
_WRITERS_POLL = 0.005

_CLAIM = """
SELECT id, type, routing_key, body::text AS body, headers, created_at FROM outbox
WHERE published_at IS NULL AND next_attempt_at <= now()
ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_MARK_PUBLISHED = """
UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
WHERE id = ANY($1::uuid[])
"""
_MARK_REJECTED = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2,
    next_attempt_at = now() + make_interval(secs => least(power(2, attempts), $3))
WHERE id = ANY($1::uuid[])
"""
_MARK_UNAVAILABLE = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])
"""


class OutboxRelay:
    """Background publisher for one schema's outbox; `start()`, then `stop()` (flushes)."""

    def __init__(
        self,
        db: asyncpg.Pool | str,
        schema: str,
        publisher: Publisher,
        *,
        batch_size: int = 200,
        poll_interval: float = 5.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 10.0,
        rejected_retry_max: float = 300.0,
    ) -> None:
        self.schema = validate_schema(schema)
        self._db = db
        self._pool: asyncpg.Pool | None = db if isinstance(db, asyncpg.Pool) else None
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._rejected_retry_max = rejected_retry_max
        self._wakeup = RelayWakeup(self.schema)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("OutboxRelay.start() has not run")
        return self._pool

    async def start(self) -> None:
        if self._pool is None:
            assert isinstance(self._db, str)
            self._pool = await create_pool(self._db, self.schema, min_size=1, max_size=3)
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name=f"outbox-listen-{self.schema}"),
            asyncio.create_task(self._run_forever(), name=f"outbox-relay-{self.schema}"),
        ]

    async def stop(self, *, flush: bool = True, grace: float = 10.0) -> None:
        """Finish the batch in flight, publish what is left (if `flush`), release resources."""
        self._stopping.set()
        self._wake.set()
        tasks, self._tasks = self._tasks, []
        _, late = await asyncio.wait(tasks, timeout=grace) if tasks else (set(), set())
        for task in late:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if flush and self._pool is not None:
            try:
                await asyncio.wait_for(self.flush(), grace)
            except (BrokerUnavailable, TimeoutError) as exc:
                log.warning("outbox %s: rows left pending at shutdown: %r", self.schema, exc)
        if isinstance(self._db, str) and self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def flush(self) -> int:
        """Publish every row due now; return how many. Raises BrokerUnavailable."""
        total = await self._publish_due()
        await self._update_pending_gauge()
        return total

    async def _publish_due(self) -> int:
        total = 0
        while True:
            published, claimed = await self._publish_batch()
            total += published
            if claimed < self._batch_size:
                return total

    async def _drain(self) -> None:
        """Publish until caught up; meanwhile writers skip their NOTIFY (relay_wakeup)."""
        await self._publish_due()  # the rows that woke us go first, without a round trip more
        await self._wakeup.awake()
        try:
            while not self._stopping.is_set():
                if await self._publish_due():
                    continue  # writers are busy: look again before going to sleep
                await self._wakeup.asleep()
                if await self._wakeup.writers_done(self.pool):
                    break
                # a writer that saw us awake is still committing: stay awake, look again
                await self._wakeup.awake()
                await self._sleep_unless_stopping(_WRITERS_POLL)
        finally:
            await self._wakeup.asleep()
        await self.flush()  # rows of writers that committed while we were going to sleep

    async def _run_forever(self) -> None:
        backoff = self._backoff_initial
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                await self._drain()
                backoff = self._backoff_initial
            except Exception as exc:  # the relay must outlive any one failure
                log.warning("outbox %s: retrying in %.1fs: %r", self.schema, backoff, exc)
                await self._sleep_unless_stopping(backoff)
                backoff = min(backoff * 2, self._backoff_max)
                self._wake.set()

    async def _publish_batch(self) -> tuple[int, int]:
        """Claim, publish and mark one batch; return (published, claimed)."""
        unavailable: BrokerUnavailable | None = None
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, self._batch_size)
            if not rows:
                return 0, 0
            # Losing this commit in a crash only republishes (consumers dedupe), so it
            # need not wait for the WAL flush.
            await conn.execute("SET LOCAL synchronous_commit = off")
            messages = [_to_message(row) for row in rows]
            try:
                results: list[Exception | None] = await self._publisher.publish_batch(messages)
            except BrokerUnavailable as exc:
                results = [exc] * len(messages)
            published = await self._record(conn, messages, results)
            unavailable = next((r for r in results if isinstance(r, BrokerUnavailable)), None)
        # Raised after the commit, so attempts and last_error are kept.
        if unavailable is not None:
            raise unavailable
        return published, len(rows)

    async def _record(
        self,
        conn: asyncpg.Connection,
        messages: list[OutboxMessage],
        results: list[Exception | None],
    ) -> int:
        ok = [m.id for m, r in zip(messages, results, strict=True) if r is None]
        for kind, sql, extra in (
            (MessageRejected, _MARK_REJECTED, (self._rejected_retry_max,)),
            (BrokerUnavailable, _MARK_UNAVAILABLE, ()),
        ):
            failed = [(m.id, r) for m, r in zip(messages, results, strict=True)]
            failed = [(i, r) for i, r in failed if isinstance(r, kind)]
            if failed:
                await conn.execute(sql, [i for i, _ in failed], str(failed[0][1])[:500], *extra)
        if ok:
            await conn.execute(_MARK_PUBLISHED, ok)
            self._observe_published(messages, results)
        return len(ok)

    def _observe_published(
        self, messages: list[OutboxMessage], results: list[Exception | None]
    ) -> None:
        now = datetime.now(UTC)
        latency = metrics.OUTBOX_PUBLISH_LATENCY.labels(self.schema)
        for message, result in zip(messages, results, strict=True):
            if result is None and message.created_at is not None:
                latency.observe((now - message.created_at).total_seconds())
        metrics.OUTBOX_PUBLISHED.labels(self.schema).inc(results.count(None))

    async def _update_pending_gauge(self) -> None:
        async with self.pool.acquire() as conn:
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        metrics.OUTBOX_PENDING.labels(self.schema).set(pending)

    async def _listen_forever(self) -> None:
        backoff = self._backoff_initial
        while not self._stopping.is_set():
            try:
                await self._listen_once()
            except Exception as exc:  # keep listening whatever broke
                log.warning("outbox %s: LISTEN connection lost: %r", self.schema, exc)
                await self._sleep_unless_stopping(backoff)
                backoff = min(backoff * 2, self._backoff_max)

    async def _listen_once(self) -> None:
        channel = channel_name(self.schema)
        async with self.pool.acquire() as conn:
            await conn.add_listener(channel, self._on_notify)
            self._wakeup.attach(conn)
            try:
                self._wake.set()  # catch up on whatever was written while not listening
                while not self._stopping.is_set():
                    await self._sleep_unless_stopping(self._poll_interval)
                    await self._wakeup.ping()
            finally:
                await self._wakeup.detach()
                with contextlib.suppress(Exception):
                    await conn.remove_listener(channel, self._on_notify)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _sleep_unless_stopping(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _to_message(row: Any) -> OutboxMessage:
    headers = row["headers"]
    if isinstance(headers, str):  # a pool without the json codec hands back text
        headers = json.loads(headers)
    return OutboxMessage(
        id=row["id"],
        type=row["type"],
        routing_key=row["routing_key"],
        body=row["body"].encode("utf-8"),
        headers=headers,
        created_at=row["created_at"],
    )
