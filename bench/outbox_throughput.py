"""Outbox -> relay -> RabbitMQ -> consumer throughput and latency, one process each.

    .venv/bin/python bench/outbox_throughput.py [--events 5000] [--batch 100]

`--writers` connections commit events in transactions of `--batch` (one `add_event`
each, as concurrent producers would); a relay process publishes them (LISTEN/NOTIFY,
publisher confirms); a consumer process handles each event under the consumer pattern
(`leadwire.consuming`: parse, transaction, inbox row), as a real service does.
Throughput = events / (first write -> last event consumed). Then, on the now idle
pipeline, single events are committed one at a time: latency = commit -> consumed.
Every process runs on uvloop, as services do under uvicorn. CPU per event is reported
per process, so a figure from a busy shared machine can still be compared.
Prints the figures and saves them to bench/results/outbox.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import time
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import asyncpg
import uvloop

from leadwire.broker import ConsumerQueue, declare_topology, make_broker
from leadwire.consuming import Consumed, ConsumerSpec, register_consumer
from leadwire.db import create_pool, run_migrations
from leadwire.events import ClientChanged, new_event
from leadwire.outbox import add_event
from leadwire.publisher import AmqpPublisher
from leadwire.relay import OutboxRelay

DSN = os.environ.get("LEADWIRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("LEADWIRE_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
RESULTS = Path(__file__).parent / "results" / "outbox.json"
PROBES = 50

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_relay(
    schema: str, exchange: str, batch: int, ready: Event, stop: Event, out: mp.Queue[Any]
) -> None:
    async def main() -> float:
        publisher = AmqpPublisher(RABBIT, exchange=exchange)
        relay = OutboxRelay(DSN, schema, publisher, batch_size=batch)
        await relay.start()
        ready.set()
        cpu_at_start = cpu_seconds()
        await asyncio.to_thread(stop.wait)  # a process-shared event: wait off the loop
        await relay.stop()
        await publisher.close()
        return cpu_seconds() - cpu_at_start

    out.put(run(main()))


def run_consumer(
    schema: str, queue: ConsumerQueue, options: dict[str, Any], ready: Event, out: mp.Queue[Any]
) -> None:
    expected = options["events"]

    async def main() -> None:
        pool = await create_pool(DSN, schema, min_size=options["pool"], max_size=options["pool"])
        broker = make_broker(RABBIT, service="bench", prefetch=options["prefetch"])
        latencies: list[float] = []
        done, probes_done = asyncio.Event(), asyncio.Event()
        cpu_at_start = 0.0

        async def on_event(event: Consumed[ClientChanged]) -> None:
            # runs in the consumer pattern's transaction, after its inbox insert
            if len(latencies) < expected:
                latencies.append((datetime.now(UTC) - event.envelope.occurred_at).total_seconds())
                if len(latencies) == expected:
                    done.set()
            else:  # a latency probe: the writer waits for this before the next one
                out.put({"probe": str(event.event_id), "at": time.time()})
                if event.payload.name == "last probe":
                    probes_done.set()

        spec = ConsumerSpec(queue.name, (ClientChanged,), lambda: pool)
        register_consumer(broker, queue, spec, on_event)

        await broker.connect()
        await declare_topology(broker)
        await broker.start()
        ready.set()
        cpu_at_start = cpu_seconds()
        await done.wait()
        out.put(
            {
                "finished_at": time.time(),
                "latencies": latencies,
                "consumer_cpu": cpu_seconds() - cpu_at_start,
            }
        )
        await probes_done.wait()
        await broker.stop()
        await pool.close()

    run(main())


async def write_events(schema: str, total: int, batch: int, writers: int) -> tuple[float, float]:
    """`writers` connections at once (concurrent producers), `batch` events per transaction."""
    pool = await create_pool(DSN, schema, min_size=writers, max_size=writers)
    client_id = uuid.uuid4()
    payload = ClientChanged(client_id=client_id, slug="bench", name="Bench")

    async def write(count: int) -> None:
        for start in range(0, count, batch):
            async with pool.acquire() as conn, conn.transaction():
                for _ in range(min(batch, count - start)):
                    await add_event(conn, new_event(payload, client_id=client_id))

    cpu_at_start = cpu_seconds()
    started = time.time()
    shares = [total // writers + (1 if n < total % writers else 0) for n in range(writers)]
    await asyncio.gather(*(write(share) for share in shares))
    cpu = cpu_seconds() - cpu_at_start
    await pool.close()
    return started, cpu


async def probe_latency(schema: str, out: mp.Queue[Any]) -> list[float]:
    """Commit one event at a time on the idle pipeline; seconds from commit to consumed."""
    conn = await asyncpg.connect(DSN, server_settings={"search_path": schema})
    client_id = uuid.uuid4()
    latencies: list[float] = []
    try:
        for n in range(PROBES):
            name = "last probe" if n == PROBES - 1 else "probe"
            event = new_event(
                ClientChanged(client_id=client_id, slug="b", name=name), client_id=client_id
            )
            await asyncio.sleep(0.05)  # idle: nothing queued anywhere
            tx = conn.transaction()
            await tx.start()
            await add_event(conn, event)
            committing = time.time()
            await tx.commit()
            reply = await asyncio.to_thread(out.get, True, 30)
            assert reply["probe"] == str(event.event_id), reply
            latencies.append(reply["at"] - committing)
    finally:
        await conn.close()
    return latencies


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


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def measure(options: dict[str, int]) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    schema = f"bench_{tag}"
    queue = ConsumerQueue(f"bench-{tag}", "events", ("#",), exchange=f"bench.events-{tag}")
    run(run_migrations(DSN, schema, None))
    ctx = mp.get_context("spawn")
    consumer_ready, relay_ready, stop = ctx.Event(), ctx.Event(), ctx.Event()
    out: mp.Queue[Any] = ctx.Queue()
    relay_out: mp.Queue[Any] = ctx.Queue()
    consumer = ctx.Process(target=run_consumer, args=(schema, queue, options, consumer_ready, out))
    relay = ctx.Process(
        target=run_relay,
        args=(schema, queue.exchange, options["relay_batch"], relay_ready, stop, relay_out),
    )
    consumer.start()
    consumer_ready.wait(60)
    relay.start()
    relay_ready.wait(60)
    try:
        started, writer_cpu = run(
            write_events(schema, options["events"], options["batch"], options["writers"])
        )
        written = time.time()
        relayed = run(wait_until_relayed(schema))
        result = out.get(timeout=300)
        probes = sorted(run(probe_latency(schema, out)))
    finally:
        stop.set()
        relay_cpu = relay_out.get(timeout=60)
        relay.join(30)
        consumer.join(30)
        for process in (relay, consumer):
            if process.is_alive():
                process.terminate()
        run(cleanup(schema, queue))
    total = options["events"]
    elapsed = result["finished_at"] - started
    backlog = sorted(result["latencies"])
    return {
        "events": total,
        "events_per_second": round(total / elapsed, 1),
        "end_to_end_seconds": round(elapsed, 3),
        "write_seconds": round(written - started, 3),
        "relay_done_seconds": round(relayed - started, 3),
        "single_event_latency_ms": {
            "n": len(probes),
            "p50": ms(statistics.median(probes)),
            "p90": ms(probes[int(len(probes) * 0.9) - 1]),
            "max": ms(probes[-1]),
        },
        "backlog_latency_ms": {
            "p50": ms(statistics.median(backlog)),
            "p99": ms(backlog[int(len(backlog) * 0.99) - 1]),
        },
        "cpu_ms_per_event": {
            "writer": round(writer_cpu * 1000 / total, 3),
            # the relay's figure includes the probes: a rounding error next to `events`
            "relay": round(relay_cpu * 1000 / total, 3),
            "consumer": round(result["consumer_cpu"] * 1000 / total, 3),
        },
        "options": options,
        "load_average_after": os.getloadavg()[0],
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100, help="events per writer transaction")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer connections")
    parser.add_argument("--prefetch", type=int, default=40, help="consumer prefetch")
    parser.add_argument("--pool", type=int, default=20, help="consumer pool size")
    parser.add_argument("--relay-batch", type=int, default=200)
    args = parser.parse_args()
    options = {
        "events": args.events,
        "batch": args.batch,
        "writers": args.writers,
        "prefetch": args.prefetch,
        "pool": args.pool,
        "relay_batch": args.relay_batch,
    }
    figures = measure(options)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    latency = figures["single_event_latency_ms"]
    print(
        f"outbox -> consumer: {figures['events_per_second']} events/s; single event "
        f"p50 {latency['p50']} ms, max {latency['max']} ms (saved to {RESULTS})"
    )


if __name__ == "__main__":
    main()
