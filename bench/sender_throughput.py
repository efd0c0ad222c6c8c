"""Sender throughput and latency against the sandbox, through the real services.

    .venv/bin/python bench/sender_throughput.py [--one 40] [--mailboxes 50] [--per-mailbox 10]
                                                [--latency 40]

Runs oauth in-process (the `leadwire.testing` stack on the real RabbitMQ and Postgres) and
the sender as its own process (`--in-process`: in this one), connects sandbox Gmail
mailboxes through oauth, publishes `draft.created` (auto_send) events and waits for
`email.sent`:

- one mailbox: `--one` drafts at once; sends/s = drafts / (first publish -> last email.sent),
  bounded by the mailbox's default budget (1 send/s after a burst of 5);
- many mailboxes: `--per-mailbox` drafts for each of `--mailboxes` mailboxes at once;
- latency: `--latency` drafts one at a time, spaced to stay inside the budget; the time
  from publishing draft.created to receiving its email.sent (p50/p95).

Prints the figures and saves them to bench/results/sender.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from leadwire.contracts.leads import ReplyTarget
from leadwire.events import DraftCreated
from leadwire.testing import ConnectedMailbox, EventTap, MailboxConnector, TestStack
from leadwire_sender.main import create_app
from leadwire_sender.settings import SenderSettings
from sandbox.testing import RunningSandbox, start_sandbox

DSN = os.environ.get("LEADWIRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("LEADWIRE_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
RESULTS = Path(__file__).parent / "results" / "sender.json"


def draft_for(sandbox: RunningSandbox, mailbox: ConnectedMailbox, n: int) -> DraftCreated:
    message_id = f"<{uuid.uuid4().hex}@example.org>"
    ids = sandbox.deliver(
        mailbox.address, **{"from": f"lead{n}@example.org", "subject": f"Question {n}",
                            "text": "How much?", "message_id": message_id},
    )  # fmt: skip
    target = ReplyTarget(
        to_address=f"lead{n}@example.org",
        subject=f"Question {n}",
        provider="google",
        provider_message_id=ids["id"],
        provider_thread_id=ids["threadId"],
        rfc_message_id=message_id,
    )
    return DraftCreated(
        draft_id=uuid.uuid4(), lead_id=uuid.uuid4(), mailbox_id=mailbox.mailbox_id,
        subject=target.subject, body_text="Thanks, it costs 10.", model="bench",
        auto_send=True, reply_to=target,
    )  # fmt: skip


async def burst(
    stack: TestStack, tap: EventTap, drafts: list[tuple[ConnectedMailbox, DraftCreated]]
) -> dict[str, float]:
    tap.seen.clear()
    started = time.perf_counter()
    for mailbox, draft in drafts:
        await stack.publish(draft, client_id=mailbox.client_id)
    await tap.wait_for("email.sent", at_least=len(drafts), within=600)
    elapsed = time.perf_counter() - started
    return {"emails": len(drafts), "seconds": round(elapsed, 2),
            "sends_per_second": round(len(drafts) / elapsed, 2)}  # fmt: skip


async def latencies(
    stack: TestStack, tap: EventTap, mailbox: ConnectedMailbox, sandbox: RunningSandbox, count: int
) -> dict[str, float]:
    samples = []
    for n in range(count):
        draft = draft_for(sandbox, mailbox, 10_000 + n)
        tap.seen.clear()
        started = time.perf_counter()
        await stack.publish(draft, client_id=mailbox.client_id)
        await tap.wait_for(
            "email.sent", where=lambda e, d=draft: e["payload"]["draft_id"] == str(d.draft_id)
        )
        samples.append(time.perf_counter() - started)
        await asyncio.sleep(1.1)  # stay inside the 1 send/s budget: measure the pipeline
    samples.sort()
    return {
        "samples": count,
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(samples[-1] * 1000, 1),
    }


@asynccontextmanager
async def sender_running(stack: TestStack, in_process: bool) -> AsyncIterator[None]:
    if in_process:
        await stack.start(create_app, SenderSettings, log_level="WARNING")
        yield
        return
    values = stack.settings_for(SenderSettings, log_level="WARNING")
    env = {**os.environ, **{name.upper(): str(value) for name, value in values.items()}}
    binary = Path(sys.executable).parent / "leadwire-sender"
    process = await asyncio.create_subprocess_exec(str(binary), env=env)
    try:
        await _ready(values["http_port"])
        yield
    finally:
        process.terminate()
        await process.wait()
        await _delete_queues(stack.queue_prefix)


async def _delete_queues(prefix: str) -> None:
    """The sender process's queues (an in-process service's are deleted by the stack)."""
    connection = await aio_pika.connect(RABBIT)
    async with connection:
        channel = await connection.channel()
        for purpose in ("drafts", "leads", "directory"):
            for name in (f"{prefix}sender.{purpose}", f"{prefix}sender.{purpose}.dlq"):
                await channel.queue_delete(name)


async def _ready(port: int) -> None:
    for _ in range(600):
        try:
            async with httpx.AsyncClient() as http:
                if (await http.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                    return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the sender process did not become ready")


async def measure(sandbox: RunningSandbox, args: argparse.Namespace) -> dict[str, Any]:
    names = uuid.uuid4().hex[:10]
    stack = TestStack(DSN, RABBIT, exchange=f"bench.events.{names}", queue_prefix=f"b{names}.",
                      sandbox=sandbox)  # fmt: skip
    try:
        async with sender_running(stack, args.in_process):
            return await _figures(stack, sandbox, args)
    finally:
        await stack.close()


async def _figures(
    stack: TestStack, sandbox: RunningSandbox, args: argparse.Namespace
) -> dict[str, Any]:
    connect = MailboxConnector(stack)
    tap = await stack.tap("email.sent")
    one = await connect("google", "solo@acme-mail.example")
    figures: dict[str, Any] = {}
    figures["one_mailbox"] = await burst(
        stack, tap, [(one, draft_for(sandbox, one, n)) for n in range(args.one)]
    )
    await asyncio.sleep(6)  # let the bucket refill before measuring latency
    figures["draft_created_to_email_sent"] = await latencies(stack, tap, one, sandbox, args.latency)
    many = [await connect("google", f"box{i}@acme-mail.example") for i in range(args.mailboxes)]
    drafts = [(m, draft_for(sandbox, m, n)) for n in range(args.per_mailbox) for m in many]
    figures[f"{args.mailboxes}_mailboxes"] = await burst(stack, tap, drafts)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", type=int, default=40)
    parser.add_argument("--mailboxes", type=int, default=50)
    parser.add_argument("--per-mailbox", type=int, default=10)
    parser.add_argument("--latency", type=int, default=40)
    parser.add_argument("--in-process", action="store_true", help="run the sender in this process")
    args = parser.parse_args()
    with start_sandbox() as sandbox:
        figures = asyncio.run(measure(sandbox, args))
    figures["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    figures["sender"] = "in the bench process" if args.in_process else "its own process"
    figures["budget"] = "Gmail defaults: 1 send/s per mailbox after a burst of 5, 4 concurrent"
    print(json.dumps(figures, indent=2))
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
