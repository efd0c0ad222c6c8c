"""Move parked messages from a DLQ back to their consumer queue.

    python -m leadwire.replay_dlq drafter.leads [--limit N] [--url amqp://...]
    make replay-dlq QUEUE=drafter.leads

Each message is re-published (persistent, confirmed, mandatory) with its retry count
reset, and acked from the DLQ only after the confirm, so a crash mid-way duplicates at
worst (consumers dedupe through the inbox) and never loses one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from leadwire.redelivery import (
    ATTEMPTS_HEADER,
    ERROR_HEADER,
    FAILED_AT_HEADER,
    ORIGINAL_QUEUE_HEADER,
)

DLQ_SUFFIX = ".dlq"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
# Reset on replay: the message gets a fresh set of attempts.
_DROPPED_HEADERS = (ATTEMPTS_HEADER, ERROR_HEADER, FAILED_AT_HEADER, ORIGINAL_QUEUE_HEADER)
_BROKER_HEADER_PREFIXES = ("x-death", "x-first-death-", "x-last-death-")


def queue_names(name: str) -> tuple[str, str]:
    """(consumer queue, dlq) from either name."""
    if name.endswith(DLQ_SUFFIX):
        return name[: -len(DLQ_SUFFIX)], name
    return name, name + DLQ_SUFFIX


async def replay_dlq(url: str, queue_name: str, limit: int | None = None) -> int:
    """Replay up to `limit` messages (default: all there now) from the DLQ; return how many."""
    target, dlq_name = queue_names(queue_name)
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        # passive: never create (or re-argue) a queue that the consumer owns
        dlq = await channel.declare_queue(dlq_name, passive=True)
        await channel.declare_queue(target, passive=True)
        present = dlq.declaration_result.message_count or 0
        budget = present if limit is None else min(limit, present)
        moved = 0
        # Bounded by what was there at the start: a message that fails again quickly and
        # is re-parked must not be replayed twice in one run.
        while moved < budget:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            await _republish(channel, message, target)
            await message.ack()
            moved += 1
        return moved
    finally:
        await connection.close()


async def _republish(
    channel: AbstractChannel, message: AbstractIncomingMessage, target: str
) -> None:
    destination = str(message.headers.get(ORIGINAL_QUEUE_HEADER) or target)
    await channel.default_exchange.publish(
        aio_pika.Message(
            message.body,
            headers=_replay_headers(message.headers),
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type or "application/json",
            type=message.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=destination,
        mandatory=True,
    )


def _replay_headers(headers: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in headers.items()
        if key not in _DROPPED_HEADERS and not key.startswith(_BROKER_HEADER_PREFIXES)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("queue", help="consumer queue (svc.purpose) or its DLQ (svc.purpose.dlq)")
    parser.add_argument("--limit", type=int, default=None, help="replay at most N messages")
    parser.add_argument(
        "--url",
        default=os.environ.get("RABBIT_URL", DEFAULT_URL),
        help="AMQP URL (default: $RABBIT_URL or the local broker)",
    )
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        moved = asyncio.run(replay_dlq(args.url, args.queue, args.limit))
    except aio_pika.exceptions.ChannelNotFoundEntity as exc:
        print(f"replay-dlq: no such queue: {exc}", file=sys.stderr)
        return 2
    except (OSError, aio_pika.exceptions.AMQPConnectionError) as exc:
        print(f"replay-dlq: cannot reach RabbitMQ at the given URL: {exc!r}", file=sys.stderr)
        return 2
    print(f"replayed {moved} message(s) from {queue_names(args.queue)[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
