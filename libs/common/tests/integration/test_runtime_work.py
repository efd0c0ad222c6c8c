"""What a service registers on its runtime, against the real RabbitMQ and Postgres:
consumers (serialised per key, with and without a wrapping transaction), hooks,
supervised background tasks and scheduled jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
import pytest_asyncio
from prometheus_client import REGISTRY as METRICS

from leadwire.consuming import Consumed
from leadwire.events import MailboxSyncRequested
from leadwire.jobs import JobRunner
from leadwire.runtime import ServiceRuntime
from leadwire.settings import ServiceSettings
from leadwire.testing import TestStack, wait_until

pytestmark = pytest.mark.integration

CLIENT = uuid.uuid4()


class SvcSettings(ServiceSettings):
    service_name: str = "svc"


Build = Callable[[ServiceRuntime], None]


@pytest_asyncio.fixture
async def start(stack: TestStack) -> AsyncIterator[Callable[[Build], asyncio.Future]]:
    """`await start(build)`: a service whose runtime `build(runtime)` configured."""

    async def run(build: Build):  # type: ignore[no-untyped-def]
        def create_app(settings: SvcSettings):  # type: ignore[no-untyped-def]
            runtime = ServiceRuntime.for_service(settings)
            build(runtime)
            return runtime.build_app()

        return await stack.start(create_app, SvcSettings)

    yield run  # type: ignore[misc]


def sync_request(mailbox_id: uuid.UUID, n: int = 0) -> MailboxSyncRequested:
    return MailboxSyncRequested(
        mailbox_id=mailbox_id, client_id=CLIENT, provider="google", reason="push", history_id=str(n)
    )


async def test_serialize_by_runs_one_handler_per_key_at_a_time(start, stack: TestStack) -> None:
    active: dict[uuid.UUID, int] = {}
    overlaps: list[uuid.UUID] = []
    done: list[str] = []

    def build(runtime: ServiceRuntime) -> None:
        @runtime.consumer("sync", MailboxSyncRequested, serialize_by=lambda p: p.mailbox_id)
        async def sync(event: Consumed[MailboxSyncRequested]) -> None:
            key = event.payload.mailbox_id
            active[key] = active.get(key, 0) + 1
            if active[key] > 1:
                overlaps.append(key)
            await asyncio.sleep(0.05)
            active[key] -= 1
            done.append(f"{key}:{event.payload.history_id}")

    await start(build)
    await start(build)  # a second replica on the same queue: advisory locks are database-wide
    mailboxes = [uuid.uuid4(), uuid.uuid4()]
    for n in range(6):
        for mailbox in mailboxes:
            await stack.publish(sync_request(mailbox, n), client_id=CLIENT)
    await wait_until(lambda: len(done) == 12, within=15)
    assert overlaps == []


async def test_without_a_transaction_the_body_opens_one_and_duplicates_are_skipped(
    start, stack: TestStack
) -> None:
    fetched: list[str] = []

    def build(runtime: ServiceRuntime) -> None:
        @runtime.consumer(
            "sync", MailboxSyncRequested, transaction=False, serialize_by=lambda p: p.mailbox_id
        )
        async def sync(event: Consumed[MailboxSyncRequested]) -> None:
            fetched.append(event.payload.history_id or "")  # e.g. a provider call
            async with event.transaction() as conn:
                await conn.execute("CREATE TABLE IF NOT EXISTS synced (h text)")
                await conn.execute("INSERT INTO synced VALUES ($1)", event.payload.history_id)

    service = await start(build)
    sent = await stack.publish(sync_request(uuid.uuid4(), 7), client_id=CLIENT)
    await wait_until(lambda: fetched == ["7"], within=10)
    await stack.publish(sent)  # a redelivery of the same event
    await asyncio.sleep(0.5)
    assert fetched == ["7"]
    assert await service.pool.fetchval("SELECT count(*) FROM synced") == 1


async def test_hooks_run_in_order_and_may_use_the_broker(start) -> None:
    calls: list[str] = []

    def build(runtime: ServiceRuntime) -> None:
        async def before() -> None:
            calls.append(f"before:{runtime.broker.running}")

        async def after() -> None:
            calls.append(f"after:{await runtime.broker.ping(timeout=2)}")

        async def close() -> None:
            calls.append("shutdown")

        runtime.on_startup(after, after_broker=True)
        runtime.on_startup(before)
        runtime.on_shutdown(close)

    service = await start(build)
    assert calls == ["before:False", "after:True"]
    await service.runtime.stop()
    assert calls[-1] == "shutdown"


async def test_a_crashed_background_task_is_restarted_and_counted(start) -> None:
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise RuntimeError("boom")
        await asyncio.Event().wait()

    def build(runtime: ServiceRuntime) -> None:
        runtime.background(flaky, name="flaky")

    before = METRICS.get_sample_value(
        "leadwire_background_task_restarts_total", {"service": "svc", "task": "flaky"}
    )
    service = await start(build)
    await wait_until(lambda: len(runs) == 3, within=10)
    after = METRICS.get_sample_value(
        "leadwire_background_task_restarts_total", {"service": "svc", "task": "flaky"}
    )
    assert after - (before or 0) == 2
    assert "leadwire_background_task_restarts_total" in (await service.http.get("/metrics")).text


async def test_a_failing_job_is_counted_and_runs_again_next_interval(start) -> None:
    runs: list[int] = []

    async def failing() -> None:
        runs.append(1)
        raise RuntimeError("provider down")

    def build(runtime: ServiceRuntime) -> None:
        runtime.every(0.2, failing, name="failing")

    service = await start(build)
    await wait_until(lambda: len(runs) >= 3, within=10)
    row = await service.pool.fetchrow("SELECT * FROM scheduled_jobs WHERE name = 'failing'")
    assert row["failures"] >= 2 and row["last_error"] == "RuntimeError: provider down"


async def test_another_replica_takes_over_a_dead_holders_job_within_an_interval(
    db_pool,
) -> None:
    interval = timedelta(seconds=0.4)
    started = asyncio.Event()
    ran_on: list[str] = []

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()  # the replica dies holding the lease

    async def healthy() -> None:
        ran_on.append("b")

    a = JobRunner("job", interval, stuck, lambda: db_pool, holder="a")
    b = JobRunner("job", interval, healthy, lambda: db_pool, holder="b")
    dying = asyncio.create_task(a.run_forever())
    await asyncio.wait_for(started.wait(), 5)
    # `a` renews its lease while alive: `b` cannot run it
    assert await b.run_if_due() is False
    dying.cancel()
    await asyncio.gather(dying, return_exceptions=True)
    loop = asyncio.get_running_loop()
    died_at = loop.time()
    while not await b.run_if_due():
        await asyncio.sleep(0.05)
    assert loop.time() - died_at <= interval.total_seconds() + 0.2
    assert ran_on == ["b"]
