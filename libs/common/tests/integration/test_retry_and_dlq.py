from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker

from leadwire.broker import (
    ConsumerQueue,
    RedeliveryPolicy,
    declare_topology,
    replay_dlq,
    subscriber,
)
from leadwire.inbox import first_delivery
from leadwire.testing import RabbitCleanup, wait_until

pytestmark = pytest.mark.integration

FAST = RedeliveryPolicy(delays=(0.1, 0.2))


async def publish(url: str, exchange: str, routing_key: str, body: dict[str, Any], **props: Any):
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange)
        await target.publish(
            aio_pika.Message(json.dumps(body).encode(), content_type="application/json", **props),
            routing_key=routing_key,
        )
    finally:
        await connection.close()


async def get_parked(url: str, dlq: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(dlq, passive=True)
        parked = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            parked.append(message)
        for message in parked:
            await message.nack(requeue=True)  # leave them for replay
        return parked
    finally:
        await connection.close()


async def dlq_depth(url: str, dlq: str) -> int:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(dlq, passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await connection.close()


def consumer_queue(
    unique_name: Callable[[str], str], exchange: str, cleanup: RabbitCleanup, key: str
) -> ConsumerQueue:
    queue = ConsumerQueue(unique_name("svc"), "work", (key, "other.key"), exchange=exchange)
    cleanup.consumer_queue(queue)
    return queue


async def test_poison_message_is_retried_with_delays_then_parked_then_replayed(
    broker: RabbitBroker, rabbit_url, events_exchange, unique_name, rabbit_cleanup
) -> None:
    queue = consumer_queue(unique_name, events_exchange, rabbit_cleanup, "lead.received")
    calls: list[float] = []
    healthy = False

    @subscriber(broker, queue, retry_policy=FAST, decode=json.loads)
    async def handle(event: dict[str, Any]) -> None:
        calls.append(asyncio_time())
        if not healthy:
            raise ValueError("cannot draft " + "x" * 2000)

    await broker.connect()
    await declare_topology(broker)
    await broker.start()
    message_id = str(uuid.uuid4())
    await publish(
        rabbit_url,
        events_exchange,
        "lead.received",
        {"n": 1},
        message_id=message_id,
        correlation_id="corr-1",
    )

    await wait_until(lambda: _depth_is(rabbit_url, queue.dlq_name, 1), within=10)
    assert len(calls) == 3  # first try + two delayed retries
    assert calls[1] - calls[0] >= 0.1 and calls[2] - calls[1] >= 0.2
    [parked] = await get_parked(rabbit_url, queue.dlq_name)
    assert parked.message_id == message_id and parked.correlation_id == "corr-1"
    assert parked.headers["x-attempts"] == 3
    assert str(parked.headers["x-error"]).startswith("ValueError: cannot draft")
    assert len(str(parked.headers["x-error"])) <= 1000
    assert parked.headers["x-original-routing-key"] == "lead.received"
    assert parked.headers["x-failed-at"]

    healthy = True
    assert await replay_dlq(rabbit_url, queue.name) == 1
    await wait_until(lambda: len(calls) == 4)
    assert await dlq_depth(rabbit_url, queue.dlq_name) == 0


async def test_every_bound_routing_key_is_consumed(
    broker: RabbitBroker, rabbit_url, events_exchange, unique_name, rabbit_cleanup
) -> None:
    queue = consumer_queue(unique_name, events_exchange, rabbit_cleanup, "lead.received")
    seen: list[dict[str, Any]] = []

    @subscriber(broker, queue, retry_policy=FAST, decode=json.loads)
    async def handle(event: dict[str, Any]) -> None:
        seen.append(event)

    await broker.connect()
    await declare_topology(broker)
    await broker.start()
    await publish(rabbit_url, events_exchange, "lead.received", {"n": 1})
    await publish(rabbit_url, events_exchange, "other.key", {"n": 2})
    await publish(rabbit_url, events_exchange, "not.bound", {"n": 3})

    await wait_until(lambda: len(seen) == 2)
    assert sorted(e["n"] for e in seen) == [1, 2]


async def test_undecodable_message_is_parked_without_retries(
    broker: RabbitBroker, rabbit_url, events_exchange, unique_name, rabbit_cleanup
) -> None:
    queue = consumer_queue(unique_name, events_exchange, rabbit_cleanup, "lead.received")
    calls = 0

    @subscriber(broker, queue, retry_policy=FAST, decode=json.loads)
    async def handle(event: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1

    await broker.connect()
    await declare_topology(broker)
    await broker.start()
    connection = await aio_pika.connect(rabbit_url)
    channel = await connection.channel()
    exchange = await channel.get_exchange(events_exchange)
    await exchange.publish(aio_pika.Message(b"{not json"), routing_key="lead.received")
    await connection.close()

    await wait_until(lambda: _depth_is(rabbit_url, queue.dlq_name, 1), within=10)
    [parked] = await get_parked(rabbit_url, queue.dlq_name)
    assert parked.headers["x-attempts"] == 1
    assert calls == 0


async def test_redelivered_event_changes_nothing_through_the_inbox(
    broker: RabbitBroker, db_pool, rabbit_url, events_exchange, unique_name, rabbit_cleanup
) -> None:
    queue = consumer_queue(unique_name, events_exchange, rabbit_cleanup, "lead.received")
    handled = 0

    @subscriber(broker, queue, retry_policy=FAST, decode=json.loads)
    async def handle(event: dict[str, Any]) -> None:
        nonlocal handled
        async with db_pool.acquire() as conn, conn.transaction():
            if await first_delivery(conn, uuid.UUID(event["event_id"]), queue.name):
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS effects (id int); INSERT INTO effects VALUES (1)"
                )
        handled += 1

    await broker.connect()
    await declare_topology(broker)
    await broker.start()
    body = {"event_id": str(uuid.uuid4())}
    for _ in range(3):
        await publish(rabbit_url, events_exchange, "lead.received", body)

    await wait_until(lambda: handled == 3)
    async with db_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM effects") == 1
        assert await conn.fetchval("SELECT count(*) FROM inbox") == 1


async def _depth_is(url: str, dlq: str, expected: int) -> bool:
    return await dlq_depth(url, dlq) == expected


def asyncio_time() -> float:
    import asyncio

    return asyncio.get_running_loop().time()


def test_replay_cli_names_a_missing_queue(rabbit_url, unique_name, capsys) -> None:
    from leadwire.replay_dlq import main

    assert main([unique_name("nobody.home"), "--url", rabbit_url]) == 2
    assert "no such queue" in capsys.readouterr().err


def test_replay_cli_refuses_a_bad_limit(rabbit_url) -> None:
    from leadwire.replay_dlq import main

    with pytest.raises(SystemExit):
        main(["svc.work", "--limit", "0", "--url", rabbit_url])
