"""Writers NOTIFY only while the relay sleeps, and no row waits for the fallback poll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from leadwire.outbox import add_event, channel_name
from leadwire.publisher import AmqpPublisher
from leadwire.relay import OutboxRelay
from leadwire.relay_wakeup import RelayWakeup
from leadwire.testing import wait_until

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def awake_relay(postgres_dsn: str, fresh_schema: str) -> AsyncIterator[RelayWakeup]:
    """The wake-up side of a relay, on a connection of its own, not yet awake."""
    conn = await asyncpg.connect(postgres_dsn)
    wakeup = RelayWakeup(fresh_schema)
    wakeup.attach(conn)
    yield wakeup
    await wakeup.detach()
    await conn.close()


async def commit_event(pool: asyncpg.Pool, event: Any) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await add_event(conn, event)


async def test_writers_notify_only_while_no_relay_is_awake(
    db_pool, fresh_schema, postgres_dsn, awake_relay, make_event
) -> None:
    notes: list[str] = []
    listener = await asyncpg.connect(postgres_dsn)
    await listener.add_listener(channel_name(fresh_schema), lambda *args: notes.append(args[2]))
    try:
        await awake_relay.awake()
        await commit_event(db_pool, make_event())  # the relay is awake: no NOTIFY
        await awake_relay.asleep()
        await commit_event(db_pool, make_event())  # asleep: NOTIFY

        await wait_until(lambda: len(notes) >= 1)
        # notifications arrive in commit order, ahead of this reply: a first one would be here
        await listener.fetchval("SELECT 1")
        await asyncio.sleep(0)
        assert len(notes) == 1
    finally:
        await listener.close()


async def test_going_to_sleep_waits_for_a_writer_that_saw_the_relay_awake(
    db_pool, awake_relay, make_event
) -> None:
    await awake_relay.awake()
    async with db_pool.acquire() as writer:
        tx = writer.transaction()
        await tx.start()
        await add_event(writer, make_event())
        await writer.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the commit trigger runs now
        await awake_relay.asleep()

        assert not await awake_relay.writers_done(db_pool)
        await tx.commit()
    assert await awake_relay.writers_done(db_pool)


async def test_row_of_a_writer_that_saw_the_relay_awake_goes_out_without_the_poll(
    db_pool, fresh_schema, rabbit_url, events_exchange, collector, awake_relay, make_event
) -> None:
    event = make_event()
    publisher = AmqpPublisher(rabbit_url, exchange=events_exchange)
    relay = OutboxRelay(db_pool, fresh_schema, publisher, poll_interval=30)
    async with db_pool.acquire() as writer:
        tx = writer.transaction()
        await tx.start()
        await add_event(writer, event)
        await awake_relay.awake()
        await writer.execute("SET CONSTRAINTS ALL IMMEDIATE")  # sees a relay awake: no NOTIFY
        await awake_relay.asleep()
        await relay.start()  # drains nothing yet, and must not fall asleep for 30 s
        try:
            await asyncio.sleep(0.1)
            await tx.commit()
            await wait_until(lambda: len(collector.messages) == 1, within=5)
        finally:
            await relay.stop()
            await publisher.close()
    assert collector.ids == [str(event.event_id)]
