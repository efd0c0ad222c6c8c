"""Ingest latency and lead-form throughput, on the sandbox and real RabbitMQ/Postgres.

    .venv/bin/python bench/ingest_latency.py [--emails 200] [--form-posts 500] [--concurrency 8]

1. Push path: a Gmail mailbox connected through the real oauth service, Pub/Sub push
   routed to ingest. For each email, the time from the sandbox's inbound call (the
   "provider delivering") to `lead.received` arriving on the events exchange (so it
   includes ingest's webhook, outbox, relay, the sync consumer, the Gmail API calls,
   intake and the relay again). Emails are sent one after another: latency, not load.
2. Lead form: POST /lead/{slug} directly to the ingest process (no gateway in this
   bench), `--concurrency` clients; posts/s and per-post latency.
Prints the figures and saves them to bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from leadwire.testing import MailboxConnector, TestStack
from leadwire_ingest.main import create_app
from leadwire_ingest.settings import IngestSettings
from sandbox.testing import start_sandbox

DSN = os.environ.get("LEADWIRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("LEADWIRE_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
RESULTS = Path(__file__).parent / "results" / "ingest.json"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def lead_arrivals(
    stack: TestStack,
) -> tuple[dict[str, float], aio_pika.abc.AbstractConnection]:
    """subject → monotonic time its lead.received reached the exchange's queue."""
    arrivals: dict[str, float] = {}
    connection = await aio_pika.connect(stack.rabbit_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        stack.exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, "lead.received")

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrivals[json.loads(message.body)["payload"]["subject"]] = time.monotonic()
        await message.ack()

    await queue.consume(on_message)
    return arrivals, connection


async def push_latency(stack: TestStack, sandbox: Any, emails: int) -> dict[str, Any]:
    ingest = await stack.start(
        create_app,
        IngestSettings,
        google_certs_url=f"{sandbox.base_url}/oauth2/v1/certs",
        gmail_pubsub_topic="projects/bench/topics/gmail",
    )
    mailbox = await MailboxConnector(stack)("google", "bench@acme.test")
    sandbox.control.post(
        f"/_sandbox/google/mailboxes/{mailbox.address}/push",
        json={"enabled": True, "endpoint": f"{ingest.url}/webhooks/gmail/push"},
    )
    for _ in range(400):
        state = (await ingest.http.get(f"/admin/mailboxes/{mailbox.mailbox_id}/sync")).json()
        if state.get("watch_expires_at") and state.get("last_sync_at"):
            break
        await asyncio.sleep(0.05)
    arrivals, connection = await lead_arrivals(stack)
    latencies = []
    try:
        for n in range(emails):
            subject = f"bench {n} {uuid.uuid4().hex[:6]}"
            fields = {"from": f"lead{n}@customer.example", "subject": subject, "text": "Hi!"}
            started = time.monotonic()
            await asyncio.to_thread(sandbox.deliver, mailbox.address, **fields)
            while subject not in arrivals:
                if time.monotonic() - started > 30:
                    raise RuntimeError(f"no lead.received for email {n} within 30 s")
                await asyncio.sleep(0.001)
            latencies.append((arrivals[subject] - started) * 1000)
    finally:
        await connection.close()
    return {
        "emails": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }


async def form_throughput(stack: TestStack, posts: int, concurrency: int) -> dict[str, Any]:
    from leadwire.events import ClientChanged

    ingest = await stack.start(create_app, IngestSettings)
    slug = f"bench-{uuid.uuid4().hex[:6]}"
    client = ClientChanged(client_id=uuid.uuid4(), slug=slug, name="Bench", revision=1)
    await stack.publish(client, client_id=client.client_id)
    async with httpx.AsyncClient(base_url=ingest.url, timeout=30) as http:
        for _ in range(400):  # until client.changed reached ingest's projection
            if await ingest.pool.fetchval("SELECT 1 FROM clients WHERE slug = $1", slug):
                break
            await asyncio.sleep(0.05)
        latencies: list[float] = []
        counter = iter(range(posts))

        async def worker() -> None:
            for n in counter:
                body = {"email": f"f{n}@customer.example", "name": "F", "message": f"hello {n}"}
                started = time.monotonic()
                answer = await http.post(f"/lead/{slug}", json=body)
                latencies.append((time.monotonic() - started) * 1000)
                if answer.status_code != 202:
                    raise RuntimeError(f"form post {n}: {answer.status_code} {answer.text}")

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
    return {
        "posts": posts,
        "concurrency": concurrency,
        "target": "ingest directly (no gateway)",
        "posts_per_s": round(posts / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--form-posts", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    names = uuid.uuid4().hex[:10]
    with start_sandbox() as sandbox:
        stack = TestStack(
            DSN,
            RABBIT,
            exchange=f"bench.events.{names}",
            queue_prefix=f"b{names}.",
            sandbox=sandbox,
        )
        try:
            push = await push_latency(stack, sandbox, args.emails)
            print("push path (sandbox delivery → lead.received):", push, flush=True)
            form = await form_throughput(stack, args.form_posts, args.concurrency)
            print("lead form:", form, flush=True)
        finally:
            await stack.close()
    result = {
        "at": datetime.now(UTC).isoformat(),
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "push": push,
        "form": form,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
