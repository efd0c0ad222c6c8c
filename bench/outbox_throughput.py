"""Outbox -> relay -> RabbitMQ -> consumer throughput, one process each.

    .venv/bin/python bench/outbox_throughput.py [--events 5000] [--batch 100]

The writer commits events in transactions of `--batch`; a relay process publishes them
(LISTEN/NOTIFY, confirms); a consumer process parses each envelope and records it in its
inbox in a transaction, as a real service does. Throughput = events / (first write ->
last event consumed). Prints the figures and saves them to bench/results/outbox.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg

from leadwire.broker import ConsumerQueue, declare_topology, make_broker, subscriber
from leadwire.db import create_pool, run_migrations
from leadwire.events import ClientChanged, TypedEvent, new_event, parse_event
from leadwire.inbox import first_delivery
from leadwire.outbox import OutboxRelay, add_event
from leadwire.publisher import AmqpPublisher

DSN = os.environ.get("LEADWIRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("LEADWIRE_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
RESULTS = Path(__file__).parent / "results" / "outbox.json"


def run_relay(schema: str, exchange: str, ready: Event, stop: Event) -> None:
    async def main() -> None:
        publisher = AmqpPublisher(RABBIT, exchange=exchange)
        relay = OutboxRelay(DSN, schema, publisher)
        await relay.start()
        ready.set()
        await asyncio.to_thread(stop.wait)  # a process-shared event: wait off the loop
        await relay.stop()
        await publisher.close()

    asyncio.run(main())


def run_consumer(
    schema: str, queue: ConsumerQueue, expected: int, ready: Event, out: mp.Queue[Any]
) -> None:
    async def main() -> None:
        pool = await create_pool(DSN, schema, max_size=4)
        broker = make_broker(RABBIT, service="bench", prefetch=200)
        latencies: list[float] = []
        done = asyncio.Event()

        @subscriber(broker, queue, decode=parse_event)
        async def on_event(event: TypedEvent[Any]) -> None:
            async with pool.acquire() as conn, conn.transaction():
                await first_delivery(conn, event.event_id, queue.name)
            latencies.append((datetime.now(UTC) - event.envelope.occurred_at).total_seconds())
            if len(latencies) >= expected:
                done.set()

        await broker.connect()
        await declare_topology(broker)
        await broker.start()
        ready.set()
        await done.wait()
        out.put({"finished_at": time.time(), "latencies": latencies})
        await broker.stop()
        await pool.close()

    asyncio.run(main())


async def write_events(schema: str, total: int, batch: int) -> float:
    pool = await create_pool(DSN, schema, max_size=2)
    started = time.time()
    client_id = uuid.uuid4()
    payload = ClientChanged(client_id=client_id, slug="bench", name="Bench")
    for _ in range(0, total, batch):
        async with pool.acquire() as conn, conn.transaction():
            for _ in range(batch):
                await add_event(conn, new_event(payload, client_id=client_id))
    await pool.close()
    return started


async def wait_until_relayed(schema: str) -> float:
    conn = await asyncpg.connect(DSN)
    try:
        pending = f'SELECT count(*) FROM "{schema}".outbox WHERE published_at IS NULL'
        while await conn.fetchval(pending):  # noqa: ASYNC110 - the state lives in Postgres
            await asyncio.sleep(0.02)
        return time.time()
    finally:
        await conn.close()


async def cleanup(schema: str, queue: ConsumerQueue) -> None:
    conn = await asyncpg.connect(DSN)
    await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    await conn.close()
    amqp = await aio_pika.connect(RABBIT)
    channel = await amqp.channel()
    for name in (queue.name, queue.dlq_name):
        await channel.queue_delete(name)
    await channel.exchange_delete(queue.exchange)
    await amqp.close()


def measure(total: int, batch: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    schema = f"bench_{tag}"
    queue = ConsumerQueue(f"bench-{tag}", "events", ("#",), exchange=f"bench.events-{tag}")
    asyncio.run(run_migrations(DSN, schema, None))
    ctx = mp.get_context("spawn")
    consumer_ready, relay_ready, stop = ctx.Event(), ctx.Event(), ctx.Event()
    out: mp.Queue[Any] = ctx.Queue()
    consumer = ctx.Process(target=run_consumer, args=(schema, queue, total, consumer_ready, out))
    relay = ctx.Process(target=run_relay, args=(schema, queue.exchange, relay_ready, stop))
    consumer.start()
    consumer_ready.wait(60)
    relay.start()
    relay_ready.wait(60)
    try:
        started = asyncio.run(write_events(schema, total, batch))
        written = time.time()
        relayed = asyncio.run(wait_until_relayed(schema))
        result = out.get(timeout=300)
    finally:
        stop.set()
        relay.join(30)
        consumer.join(30)
        asyncio.run(cleanup(schema, queue))
    elapsed = result["finished_at"] - started
    latencies = sorted(result["latencies"])
    return {
        "events": total,
        "write_batch": batch,
        "write_seconds": round(written - started, 3),
        "relay_done_seconds": round(relayed - started, 3),
        "end_to_end_seconds": round(elapsed, 3),
        "events_per_second": round(total / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "consumer": "parse_event + inbox insert in a transaction, prefetch 200",
        "relay": "one process, batch 200, LISTEN/NOTIFY, publisher confirms",
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    figures = measure(args.events, args.batch)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"outbox -> consumer: {figures['events_per_second']} events/s (saved to {RESULTS})")


if __name__ == "__main__":
    main()
