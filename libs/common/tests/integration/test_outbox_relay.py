from __future__ import annotations

import asyncio
import time
from typing import Any

import aio_pika
import asyncpg
import pytest

from leadwire.outbox import add_event
from leadwire.publisher import AmqpPublisher
from leadwire.relay import OutboxRelay
from leadwire.testing import TcpProxy, wait_until

pytestmark = pytest.mark.integration


async def write_events(pool: asyncpg.Pool, events: list[Any]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for event in events:
            await add_event(conn, event)


async def pending(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch(
            "SELECT id, attempts, last_error FROM outbox WHERE published_at IS NULL"
        )


async def test_committed_event_reaches_consumer_promptly_with_amqp_properties(
    db_pool, fresh_schema, rabbit_url, events_exchange, collector, make_event
) -> None:
    publisher = AmqpPublisher(rabbit_url, exchange=events_exchange)
    # a 30 s poll: only LISTEN/NOTIFY can make this fast
    relay = OutboxRelay(db_pool, fresh_schema, publisher, poll_interval=30)
    await relay.start()
    await asyncio.sleep(0.2)  # let LISTEN attach before the write
    event = make_event("lead.received", lead="L1")
    try:
        started = time.monotonic()
        await write_events(db_pool, [event])
        await wait_until(lambda: len(collector.messages) == 1, within=5)
        assert time.monotonic() - started < 1.0
    finally:
        await relay.stop()
        await publisher.close()

    message = collector.messages[0]
    assert message.message_id == str(event.event_id)
    assert message.routing_key == "lead.received"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.content_type == "application/json"
    assert message.correlation_id == str(event.correlation_id)
    assert message.headers["correlation_id"] == str(event.correlation_id)
    assert await pending(db_pool) == []


async def test_rolled_back_transaction_publishes_nothing(
    db_pool, fresh_schema, rabbit_url, events_exchange, collector, make_event
) -> None:
    with pytest.raises(RuntimeError, match="rollback"):
        async with db_pool.acquire() as conn, conn.transaction():
            await add_event(conn, make_event())
            raise RuntimeError("rollback")
    publisher = AmqpPublisher(rabbit_url, exchange=events_exchange)
    relay = OutboxRelay(db_pool, fresh_schema, publisher)
    await relay.start()

    assert await relay.flush() == 0
    await relay.stop()
    await publisher.close()
    assert collector.messages == []


async def test_add_event_outside_a_transaction_is_refused(db_pool, make_event) -> None:
    async with db_pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            await add_event(conn, make_event())


async def test_rows_wait_while_broker_is_unreachable_then_go_out(
    db_pool, fresh_schema, rabbit_url, events_exchange, collector, make_event
) -> None:
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    via_proxy = rabbit_url.replace("127.0.0.1:5672", f"127.0.0.1:{proxy.port}")
    publisher = AmqpPublisher(via_proxy, exchange=events_exchange, connect_timeout=1)
    relay = OutboxRelay(
        db_pool, fresh_schema, publisher, poll_interval=30, backoff_initial=0.1, backoff_max=0.3
    )
    await relay.start()
    try:
        await write_events(db_pool, [make_event()])
        await wait_until(lambda: len(collector.messages) == 1)
        await proxy.cut()

        events = [make_event(n=i) for i in range(20)]
        await write_events(db_pool, events)
        await wait_until(lambda: _has_failed_attempts(db_pool), within=5)
        assert len(collector.messages) == 1
        assert len(await pending(db_pool)) == 20

        await proxy.restore()
        await wait_until(lambda: len(collector.messages) == 21, within=10)
    finally:
        await relay.stop()
        await publisher.close()
        await proxy.cut()
    assert set(collector.ids[1:]) == {str(e.event_id) for e in events}
    assert await pending(db_pool) == []


async def _has_failed_attempts(pool: asyncpg.Pool) -> bool:
    rows = await pending(pool)
    return bool(rows) and all(r["attempts"] > 0 and r["last_error"] for r in rows)


async def test_unroutable_event_stays_pending_with_the_error(
    db_pool, fresh_schema, rabbit_url, events_exchange, make_event
) -> None:
    # no queue is bound to this exchange: the broker returns the mandatory message
    publisher = AmqpPublisher(rabbit_url, exchange=events_exchange)
    relay = OutboxRelay(db_pool, fresh_schema, publisher)
    await relay.start()
    await write_events(db_pool, [make_event()])
    try:
        assert await relay.flush() == 0
    finally:
        await relay.stop(flush=False)
        await publisher.close()

    [row] = await pending(db_pool)
    assert row["attempts"] == 1
    assert "refused" in row["last_error"]


async def test_two_replicas_publish_every_row_exactly_once(
    db_pool, fresh_schema, rabbit_url, events_exchange, collector, make_event
) -> None:
    events = [make_event(n=i) for i in range(600)]
    for start in range(0, 600, 100):
        await write_events(db_pool, events[start : start + 100])
    publishers = [AmqpPublisher(rabbit_url, exchange=events_exchange) for _ in range(2)]
    relays = [
        OutboxRelay(db_pool, fresh_schema, p, batch_size=50, poll_interval=30) for p in publishers
    ]

    counts = await asyncio.gather(*(r.flush() for r in relays))

    await wait_until(lambda: len(collector.messages) >= 600)
    await asyncio.sleep(0.3)  # a duplicate would arrive by now
    assert sorted(collector.ids) == sorted(str(e.event_id) for e in events)
    assert sum(counts) == 600 and all(c > 0 for c in counts)
    for p in publishers:
        await p.close()


async def test_purge_removes_only_old_published_rows_and_old_inbox_entries(
    db_pool, make_event
) -> None:
    from datetime import timedelta

    from leadwire.inbox import first_delivery, purge_inbox
    from leadwire.outbox import purge_published

    old, recent, unsent = make_event(), make_event(), make_event()
    await write_events(db_pool, [old, recent, unsent])
    async with db_pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE outbox SET published_at = now() - interval '8 days' WHERE id = $1",
            old.event_id,
        )
        await conn.execute("UPDATE outbox SET published_at = now() WHERE id = $1", recent.event_id)
        await first_delivery(conn, old.event_id, "svc.work")
        await conn.execute("UPDATE inbox SET received_at = now() - interval '40 days'")
        await first_delivery(conn, recent.event_id, "svc.work")

    async with db_pool.acquire() as conn:
        assert await purge_published(conn, older_than=timedelta(days=7)) == 1
        assert await purge_inbox(conn, older_than=timedelta(days=30)) == 1
        remaining = {r["id"] for r in await conn.fetch("SELECT id FROM outbox")}
        assert remaining == {recent.event_id, unsent.event_id}
        assert await conn.fetchval("SELECT count(*) FROM inbox") == 1
